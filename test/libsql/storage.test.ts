import { readdirSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import * as schema from "../../src/db/schema.ts";
import { storageSuite } from "../shared/storage-suite.ts";
import { searchSuite } from "../shared/search-suite.ts";
import { readStateSuite } from "../shared/read-state-suite.ts";

// The same storage module on a libSQL file, with the same drizzle-kit migrations.
const make = async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "parley-libsql-"));
  const client = createClient({ url: `file:${path.join(dir, "parley.db")}` });
  for (const file of readdirSync("migrations")
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const statements = readFileSync(path.join("migrations", file), "utf8").split("--> statement-breakpoint");
    for (const s of statements) if (s.trim()) await client.execute(s);
  }
  let n = 0;
  const db = drizzle(client, { schema, logger: { logQuery: () => void n++ } });
  return { db, queries: () => n, reset: () => void (n = 0) };
};
storageSuite(make);
searchSuite(make);
readStateSuite(async () => (await make()).db);
