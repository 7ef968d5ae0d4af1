// Storage benchmark on libSQL (bench/libsql-runner.ts): a temporary file database with the drizzle-kit
// migrations, statements and queries counted. Run with tsx; writes its results as JSON to argv[2].
import { benchLibsql, IN_TMPDIR, log, runLibsqlPart, withFreshDb } from "./libsql-runner.ts";
import { historyRun, presenceRun, seedHistory } from "./storage-cases.ts";
import { runStoragePlan } from "./storage-plan.mjs";

await runLibsqlPart("bench/storage-libsql.ts", () =>
  withFreshDb("parley-bench-libsql-", async (client) => {
    const bench = benchLibsql(client);
    const results = await runStoragePlan(
      {
        presence: (method, n, runId) => presenceRun(bench, method, n, runId),
        seed: () => seedHistory(bench, 0, 1),
        history: (methods, depth, opts) => historyRun(bench, methods, depth, opts),
      },
      log,
    );
    return { storage: IN_TMPDIR, results };
  }),
);
