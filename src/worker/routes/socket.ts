import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { requireSession } from "../middleware/session.ts";

/** A tab's WebSocket goes to the object of the session's account, and only to that one. */
export const socket = new Hono<AppEnv>().get("/", requireSession, async (c) => {
  if (c.req.header("Upgrade") !== "websocket") throw new HTTPException(426, { message: "expected a WebSocket" });
  // Cross-site WebSocket hijacking: browsers send Origin; it must be ours.
  const origin = c.req.header("Origin");
  if (origin && origin !== new URL(c.req.url).origin) throw new HTTPException(403, { message: "cross-origin socket" });
  // A tab may name the account it expects; it must be the session's own.
  const asked = c.req.query("jid");
  if (asked !== undefined && asked !== c.var.jid) throw new HTTPException(403, { message: "not your session" });
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-parley-jid", c.var.jid);
  return c.env.USER_SESSION.getByName(c.var.jid).fetch(new Request(c.req.raw, { headers }));
});
