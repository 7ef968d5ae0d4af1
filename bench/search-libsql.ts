// Search benchmark on libSQL: a temporary file database with the drizzle-kit migrations (FTS5 included), 1,050,000
// messages, FTS5 vs LIKE. Run with tsx; writes its results as JSON to the path in argv[2].
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import type { Db } from "../src/db/client.ts";
import * as schema from "../src/db/schema.ts";
import { ftsPlan, searchRun, seedSearch } from "./search-cases.ts";
import { runSearchPlan } from "./search-plan.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: tsx bench/search-libsql.ts <results.json>");
const root = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "parley-bench-search-"));
const client = createClient({ url: `file:${path.join(dir, "parley.db")}` });
try {
  for (const name of readdirSync(path.join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const statements = readFileSync(path.join(root, "migrations", name), "utf8").split("--> statement-breakpoint");
    for (const s of statements) if (s.trim()) await client.execute(s);
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  const results = await runSearchPlan(
    { seed: () => seedSearch(db), plan: () => ftsPlan(db), search: (t, opts) => searchRun(db, t, opts) },
    (line) => process.stderr.write(`  [libsql] ${line}\n`),
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
