// What the group chat actions (issue #8 §1, src/durable/features/room-actions.ts) read of stored messages: a
// target's sender, by the room's stanza-id or by the sender's own id (XEP-0308 in rooms). One indexed query each.
import { and, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { messages } from "./schema.ts";

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
