import type { Context } from "hono";
import type { Db } from "../db/client.ts";

export interface AppVariables {
  db: Db;
  /** The signed-in account (set by requireSession). */
  jid: string;
  tokenHash: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
export type AppContext = Context<AppEnv>;
