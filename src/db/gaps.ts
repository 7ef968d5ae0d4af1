// Storage reads and writes for holes in history (issue #7 §6, see src/durable/ranges.ts): the edges of a hole
// for one peer, each a single seek on the messages_page index, and the move that makes room in a crowded second.
import { and, asc, desc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { messages } from "./schema.ts";
import { runBatch } from "./store.ts";

/** The largest messages.id of the account (0: none): what a new hole's `cutId` is. */
export async function maxMessageId(db: Db, owner: string): Promise<number> {
  const [row] = await db
    .select({ id: sql<number | null>`max(${messages.id})` })
    .from(messages)
    .where(eq(messages.owner, owner));
  return row?.id ?? 0;
}

/** The timestamp of the peer's newest message stored with an id up to `cutId`, or null. */
export async function newestUpTo(db: Db, owner: string, peer: string, cutId: number): Promise<number | null> {
  const [row] = await db
    .select({ ts: messages.ts })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer), lte(messages.id, cutId)))
    .orderBy(desc(messages.ts))
    .limit(1);
  return row?.ts ?? null;
}

/** The timestamp of the peer's oldest message after `ts` (after everything when null), or null. */
export async function oldestAfter(db: Db, owner: string, peer: string, ts: number | null): Promise<number | null> {
  const [row] = await db
    .select({ ts: messages.ts })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer), ts === null ? undefined : gt(messages.ts, ts)))
    .orderBy(asc(messages.ts))
    .limit(1);
  return row?.ts ?? null;
}

/**
 * Moves the peer's messages from `upTo` down by `shift` ms, with the conversation's times that point among
 * them (last activity, read positions), in one batch: room for archive messages that belong above them.
 */
export async function lowerMessages(db: Db, owner: string, peer: string, upTo: number, shift: number): Promise<void> {
  if (shift <= 0) return;
  await runBatch(db, [
    sql`UPDATE messages SET ts = ts - ${shift} WHERE owner = ${owner} AND peer = ${peer} AND ts <= ${upTo}`,
    sql`UPDATE conversations SET
        last_ts = CASE WHEN last_ts <= ${upTo} THEN last_ts - ${shift} ELSE last_ts END,
        read_ts = CASE WHEN read_ts <= ${upTo} AND read_ts > 0 THEN read_ts - ${shift} ELSE read_ts END,
        peer_read_ts = CASE WHEN peer_read_ts <= ${upTo} AND peer_read_ts > 0 THEN peer_read_ts - ${shift}
          ELSE peer_read_ts END
      WHERE owner = ${owner} AND peer = ${peer}`,
  ]);
}
