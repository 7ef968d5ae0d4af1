// The history page benchmark plan (bench/page-cases.ts), the same for both backends, and where the seeded
// databases are cached. `exec` runs one case on the backend:
//   seed() -> { rows, ms, cached }      (seedPages, or nothing when the cached database was complete)
//   plans() -> string[]                 (pagePlans: EXPLAIN QUERY PLAN of each query of ours)
//   page(pageIndex, opts) -> PageSamples[]   (pageRun: ours, earlier and naive interleaved call by call)
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { migrationFiles } from "./migrations.mjs";

/** Bump when bench/page-cases.ts seeds different data: the cached databases are named by it. */
export const PAGE_SEED_VERSION = 1;
/** Pages, in bench/page-cases.ts PAGES order. */
export const PAGE_COUNT = 4;
/** Rounds per page (one call of each method per round). */
const OPTS = { min: 15, max: 400, budgetMs: 4_000 };

/**
 * Where a seeded database is kept between runs: node_modules/.cache/parley-bench/ (or $PARLEY_BENCH_CACHE), under
 * a name made of the seed version and the migrations, so a new migration or seed means a new database. Delete
 * the directory (or set PARLEY_BENCH_CACHE=off) to seed afresh. Returns null when caching is off.
 * @param {string} root @param {string} backend
 */
export function pageCachePath(root, backend) {
  const base = process.env.PARLEY_BENCH_CACHE ?? path.join(root, "node_modules/.cache/parley-bench");
  if (base === "off") return null;
  const hash = createHash("sha256").update(`page-seed-${PAGE_SEED_VERSION}`);
  for (const file of migrationFiles(root)) hash.update(path.basename(file)).update(readFileSync(file));
  mkdirSync(base, { recursive: true });
  return path.join(base, `page-${backend}-v${PAGE_SEED_VERSION}-${hash.digest("hex").slice(0, 12)}`);
}

/**
 * @param {{ seed: Function, plans: Function, page: Function }} exec
 * @param {(line: string) => void} log
 */
export async function runPagePlan(exec, log) {
  const seed = await exec.seed();
  log(
    `page: ${seed.cached ? "cached database" : "seeded"}: ${seed.rows} rows${seed.cached ? "" : ` in ${(seed.ms / 1000).toFixed(1)} s`}`,
  );
  const plans = await exec.plans();
  for (const p of plans) log(`page: plan of ours: ${p}`);
  // Warm-up (untimed): every method on every page, so no method pays for cold caches alone.
  for (let p = 0; p < PAGE_COUNT; p++) await exec.page(p, { min: 2, max: 2, budgetMs: 0 });
  const pages = [];
  for (let p = 0; p < PAGE_COUNT; p++) {
    const runs = await exec.page(p, OPTS);
    for (const r of runs) log(`page: ${r.method} "${r.page}": ${r.samples.length} calls, ${r.queries} queries/page`);
    pages.push(...runs);
  }
  return { seed, plans, pages };
}
