// History page benchmark on D1 (bench/d1-runner.mjs): bench/d1-worker.ts with src/db/history.ts, a local D1 whose
// SQLite file (Miniflare keeps it under resourcePersistencePath) is kept between runs: bench/page-plan.mjs
// pageCachePath; `seeded.json` beside it marks it complete. Writes results as JSON to argv[2].
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { log, root, runD1Part } from "./d1-runner.mjs";
import { pageCachePath, runPagePlan } from "./page-plan.mjs";

const cached = pageCachePath(root, "d1");
const dir = cached ?? mkdtempSync(path.join(os.tmpdir(), "parley-bench-page-d1-"));
const marker = path.join(dir, "seeded.json");
const hit = existsSync(marker);
// No marker: nothing there, or a seed that did not finish. Start over.
if (!hit) rmSync(dir, { recursive: true, force: true });

try {
  await runD1Part("bench/page-d1.mjs", { persistTo: dir }, async ({ call, migrate }) => {
    let seed;
    if (hit) {
      const c = await call("/page-counts", {});
      seed = { rows: c.messages + c.receipts + c.actions, ms: 0, cached: true };
    } else {
      await migrate();
      // One request per chunk of the seed would be nicer to watch; one request keeps the worker code simple.
      log("page: seeding 1,100,000 messages with their receipts and actions (a minute or two)");
      seed = { ...(await call("/page-seed", {})), cached: false };
      writeFileSync(marker, JSON.stringify({ ...seed, at: new Date().toISOString() }));
    }
    const results = await runPagePlan(
      {
        seed: async () => seed,
        plans: () => call("/page-plans", {}),
        page: (page, opts) => call("/page", { page, opts }),
      },
      log,
    );
    const counts = await call("/page-counts", {});
    return {
      storage: `SQLite file ${hit ? "(cached) " : ""}under ${path.relative(root, dir) || dir}`,
      results: { counts, ...results },
    };
  });
} finally {
  if (!cached) rmSync(dir, { recursive: true, force: true });
}
