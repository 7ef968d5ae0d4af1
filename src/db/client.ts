import type { SQL } from "drizzle-orm";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type * as schema from "./schema.ts";

/**
 * The storage module runs on D1 (the Worker and the object) and on libSQL (larger deployments, Node tests):
 * both drizzle drivers are async SQLite databases with a batch().
 */
export type Db = BaseSQLiteDatabase<"async", unknown, typeof schema> & {
  batch(items: [ReturnType<BaseSQLiteDatabase<"async", unknown, typeof schema>["run"]>, ...ReturnType<BaseSQLiteDatabase<"async", unknown, typeof schema>["run"]>[]]): Promise<unknown>;
};

export type { SQL };
