// The libSQL side of a benchmark part: a file database under drizzle-orm/libsql in this process (run with tsx),
// the cases timed in Node with performance.now. Each part's runner (search-libsql.ts, storage-libsql.ts,
// page-libsql.ts) says only what it runs; this file writes its results as JSON to argv[2] for bench/run.mjs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import type { Db } from "../src/db/client.ts";
import * as schema from "../src/db/schema.ts";
import { migrationStatements } from "./migrations.mjs";
import { countingLogger, type Bench, type Counters } from "./storage-cases.ts";

export const root = path.resolve(import.meta.dirname, "..");
export const log = (line: string): void => {
  process.stderr.write(`  [libsql] ${line}\n`);
};

interface LibsqlMinimal {
  execute(...args: unknown[]): Promise<unknown>;
  batch(statements: unknown[], mode?: unknown): Promise<unknown>;
}

/** A libSQL client that counts statements (execute = 1, batch = its length), under drizzle with a query logger. */
export function benchLibsql(real: object): Bench {
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

/** drizzle over `client` without counting (nothing between the cases and the driver). */
export function plainDb(client: Client): Db {
  return drizzle(client, { schema }) as unknown as Db;
}

/** Applies the drizzle-kit migrations, one statement at a time. */
export async function migrate(client: Client): Promise<void> {
  for (const s of migrationStatements(root)) await client.execute(s);
}

/** Runs `body` on a fresh file database (migrations applied) in a temporary directory, removed afterwards. */
export async function withFreshDb<T>(prefix: string, body: (client: Client) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const client = createClient({ url: `file:${path.join(dir, "parley.db")}` });
  try {
    await migrate(client);
    return await body(client);
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a temporary database of withFreshDb lives, for the detail line. */
export const IN_TMPDIR = `in ${os.tmpdir()}`;

/**
 * Runs `part` and writes `{ backend, detail, ...results }` to argv[2]. `storage` says where the database is, for
 * the detail line.
 */
export async function runLibsqlPart(
  script: string,
  part: () => Promise<{ storage: string; results: object }>,
): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error(`usage: tsx ${script} <results.json>`);
  const { storage, results } = await part();
  writeFileSync(
    out,
    JSON.stringify({
      backend: "libSQL",
      detail: `@libsql/client local file DB ${storage}, drizzle-orm/libsql, in-process (timed in Node, performance.now)`,
      ...results,
    }),
  );
}
