// Storage benchmark on libSQL: a temporary file database (@libsql/client + drizzle-orm/libsql) with the
// drizzle-kit migrations. Run with tsx; writes its results as JSON to the path in argv[2].
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import type { Db } from "../src/db/client.ts";
import * as schema from "../src/db/schema.ts";
import {
  countingLogger,
  historyRun,
  presenceRun,
  seedHistory,
  type Bench,
  type Counters,
  type HistoryMethod,
  type PresenceMethod,
} from "./storage-cases.ts";
import { runStoragePlan } from "./storage-plan.mjs";

interface LibsqlMinimal {
  execute(...args: unknown[]): Promise<unknown>;
  batch(statements: unknown[], mode?: unknown): Promise<unknown>;
}

/** A libSQL client that counts statements (execute = 1, batch = its length), under drizzle with a query logger. */
function benchLibsql(real: object): Bench {
  const counters: Counters = { statements: 0, queries: 0 };
  const target = real as LibsqlMinimal & Record<PropertyKey, unknown>;
  const client = new Proxy(target, {
    get(t, prop) {
      if (prop === "execute") {
        return (...args: unknown[]) => {
          counters.statements++;
          return t.execute(...args);
        };
      }
      if (prop === "batch") {
        return (statements: unknown[], mode?: unknown) => {
          counters.statements += statements.length;
          return t.batch(statements, mode);
        };
      }
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
  const db = drizzle(client as never, { schema, logger: countingLogger(counters) }) as unknown as Db;
  return { db, counters };
}

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
