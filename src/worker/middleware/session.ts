import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { findSession, touchSession, TOUCH_EVERY_MS } from "../../db/auth.ts";
import type { AppContext, AppEnv } from "../env.ts";
import { isSecureOrigin } from "./security.ts";

/**
 * Over https the cookie carries the `__Host-` prefix: the browser then only accepts it Secure, for this exact host
 * and path "/", so no sibling subdomain can set or shadow it. Plain http on loopback cannot use the prefix.
 */
export const SESSION_COOKIE = "parley_session";
export const SECURE_SESSION_COOKIE = "__Host-parley_session";

/** A session lives at most this long, and ends sooner when unused for SESSION_IDLE_MS (issue #6 §12). */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const SESSION_IDLE_MS = 14 * 24 * 3600 * 1000;

export function sessionCookieName(c: AppContext): string {
  return isSecureOrigin(new URL(c.req.url)) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

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
  const token = getCookie(c, sessionCookieName(c));
  if (!token || token.length > 128) throw new HTTPException(401, { message: "not signed in" });
  const tokenHash = await hashToken(token);
  const now = Date.now();
  const session = await findSession(c.var.db, tokenHash, now, SESSION_IDLE_MS);
  if (!session) throw new HTTPException(401, { message: "not signed in" });
  if (now - session.lastSeenAt > TOUCH_EVERY_MS) await touchSession(c.var.db, tokenHash, now);
  c.set("jid", session.jid);
  c.set("tokenHash", tokenHash);
  await next();
});
