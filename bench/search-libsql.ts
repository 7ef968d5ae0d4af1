// Search benchmark on libSQL (bench/libsql-runner.ts): a temporary file database with the drizzle-kit migrations
// (FTS5 included), 1,050,000 messages, FTS5 vs LIKE. Run with tsx; writes its results as JSON to argv[2].
import { IN_TMPDIR, log, plainDb, runLibsqlPart, withFreshDb } from "./libsql-runner.ts";
import { ftsPlan, searchRun, seedSearch } from "./search-cases.ts";
import { runSearchPlan } from "./search-plan.mjs";

await runLibsqlPart("bench/search-libsql.ts", () =>
  withFreshDb("parley-bench-search-", async (client) => {
    const db = plainDb(client);
    const results = await runSearchPlan(
      { seed: () => seedSearch(db), plan: () => ftsPlan(db), search: (t, opts) => searchRun(db, t, opts) },
      log,
    );
    return { storage: IN_TMPDIR, results };
  }),
);
