// Search benchmark on D1 (bench/d1-runner.mjs): bench/d1-worker.ts with src/db/search.ts, an in-memory local D1
// (FTS5 included). Writes results as JSON to argv[2].
import { log, runD1Part } from "./d1-runner.mjs";
import { runSearchPlan } from "./search-plan.mjs";

await runD1Part("bench/search-d1.mjs", {}, async ({ call, migrate }) => {
  await migrate();
  const results = await runSearchPlan(
    {
      seed: () => call("/search-seed", {}),
      plan: () => call("/search-plan", {}),
      search: (term, opts) => call("/search", { term, opts }),
    },
    log,
  );
  return { storage: "in memory", results };
});
