import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../src/db/schema.ts";
import { storageSuite } from "../shared/storage-suite.ts";
import { searchSuite } from "../shared/search-suite.ts";
import { readStateSuite } from "../shared/read-state-suite.ts";

// D1 inside workerd (local D1 enforces the 100 bound parameters per statement limit).
const make = async () => {
  let n = 0;
  const db = drizzle(env.DB, { schema, logger: { logQuery: () => void n++ } });
  return { db, queries: () => n, reset: () => void (n = 0) };
};
storageSuite(make);
searchSuite(make);
readStateSuite(async () => (await make()).db);
