// History page benchmark on libSQL (bench/libsql-runner.ts): a file database with the drizzle-kit migrations and
// 1,150,000 messages with their receipts and actions, kept between runs (bench/page-plan.mjs pageCachePath). Run
// with tsx; writes its results as JSON to argv[2].
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { benchLibsql, log, migrate, root, runLibsqlPart } from "./libsql-runner.ts";
import { pageCounts, pagePlans, pageRun, seedPages } from "./page-cases.ts";
import { pageCachePath, runPagePlan } from "./page-plan.mjs";

const cached = pageCachePath(root, "libsql");
const tmp = cached === null ? mkdtempSync(path.join(os.tmpdir(), "parley-bench-page-")) : null;
const file = cached === null ? path.join(tmp ?? "", "parley.db") : `${cached}.db`;
const hit = existsSync(file);
// A new database is seeded under another name and renamed once complete: an interrupted seed is never reused.
const seedFile = hit ? file : `${file}.partial`;
if (!hit) rmSync(seedFile, { force: true });
let client = createClient({ url: `file:${seedFile}` });
try {
  await runLibsqlPart("bench/page-libsql.ts", async () => {
    let seedInfo = { rows: 0, ms: 0, cached: hit };
    if (!hit) {
      await migrate(client);
      const seeded = await seedPages(benchLibsql(client).db, log);
      seedInfo = { ...seeded, cached: false };
      client.close();
      renameSync(seedFile, file);
      client = createClient({ url: `file:${file}` });
    }
    const bench = benchLibsql(client);
    if (hit) {
      const c = await pageCounts(bench.db);
      seedInfo.rows = c.messages + c.receipts + c.actions;
    }
    const results = await runPagePlan(
      {
        seed: async () => seedInfo,
        plans: () => pagePlans(bench),
        page: (p, opts) => pageRun(bench, p, opts),
      },
      log,
    );
    const counts = await pageCounts(bench.db);
    return {
      storage: `${hit ? "(cached) " : ""}${path.relative(root, file)}`,
      results: { counts, ...results },
    };
  });
} finally {
  client.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
