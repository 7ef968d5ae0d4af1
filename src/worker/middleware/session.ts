import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { findSession } from "../../db/store.ts";
import type { AppEnv } from "../env.ts";

export const SESSION_COOKIE = "parley_session";

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** 256 random bits, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/u, "");
}

/** Every tab socket and API call is authorised by the session cookie; only its hash is stored. */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || token.length > 128) throw new HTTPException(401, { message: "not signed in" });
  const tokenHash = await hashToken(token);
  const session = await findSession(c.var.db, tokenHash, Date.now());
  if (!session) throw new HTTPException(401, { message: "not signed in" });
  c.set("jid", session.jid);
  c.set("tokenHash", tokenHash);
  await next();
});
