// Sign-in limits, checked before any object is touched (issue #6 §3): without them the deployment is a
// brute-force proxy for every account of the XMPP server, and a server-side ban of the Worker's address would lock
// out every user. Counters live in D1 (one atomic statement each), so they hold across Worker isolates.
import { HTTPException } from "hono/http-exception";
import type { Db } from "../db/client.ts";
import { accountGeneration, hit, lockedUntil } from "../db/auth.ts";

export const LOGIN_LIMITS = {
  /** Sign-in attempts from one address. */
  perIp: { max: 20, windowMs: 60_000 },
  /** Sign-in attempts for one account, from anywhere. */
  perAccount: { max: 10, windowMs: 60_000 },
  /** Accounts never seen here before (each gets its own object and XMPP connection), from one address. */
  newAccountsPerIp: { max: 10, windowMs: 3600_000 },
} as const;

/** The client's address as Cloudflare reports it; "unknown" shares one budget (local tools, tests). */
export function clientIp(header: string | undefined): string {
  const value = header?.trim() ?? "";
  return value.length > 0 && value.length <= 64 ? value : "unknown";
}

function tooMany(message: string, retryAfterMs: number): HTTPException {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new HTTPException(429, {
    res: new Response(JSON.stringify({ error: message, retryAfter: seconds }), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": String(seconds) },
    }),
  });
}

function windowLeft(windowMs: number, now: number): number {
  return windowMs - (now % windowMs);
}

/** Throws 429 (with Retry-After) when this attempt is over a limit; counts it otherwise. */
export async function checkLoginLimits(db: Db, ip: string, jid: string, now = Date.now()): Promise<void> {
  const { perIp, perAccount, newAccountsPerIp } = LOGIN_LIMITS;
  if ((await hit(db, `login:ip:${ip}`, perIp.windowMs, now)) > perIp.max) {
    throw tooMany(
      "Too many sign-in attempts from your network. Try again in a minute.",
      windowLeft(perIp.windowMs, now),
    );
  }
  const until = await lockedUntil(db, jid);
  if (until > now) {
    throw tooMany("Too many wrong passwords for this address. Wait before trying again.", until - now);
  }
  if ((await hit(db, `login:jid:${jid}`, perAccount.windowMs, now)) > perAccount.max) {
    throw tooMany(
      "Too many sign-in attempts for this address. Try again in a minute.",
      windowLeft(perAccount.windowMs, now),
    );
  }
  if ((await accountGeneration(db, jid)) === null) {
    const count = await hit(db, `login:new:${ip}`, newAccountsPerIp.windowMs, now);
    if (count > newAccountsPerIp.max) {
      throw tooMany(
        "Too many new accounts from your network. Try again later.",
        windowLeft(newAccountsPerIp.windowMs, now),
      );
    }
  }
}
