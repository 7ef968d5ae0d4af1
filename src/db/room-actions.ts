// What the group chat actions (issue #8 §1, src/durable/features/room-actions.ts) read of stored messages: a
// target's sender, by the room's stanza-id or by the sender's own id (XEP-0308 in rooms), and the participants' read
// positions ("Read by"). One indexed query each.
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { messages, roomReads as roomReadsTable } from "./schema.ts";

/** A stored group chat message as an action on it needs it: its ids and who wrote it. */
export interface RoomTarget {
  stanzaId: string;
  originId: string | null;
  direction: "in" | "out";
  occupantId: string | null;
  jid: string | null;
  nick: string | null;
}

/** Messages sharing one sender id are few (several senders may pick the same one); more are not looked at. */
const MAX_SAME_ORIGIN = 8;

/**
 * The room's messages named `id`: by the room's stanza-id (messages_stanza index), or by their senders' own id
 * (messages_origin index; several senders may have used the same one: the caller picks the author's).
 */
export async function roomTargets(
  db: Db,
  owner: string,
  room: string,
  by: "stanza" | "origin",
  id: string,
): Promise<RoomTarget[]> {
  const rows = await db
    .select({
      stanzaId: messages.stanzaId,
      originId: messages.originId,
      direction: messages.direction,
      occupantId: messages.senderOccupantId,
      jid: messages.senderJid,
      nick: messages.senderNick,
    })
    .from(messages)
    .where(
      and(
        eq(messages.owner, owner),
        eq(messages.peer, room),
        by === "stanza" ? eq(messages.stanzaId, id) : eq(messages.originId, id),
      ),
    )
    .limit(MAX_SAME_ORIGIN);
  return rows.flatMap((r) => (r.stanzaId === null ? [] : [{ ...r, stanzaId: r.stanzaId }]));
}

/**
 * A participant's read marker (XEP-0333 §5 in a room, by the room's stanza-id): their position moves to that
 * message's time, forward only. One statement; nothing when the message is not stored. True when it moved.
 */
export async function storeRoomRead(
  db: Db,
  owner: string,
  room: string,
  read: { reader: string; nick: string; stanzaId: string },
): Promise<boolean> {
  const rows = await db.all(sql`INSERT INTO room_reads (owner, room, reader, nick, stanza_id, ts)
    SELECT owner, peer, ${read.reader}, ${read.nick}, stanza_id, ts FROM messages
      WHERE owner = ${owner} AND peer = ${room} AND stanza_id = ${read.stanzaId}
      ORDER BY ts DESC LIMIT 1
    ON CONFLICT (owner, room, reader) DO UPDATE SET nick = excluded.nick, stanza_id = excluded.stanza_id,
      ts = excluded.ts WHERE excluded.ts > room_reads.ts
    RETURNING ts`);
  return rows.length > 0;
}

/** The newest `limit` read positions of a room: nickname and time, newest first. */
export async function roomReads(
  db: Db,
  owner: string,
  room: string,
  limit: number,
): Promise<{ nick: string; ts: number }[]> {
  return db
    .select({ nick: roomReadsTable.nick, ts: roomReadsTable.ts })
    .from(roomReadsTable)
    .where(and(eq(roomReadsTable.owner, owner), eq(roomReadsTable.room, room)))
    .orderBy(desc(roomReadsTable.ts))
    .limit(limit);
}
