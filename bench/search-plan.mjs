// The search benchmark plan, the same for both backends. `exec` runs one case on the backend:
//   seed() -> { rows, ms }                        (bench/search-cases.ts seedSearch)
//   plan() -> string                              (ftsPlan: EXPLAIN QUERY PLAN of the FTS5 query)
//   search(termIndex, opts) -> SearchSamples[]    (searchRun: FTS5 and LIKE interleaved call by call)

/** Term names, in bench/search-cases.ts SEARCH_TERMS order. */
export const TERM_COUNT = 4;
/** LIKE scans the owner's 1,000,000 rows (a few hundred ms): a handful of rounds per term is enough for a p50. */
const OPTS = { min: 7, max: 200, budgetMs: 4_000 };

/**
 * @param {{ seed: Function, plan: Function, search: Function }} exec
 * @param {(line: string) => void} log
 */
export async function runSearchPlan(exec, log) {
  log("search: seeding 1,050,000 messages");
  const seed = await exec.seed();
  log(`search: seeded ${seed.rows} rows in ${(seed.ms / 1000).toFixed(1)} s`);
  const plan = await exec.plan();
  log(`search: FTS5 query plan: ${plan}`);
  for (let t = 0; t < TERM_COUNT; t++) await exec.search(t, { min: 1, max: 1, budgetMs: 0 }); // warm-up
  const search = [];
  for (let t = 0; t < TERM_COUNT; t++) {
    const runs = await exec.search(t, OPTS);
    for (const run of runs) log(`search: ${run.method} "${run.term}": ${run.samples.length} calls`);
    search.push(...runs);
  }
  return { seed, plan, search };
}
