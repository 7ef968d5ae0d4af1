// Storage of read positions (issue #7 §3): ours (XEP-0490, unread counts derive from it), the contact's of our
// messages (XEP-0333 displayed), and pin/mute/hide per conversation. A few statements per read, never one per
// message: counts are recomputed only when a read position moves.
import { and, desc, eq, lte, sql } from "drizzle-orm";
import type { Conversation } from "../protocol/index.ts";
import type { Db } from "./client.ts";
import { conversations, messages } from "./schema.ts";

/** Incoming messages after the read position that count: all but OMEMO key transports (no <payload>). */
const COUNTS_AS_UNREAD = sql.raw(`m.direction = 'in' AND (m.encrypted IS NULL OR instr(m.encrypted, '<payload>') > 0)`);
const RETURNED = sql.raw("peer, last_ts, last_body, unread, read_ts, peer_read_ts, pinned, muted, hidden, kind");

/** A conversations row as tabs see it: the read and list fields only when they are not the defaults. */
export function conversationOf(row: {
  peer: string;
  lastTs: number;
  lastBody: string;
  unread: number;
  readTs: number;
  peerReadTs: number;
  pinned: boolean;
  muted: boolean;
  hidden: boolean;
  kind?: string;
}): Conversation {
  const c: Conversation = { peer: row.peer, lastTs: row.lastTs, lastBody: row.lastBody, unread: row.unread };
  if (row.readTs > 0) c.readTs = row.readTs;
  if (row.peerReadTs > 0) c.peerReadTs = row.peerReadTs;
  if (row.pinned) c.pinned = true;
  if (row.muted) c.muted = true;
  if (row.hidden) c.hidden = true;
  if (row.kind === "room") c.kind = "room";
  return c;
}

function field(row: Record<string, unknown>, name: string): unknown {
  return row[name];
}

/** A raw RETURNING row (untyped: checked, never cast); null when it is not a conversations row. */
function rawConversation(row: unknown): Conversation | null {
  if (typeof row !== "object" || row === null) return null;
  const r = row as Record<string, unknown>;
  const num = (name: string): number | null => {
    const v = field(r, name);
    return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null;
  };
  const peer = field(r, "peer");
  const lastBody = field(r, "last_body");
  const lastTs = num("last_ts");
  const unread = num("unread");
  const readTs = num("read_ts");
  const peerReadTs = num("peer_read_ts");
  if (typeof peer !== "string" || typeof lastBody !== "string") return null;
  if (lastTs === null || unread === null || readTs === null || peerReadTs === null) return null;
  return conversationOf({
    peer,
    lastBody,
    lastTs,
    unread,
    readTs,
    peerReadTs,
    pinned: Boolean(num("pinned")),
    muted: Boolean(num("muted")),
    hidden: Boolean(num("hidden")),
    kind: typeof field(r, "kind") === "string" ? String(field(r, "kind")) : undefined,
  });
}

function rawConversations(rows: unknown[]): Conversation[] {
  return rows.flatMap((r) => rawConversation(r) ?? []);
}

/** The time of a stored message, by key. */
export async function messageTs(db: Db, owner: string, peer: string, key: string): Promise<number | undefined> {
  const [row] = await db
    .select({ ts: messages.ts })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer), eq(messages.key, key)))
    .limit(1);
  return row?.ts;
}

/** The time of a stored message of one direction, by its stanza id (what XEP-0333 markers refer to). */
export async function messageTsByStanzaId(
  db: Db,
  owner: string,
  peer: string,
  stanzaId: string,
  direction: "in" | "out",
): Promise<number | undefined> {
  const [row] = await db
    .select({ ts: messages.ts })
    .from(messages)
    .where(
      and(
        eq(messages.owner, owner),
        eq(messages.peer, peer),
        eq(messages.stanzaId, stanzaId),
        eq(messages.direction, direction),
      ),
    )
    .orderBy(desc(messages.ts))
    .limit(1);
  return row?.ts;
}

/** Stored messages by our server's archive id (XEP-0490 positions name them so); one query per call. */
export async function messagesByArchiveId(
  db: Db,
  owner: string,
  archiveIds: readonly string[],
): Promise<{ peer: string; archiveId: string; ts: number }[]> {
  if (archiveIds.length === 0) return [];
  const rows = await db
    .select({ peer: messages.peer, archiveId: messages.archiveId, ts: messages.ts })
    .from(messages)
    .where(
      and(
        eq(messages.owner, owner),
        sql`${messages.archiveId} IN (SELECT value FROM json_each(${JSON.stringify(archiveIds)}))`,
      ),
    );
  return rows.flatMap((r) => (r.archiveId === null ? [] : [{ peer: r.peer, archiveId: r.archiveId, ts: r.ts }]));
}

/**
 * Moves read positions forward (never back): to `ts`, or to the conversation's last message when `ts` is null,
 * and recounts those conversations' unread messages. One statement for any number of conversations; returns the
 * conversations that changed.
 */
export async function moveReadPositions(
  db: Db,
  owner: string,
  moves: readonly { peer: string; ts: number | null }[],
): Promise<Conversation[]> {
  if (moves.length === 0) return [];
  const json = JSON.stringify(moves.map((m) => [m.peer, m.ts]));
  const target = sql.raw("coalesce(src.t, conversations.last_ts)");
  const rows = await db.all(sql`UPDATE conversations SET
      read_ts = max(read_ts, ${target}),
      unread = (SELECT count(*) FROM messages m WHERE m.owner = conversations.owner AND m.peer = conversations.peer
        AND m.ts > max(conversations.read_ts, ${target}) AND ${COUNTS_AS_UNREAD})
    FROM (SELECT json_extract(value, '$[0]') AS p, json_extract(value, '$[1]') AS t FROM json_each(${json})) AS src
    WHERE conversations.owner = ${owner} AND conversations.peer = src.p
      AND (${target} > conversations.read_ts OR (src.t IS NULL AND conversations.unread > 0))
    RETURNING ${RETURNED}`);
  return rawConversations(rows);
}

/**
 * The contact displayed (XEP-0333) our message `stanzaId`: their read position moves forward to it. Only a
 * message of ours to that very peer counts; null when nothing changed (unknown id, or an older one).
 */
export async function movePeerReadPosition(
  db: Db,
  owner: string,
  peer: string,
  stanzaId: string,
): Promise<Conversation | null> {
  const rows = await db.all(sql`UPDATE conversations SET peer_read_ts = src.ts
    FROM (SELECT max(ts) AS ts FROM messages WHERE owner = ${owner} AND peer = ${peer} AND stanza_id = ${stanzaId}
          AND direction = 'out') AS src
    WHERE conversations.owner = ${owner} AND conversations.peer = ${peer} AND src.ts > conversations.peer_read_ts
    RETURNING ${RETURNED}`);
  return rawConversations(rows)[0] ?? null;
}

/**
 * Several conversations' contact read positions at once (XEP-0333 markers met in an archive page): each moves
 * forward to its `ts` only. One statement; returns the conversations that changed.
 */
export async function movePeerReadPositions(
  db: Db,
  owner: string,
  moves: readonly { peer: string; ts: number }[],
): Promise<Conversation[]> {
  if (moves.length === 0) return [];
  const json = JSON.stringify(moves.map((m) => [m.peer, m.ts]));
  const rows = await db.all(sql`UPDATE conversations SET peer_read_ts = src.t
    FROM (SELECT json_extract(value, '$[0]') AS p, max(json_extract(value, '$[1]')) AS t FROM json_each(${json})
          GROUP BY p) AS src
    WHERE conversations.owner = ${owner} AND conversations.peer = src.p AND src.t > conversations.peer_read_ts
    RETURNING ${RETURNED}`);
  return rawConversations(rows);
}

/** A message a XEP-0333 marker names: its peer, its stanza id attribute, and the direction it must have. */
export interface MarkerRef {
  peer: string;
  stanzaId: string;
  direction: "in" | "out";
}

/**
 * The newest stored message each (peer, direction) of `refs` names: where those markers put a read position.
 * One query (the messages_stanza index) for any number of markers; unknown ids are left out.
 */
export async function markedMessages(
  db: Db,
  owner: string,
  refs: readonly MarkerRef[],
): Promise<{ peer: string; direction: "in" | "out"; ts: number }[]> {
  if (refs.length === 0) return [];
  const json = JSON.stringify(refs.map((r) => [r.peer, r.stanzaId, r.direction]));
  const rows = await db.all(sql`SELECT m.peer AS peer, m.direction AS direction, max(m.ts) AS ts
    FROM (SELECT DISTINCT json_extract(value, '$[0]') AS p, json_extract(value, '$[1]') AS s,
            json_extract(value, '$[2]') AS d FROM json_each(${json})) AS r
    JOIN messages m ON m.owner = ${owner} AND m.peer = r.p AND m.stanza_id = r.s AND m.direction = r.d
    GROUP BY m.peer, m.direction`);
  return rows.flatMap((row) => {
    if (typeof row !== "object" || row === null) return [];
    const r = row as Record<string, unknown>;
    const peer = field(r, "peer");
    const direction = field(r, "direction");
    const ts = field(r, "ts");
    const t = typeof ts === "bigint" ? Number(ts) : ts;
    if (typeof peer !== "string" || typeof t !== "number") return [];
    if (direction !== "in" && direction !== "out") return [];
    return [{ peer, direction, ts: t }];
  });
}

export interface ReadCandidate {
  direction: "in" | "out";
  markable: boolean;
  stanzaId: string | null;
  archiveId: string | null;
  ts: number;
}

/** The newest `limit` messages at or before `ts`, newest first: what a read at `ts` marks and publishes. */
export async function messagesUpTo(
  db: Db,
  owner: string,
  peer: string,
  ts: number,
  limit: number,
): Promise<ReadCandidate[]> {
  return db
    .select({
      direction: messages.direction,
      markable: messages.markable,
      stanzaId: messages.stanzaId,
      archiveId: messages.archiveId,
      ts: messages.ts,
    })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer), lte(messages.ts, ts)))
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(limit);
}

export interface ConversationFlags {
  pinned?: boolean | undefined;
  muted?: boolean | undefined;
  hidden?: boolean | undefined;
}

/** Pins, mutes or hides a conversation (what is undefined stays); a conversation without messages is created. */
export async function setConversationFlags(
  db: Db,
  owner: string,
  peer: string,
  flags: ConversationFlags,
): Promise<Conversation | null> {
  const set: ConversationFlags = {};
  if (flags.pinned !== undefined) set.pinned = flags.pinned;
  if (flags.muted !== undefined) set.muted = flags.muted;
  if (flags.hidden !== undefined) set.hidden = flags.hidden;
  const where = and(eq(conversations.owner, owner), eq(conversations.peer, peer));
  const rows =
    Object.keys(set).length === 0
      ? await db.select().from(conversations).where(where)
      : await db
          .insert(conversations)
          .values({ owner, peer, lastTs: 0, lastBody: "", unread: 0, ...set })
          .onConflictDoUpdate({ target: [conversations.owner, conversations.peer], set })
          .returning();
  const [row] = rows;
  return row ? conversationOf(row) : null;
}
