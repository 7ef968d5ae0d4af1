// The D1 side of a benchmark part: bench/d1-worker.ts (with the part's cases) bundled by esbuild and run in workerd
// by Miniflare's programmatic API, a local D1 bound as DB, so every query goes Worker -> D1 as in the Durable Object.
// The cases are timed inside the worker (its clock moves in 1 ms steps). Each part's runner (search-d1.mjs,
// storage-d1.mjs, page-d1.mjs) says only what it runs; this file writes its results as JSON to argv[2] for
// bench/run.mjs.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { migrationStatements } from "./migrations.mjs";

export const root = path.resolve(import.meta.dirname, "..");
export const log = (line) => process.stderr.write(`  [d1] ${line}\n`);

/**
 * Starts the worker, runs `part` and writes `{ backend, detail, ...results }` to argv[2]; Miniflare is disposed
 * even on error.
 * @param {string} script the runner, for the usage line
 * @param {{ persistTo?: string }} opts where D1 keeps its SQLite file (default: in memory)
 * @param {(d1: { call: (pathname: string, body: object) => Promise<any>, migrate: () => Promise<void> }) =>
 *   Promise<{ storage: string, results: object }>} part `storage` says where the database is, for the detail line
 */
export async function runD1Part(script, opts, part) {
  const out = process.argv[2];
  if (!out) throw new Error(`usage: node ${script} <results.json>`);
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
    ...(opts.persistTo === undefined ? {} : { resourcePersistencePath: opts.persistTo }),
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
    const { storage, results } = await part({
      call,
      migrate: async () => {
        await call("/migrate", { statements: migrationStatements(root) });
      },
    });
    writeFileSync(
      out,
      JSON.stringify({
        backend: "D1",
        detail: `Miniflare (workerd) local D1, ${storage}; drizzle-orm/d1 inside a module worker (timed in the worker: 1 ms clock steps)`,
        ...results,
      }),
    );
  } finally {
    await mf.dispose();
  }
}
