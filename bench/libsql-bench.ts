// The libSQL side of the storage benchmarks: a client that counts statements under drizzle with a query logger,
// and the drizzle-kit migrations applied to a fresh file database.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { drizzle } from "drizzle-orm/libsql";
import type { Db } from "../src/db/client.ts";
import * as schema from "../src/db/schema.ts";
import { countingLogger, type Bench, type Counters } from "./storage-cases.ts";

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

/** The statements of migrations/*.sql, in order. */
export function migrationStatements(root: string): string[] {
  const statements: string[] = [];
  for (const name of readdirSync(path.join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const s of readFileSync(path.join(root, "migrations", name), "utf8").split("--> statement-breakpoint")) {
      if (s.trim()) statements.push(s.trim());
    }
  }
  return statements;
}
