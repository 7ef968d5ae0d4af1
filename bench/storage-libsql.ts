// Storage benchmark on libSQL: a temporary file database (@libsql/client + drizzle-orm/libsql) with the
// drizzle-kit migrations. Run with tsx; writes its results as JSON to the path in argv[2].
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { benchLibsql } from "./libsql-bench.ts";
import { historyRun, presenceRun, seedHistory, type HistoryMethod, type PresenceMethod } from "./storage-cases.ts";
import { runStoragePlan } from "./storage-plan.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: tsx bench/storage-libsql.ts <results.json>");
const root = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "parley-bench-libsql-"));
const file = path.join(dir, "parley.db");
const client = createClient({ url: `file:${file}` });
try {
  for (const name of readdirSync(path.join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const statements = readFileSync(path.join(root, "migrations", name), "utf8").split("--> statement-breakpoint");
    for (const s of statements) if (s.trim()) await client.execute(s);
  }
  const bench = benchLibsql(client);
  const log = (line: string) => process.stderr.write(`  [libsql] ${line}\n`);
  const results = await runStoragePlan(
    {
      presence: (method: PresenceMethod, n: number, runId: string) => presenceRun(bench, method, n, runId),
      seed: () => seedHistory(bench, 0, 1),
      history: (methods: HistoryMethod[], depth: number, opts: { min: number; max: number; budgetMs: number }) =>
        historyRun(bench, methods, depth, opts),
    },
    log,
  );
  writeFileSync(
    out,
    JSON.stringify({
      backend: "libSQL",
      detail: `@libsql/client local file DB in ${os.tmpdir()}, drizzle-orm/libsql, in-process (timed in Node, performance.now)`,
      ...results,
    }),
  );
} finally {
  client.close();
  rmSync(dir, { recursive: true, force: true });
}
