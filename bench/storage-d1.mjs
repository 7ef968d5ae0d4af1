// Storage benchmark on D1 (bench/d1-runner.mjs): bench/d1-worker.ts with src/db/store.ts, an in-memory local D1.
// Writes results as JSON to argv[2].
import { log, runD1Part } from "./d1-runner.mjs";
import { runStoragePlan } from "./storage-plan.mjs";

await runD1Part("bench/storage-d1.mjs", {}, async ({ call, migrate }) => {
  await migrate();
  const results = await runStoragePlan(
    {
      presence: (method, n, runId) => call("/presence", { method, n, runId }),
      seed: () => call("/seed", {}),
      history: (methods, depth, opts) => call("/history", { methods, depth, opts }),
    },
    log,
  );
  return { storage: "in memory", results };
});
