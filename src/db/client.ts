import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type * as schema from "./schema.ts";

/**
 * The storage module runs on D1 (the Worker and the object) and on libSQL (larger deployments, Node tests):
 * both drizzle drivers are async SQLite databases with a batch().
 */
export type Db = BaseSQLiteDatabase<"async", unknown, typeof schema> & {
  /** The driver's client (a D1Database or a libSQL Client), for batches of raw statements. */
  readonly $client: unknown;
};
