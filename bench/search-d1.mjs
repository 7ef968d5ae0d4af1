// Search benchmark on D1: bench/d1-worker.ts (with src/db/search.ts) bundled by esbuild and run in workerd by
// Miniflare's programmatic API, an in-memory local D1 bound as DB (FTS5 included). Writes results as JSON to argv[2].
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { runSearchPlan } from "./search-plan.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: node bench/search-d1.mjs <results.json>");
const root = path.resolve(import.meta.dirname, "..");
const log = (line) => process.stderr.write(`  [d1] ${line}\n`);

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
const script = bundle.outputFiles[0].text;
const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  readFileSync(path.join(root, "wrangler.toml"), "utf8"),
)?.[1];

const mf = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script,
    compatibilityDate: compatibilityDate ?? "2025-09-01",
    d1Databases: ["DB"],
  }),
);

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
  const statements = [];
  for (const name of readdirSync(path.join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const s of readFileSync(path.join(root, "migrations", name), "utf8").split("--> statement-breakpoint")) {
      if (s.trim()) statements.push(s.trim());
    }
  }
  await call("/migrate", { statements });
  const results = await runSearchPlan(
    {
      seed: () => call("/search-seed", {}),
      plan: () => call("/search-plan", {}),
      search: (term, opts) => call("/search", { term, opts }),
    },
    log,
  );
  writeFileSync(
    out,
    JSON.stringify({
      backend: "D1",
      detail: `Miniflare (workerd) local D1, in memory; drizzle-orm/d1 inside a module worker (timed in the worker: 1 ms clock steps)`,
      ...results,
    }),
  );
} finally {
  await mf.dispose();
}
