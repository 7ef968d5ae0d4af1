// Sign-in state in D1: sessions (only the token's hash), the accounts' credential generations, failed sign-ins and
// fixed-window rate counters (issue #6 §3, §5, §12). Every write that must be atomic is one statement.
import { and, eq, gt, sql } from "drizzle-orm";
import { runBatch } from "./store.ts";
import type { Db } from "./client.ts";
import { accounts, loginFailures, rateCounters, sessions } from "./schema.ts";

/** A session's last use is written at most this often (every API call or socket would otherwise write). */
export const TOUCH_EVERY_MS = 5 * 60_000;

export interface SessionRow {
  jid: string;
  lastSeenAt: number;
}

export async function createSession(
  db: Db,
  s: { tokenHash: string; jid: string; now: number; ttlMs: number; generation: number },
): Promise<void> {
  await db.insert(sessions).values({
    tokenHash: s.tokenHash,
    jid: s.jid,
    createdAt: s.now,
    expiresAt: s.now + s.ttlMs,
    lastSeenAt: s.now,
    generation: s.generation,
  });
}

/**
 * A live session: not past its fixed TTL, used within `idleMs`, and made under the account's current credential
 * generation (a password change revokes every older session).
 */
export async function findSession(db: Db, tokenHash: string, now: number, idleMs: number): Promise<SessionRow | null> {
  const rows = await db
    .select({ jid: sessions.jid, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(accounts, and(eq(accounts.jid, sessions.jid), eq(accounts.generation, sessions.generation)))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), gt(sessions.lastSeenAt, now - idleMs)))
    .limit(1);
  return rows[0] ?? null;
}

export async function touchSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/** Sign-out ends the one shared XMPP session, so every browser of that account is signed out with it. */
export async function deleteSessionsOf(db: Db, jid: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.jid, jid));
}

export async function accountGeneration(db: Db, jid: string): Promise<number | null> {
  const rows = await db
    .select({ generation: accounts.generation })
    .from(accounts)
    .where(eq(accounts.jid, jid))
    .limit(1);
  return rows[0]?.generation ?? null;
}

/** The account's generation, creating the account at 1 (`bump` false) or moving to the next one (`bump` true). */
export async function ensureGeneration(db: Db, jid: string, now: number, bump: boolean): Promise<number> {
  const rows = await db
    .insert(accounts)
    .values({ jid, generation: 1, createdAt: now })
    .onConflictDoUpdate({
      target: accounts.jid,
      set: { generation: bump ? sql`${accounts.generation} + 1` : sql`${accounts.generation}` },
    })
    .returning({ generation: accounts.generation });
  const generation = rows[0]?.generation;
  if (generation === undefined) throw new Error("accounts upsert returned no row");
  return generation;
}

/** The password changed on the server: every session made before is void, and so are the stored rows. */
export async function revokeCredentials(db: Db, jid: string, now: number): Promise<void> {
  await ensureGeneration(db, jid, now, true);
  await deleteSessionsOf(db, jid);
}

/** Counts one event against `key` in its fixed window; returns the count including this one (one statement). */
export async function hit(db: Db, key: string, windowMs: number, now: number): Promise<number> {
  const window = now - (now % windowMs);
  const rows = await db
    .insert(rateCounters)
    .values({ key, window, count: 1 })
    .onConflictDoUpdate({
      target: [rateCounters.key, rateCounters.window],
      set: { count: sql`${rateCounters.count} + 1` },
    })
    .returning({ count: rateCounters.count });
  return rows[0]?.count ?? 1;
}

/** Until when sign-ins of `jid` wait after failures (0 when they do not). */
export async function lockedUntil(db: Db, jid: string): Promise<number> {
  const rows = await db
    .select({ lockedUntil: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(eq(loginFailures.jid, jid))
    .limit(1);
  return rows[0]?.lockedUntil ?? 0;
}

/** Free failures before the delay starts, and its ceiling. */
export const FREE_FAILURES = 3;
export const MAX_LOCK_MS = 15 * 60_000;

/**
 * One more failed sign-in: after FREE_FAILURES in a row, each failure doubles the wait before the next attempt
 * (1 s, 2 s, 4 s, … up to MAX_LOCK_MS). One statement, so parallel failures all count.
 */
export async function recordFailure(db: Db, jid: string, now: number): Promise<number> {
  const failures = sql`${loginFailures.failures} + 1`;
  const rows = await db
    .insert(loginFailures)
    .values({ jid, failures: 1, lockedUntil: 0 })
    .onConflictDoUpdate({
      target: loginFailures.jid,
      set: {
        failures,
        lockedUntil: sql`CASE WHEN ${failures} >= ${FREE_FAILURES}
          THEN ${now} + min(${MAX_LOCK_MS}, 1000 << min(30, ${failures} - ${FREE_FAILURES}))
          ELSE 0 END`,
      },
    })
    .returning({ lockedUntil: loginFailures.lockedUntil });
  return rows[0]?.lockedUntil ?? 0;
}

export async function clearFailures(db: Db, jid: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.jid, jid));
}

/** Expired and idle sessions, old counters and stale failure records (the cron trigger runs this). */
export async function purgeExpired(db: Db, now: number, idleMs: number): Promise<void> {
  const day = 24 * 3600_000;
  await runBatch(db, [
    sql`DELETE FROM sessions WHERE expires_at < ${now} OR last_seen_at < ${now - idleMs}`,
    sql`DELETE FROM rate_counters WHERE window < ${now - day}`,
    sql`DELETE FROM login_failures WHERE locked_until < ${now - day}`,
  ]);
}
