// The storage benchmark plan, the same for both backends. `exec` runs one case on the backend:
//   presence(method, n, runId) -> PresenceSample     (bench/storage-cases.ts presenceRun)
//   seed() -> { rows, statements, ms }                  (seedHistory)
//   history(methods, depth, opts) -> HistorySamples[] (historyRun: the methods interleaved call by call)
// Methods are interleaved (round-robin, rotating order) so drift in the machine hits all of them alike.

export const FLOOD = 5_000;
/** Timed repetitions per presence method (the sequential naive one is the slow one). */
export const PRESENCE_REPS = { ours: 7, chunked: 5, "naive-batch": 3, "naive-seq": 3 };
export const PRESENCE_METHODS = ["ours", "chunked", "naive-batch", "naive-seq"];
/** Page depths (messages newer than the page): the first page, the middle, and the very last page. */
export const DEPTHS = [0, 50_000, 99_950];
export const HISTORY_METHODS = ["ours", "earlier", "naive"];
/** Rounds per page depth (one call of each method per round). */
const HISTORY_OPTS = { min: 20, max: 300, budgetMs: 2_500 };
/** The sequential naive flush is slow (one round trip and one commit per row): past 2 runs, stop repeating past this. */
const PRESENCE_BUDGET_MS = 12_000;

/**
 * @param {{ presence: Function, seed: Function, history: Function }} exec
 * @param {(line: string) => void} log
 */
export async function runStoragePlan(exec, log) {
  const presence = [];
  log(`presence flood: warm-up`);
  for (const method of PRESENCE_METHODS) await exec.presence(method, 200, `warm-${method}`);
  const maxReps = Math.max(...Object.values(PRESENCE_REPS));
  const spent = Object.fromEntries(PRESENCE_METHODS.map((m) => [m, 0]));
  for (let round = 0; round < maxReps; round++) {
    const order = PRESENCE_METHODS.map((_, i) => PRESENCE_METHODS[(i + round) % PRESENCE_METHODS.length]);
    for (const method of order) {
      if (round >= PRESENCE_REPS[method] || (round >= 2 && spent[method] > PRESENCE_BUDGET_MS)) continue;
      const sample = await exec.presence(method, FLOOD, `r${round}`);
      spent[method] += sample.ms;
      log(`presence flood: ${method} round ${round + 1}: ${sample.statements} statements, ${sample.ms.toFixed(1)} ms`);
      presence.push(sample);
    }
  }

  log(`history: seeding`);
  const seed = await exec.seed();
  log(`history: seeded ${seed.rows} rows in ${seed.statements} statements, ${(seed.ms / 1000).toFixed(1)} s`);
  // Warm-up (untimed): every method at every depth, so no method pays for cold caches alone.
  for (const depth of DEPTHS) await exec.history(HISTORY_METHODS, depth, { min: 2, max: 2, budgetMs: 0 });
  const history = [];
  for (const depth of DEPTHS) {
    const runs = await exec.history(HISTORY_METHODS, depth, HISTORY_OPTS);
    for (const run of runs)
      log(`history: ${run.method} depth ${depth}: ${run.samples.length} calls, ${run.queries} queries/call`);
    history.push(...runs);
  }
  return { presence, seed, history };
}
