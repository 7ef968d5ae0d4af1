// History page benchmark on D1: bench/d1-worker.ts (with src/db/history.ts) bundled by esbuild and run in workerd by
// Miniflare's programmatic API, a local D1 bound as DB. The D1 database (a SQLite file Miniflare keeps under
// resourcePersistencePath) is kept between runs: bench/page-plan.mjs pageCachePath; `seeded.json` beside it
// marks it complete. Writes results as JSON to argv[2].
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { pageCachePath, runPagePlan } from "./page-plan.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: node bench/page-d1.mjs <results.json>");
const root = path.resolve(import.meta.dirname, "..");
const log = (line) => process.stderr.write(`  [d1] ${line}\n`);

const cached = pageCachePath(root, "d1");
const dir = cached ?? mkdtempSync(path.join(os.tmpdir(), "parley-bench-page-d1-"));
const marker = path.join(dir, "seeded.json");
const hit = existsSync(marker);
// No marker: nothing there, or a seed that did not finish. Start over.
if (!hit) rmSync(dir, { recursive: true, force: true });

const bundle = await build({
  entryPoints: [path.join(root, "bench/d1-worker.ts")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
  write: false,
  logLevel: "warning",
});
const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  readFileSync(path.join(root, "wrangler.toml"), "utf8"),
)?.[1];

const mf = new Miniflare({
  ...convertV4MiniflareOptions({
    modules: true,
    script: bundle.outputFiles[0].text,
    compatibilityDate: compatibilityDate ?? "2025-09-01",
    d1Databases: ["DB"],
  }),
  resourcePersistencePath: dir,
});

async function call(pathname, body) {
  const res = await mf.dispatchFetch(`http://bench.local${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${pathname}: ${json.error ?? res.status}`);
  return json;
}

try {
  let seed;
  if (hit) {
    const c = await call("/page-counts", {});
    seed = { rows: c.messages + c.receipts + c.actions, ms: 0, cached: true };
  } else {
    const statements = [];
    for (const name of readdirSorted(path.join(root, "migrations"))) {
      for (const s of readFileSync(path.join(root, "migrations", name), "utf8").split("--> statement-breakpoint")) {
        if (s.trim()) statements.push(s.trim());
      }
    }
    await call("/migrate", { statements });
    // One request per chunk of the seed would be nicer to watch; one request keeps the worker code simple.
    log("page: seeding 1,100,000 messages with their receipts and actions (a minute or two)");
    seed = { ...(await call("/page-seed", {})), cached: false };
    writeFileSync(marker, JSON.stringify({ ...seed, at: new Date().toISOString() }));
  }
  const results = await runPagePlan(
    {
      seed: async () => seed,
      plans: () => call("/page-plans", {}),
      page: (page, opts) => call("/page", { page, opts }),
    },
    log,
  );
  const counts = await call("/page-counts", {});
  writeFileSync(
    out,
    JSON.stringify({
      backend: "D1",
      detail: `Miniflare (workerd) local D1, SQLite file ${hit ? "(cached) " : ""}under ${path.relative(root, dir) || dir}; drizzle-orm/d1 inside a module worker (timed in the worker: 1 ms clock steps)`,
      counts,
      ...results,
    }),
  );
} finally {
  await mf.dispose();
  if (!cached) rmSync(dir, { recursive: true, force: true });
}

function readdirSorted(p) {
  return readdirSync(p)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}
