// Queries over the drizzle schema, identical on D1 and libSQL. Writes go in bulk: a JSON array bound as ONE
// parameter and expanded by SQLite's json_each, so a flush of thousands of rows is a handful of statements and
// never comes near D1's limit of 100 bound parameters per statement.
import { and, asc, desc, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client.ts";
import { conversations, messages, presences } from "./schema.ts";
import { SHOWS, type ChatMessage, type Conversation, type PresenceDelta, type Show } from "../protocol/index.ts";
import { conversationOf } from "./read-state.ts";
import { roomStatements, type StoredRoom } from "./rooms.ts";

function toShow(value: string): Show {
  return SHOWS.find((s) => s === value) ?? "online";
}

/** Rows per statement. Keeps one bound JSON value well under D1's 2 MB value and 100 KB statement limits. */
export const ROWS_PER_STATEMENT = 500;

export interface StoredMessage extends ChatMessage {
  stanzaId: string | null;
  archiveId: string | null;
  /** XEP-0461 target id (the replied message's id attribute). */
  replyToId?: string | null;
  markable?: boolean;
  /** A group chat message's own id as its sender gave it (schema.ts messages.origin_id). */
  originId?: string | null;
}

/**
 * A row of message_actions (see schema.ts): a correction, a retraction, or one sender's set of reactions
 * (`body` = JSON array of emoji), to the message whose id attribute is `target`.
 */
export interface StoredAction {
  peer: string;
  target: string;
  kind: "edit" | "retract" | "react";
  actor: string;
  direction: "in" | "out";
  body: string;
  encrypted: string | null;
  ts: number;
}

export interface ConversationDelta {
  peer: string;
  lastTs: number;
  lastBody: string;
  unreadDelta: number;
  /** A room's conversation (issue #8); a new row is made with this kind. */
  kind?: "chat" | "room";
}

export interface FlushInput {
  owner: string;
  presences: PresenceDelta[];
  messages: StoredMessage[];
  conversations: ConversationDelta[];
  receipts: { peer: string; stanzaId: string; ts: number }[];
  actions?: StoredAction[];
  /** Hidden conversations a new message showed again (issue #7 §4). */
  unhide?: string[];
  /** Rooms whose stored state changed (issue #8). */
  rooms?: StoredRoom[];
}

/** One text column of raw rows (raw SQL results are untyped: check, never cast). */
function textColumn(rows: unknown[], name: string): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (typeof row !== "object" || row === null) continue;
    const value: unknown = (row as Record<string, unknown>)[name];
    if (typeof value === "string") out.push(value);
  }
  return out;
}

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Builds the statements of one flush (exported so tests and benchmarks can count them). */
export function flushStatements(input: FlushInput, now: number): SQL[] {
  const { owner } = input;
  const stmts: SQL[] = [];
  // Last write per (jid, resource) wins inside one flush.
  const latest = new Map<string, PresenceDelta>();
  for (const p of input.presences) latest.set(`${p.jid}\u0000${p.resource}`, p);
  const available = [...latest.values()].filter((p) => p.available);
  const gone = [...latest.values()].filter((p) => !p.available);
  for (const part of chunks(available)) {
    const json = JSON.stringify(part.map((p) => [p.jid, p.resource, p.show, p.status, p.priority]));
    stmts.push(sql`INSERT INTO presences (owner, jid, resource, show, status, priority, updated_at)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), ${now}
      FROM json_each(${json}) WHERE true
      ON CONFLICT (owner, jid, resource) DO UPDATE SET show = excluded.show, status = excluded.status,
        priority = excluded.priority, updated_at = excluded.updated_at`);
  }
  for (const part of chunks(gone)) {
    const json = JSON.stringify(part.map((p) => [p.jid, p.resource]));
    stmts.push(sql`DELETE FROM presences WHERE owner = ${owner} AND (jid, resource) IN
      (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${json}))`);
  }
  for (const part of chunks(input.messages)) {
    const json = JSON.stringify(
      part.map((m) => [
        m.peer,
        m.key,
        m.stanzaId,
        m.archiveId,
        m.direction,
        m.body,
        m.ts,
        m.encrypted?.xml ?? null,
        m.replyToId ?? null,
        m.fallback ? `${m.fallback.start}:${m.fallback.end}` : null,
        m.markable ? 1 : 0,
        m.from?.nick ?? null,
        m.from?.occupantId ?? null,
        m.from?.jid ?? null,
        m.originId ?? null,
      ]),
    );
    stmts.push(sql`INSERT INTO messages (owner, peer, key, stanza_id, archive_id, direction, body, ts, encrypted,
        reply_to, fallback, markable, sender_nick, sender_occupant_id, sender_jid, origin_id)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
             json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'),
             json_extract(value, '$[9]'), json_extract(value, '$[10]'), json_extract(value, '$[11]'),
             json_extract(value, '$[12]'), json_extract(value, '$[13]'), json_extract(value, '$[14]')
      FROM json_each(${json}) WHERE true
      ON CONFLICT (owner, peer, key) DO NOTHING`);
  }
  stmts.push(...actionStatements(owner, input.actions ?? []));
  for (const part of chunks(input.receipts)) {
    const json = JSON.stringify(part.map((r) => [r.peer, r.stanzaId, r.ts]));
    stmts.push(sql`INSERT INTO receipts (owner, peer, stanza_id, ts)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
      FROM json_each(${json}) WHERE true
      ON CONFLICT (owner, peer, stanza_id) DO NOTHING`);
  }
  for (const part of chunks(input.conversations)) {
    const json = JSON.stringify(part.map((c) => [c.peer, c.lastTs, c.lastBody, c.unreadDelta, c.kind ?? "chat"]));
    stmts.push(sql`INSERT INTO conversations (owner, peer, last_ts, last_body, unread, kind)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
             json_extract(value, '$[3]'), json_extract(value, '$[4]')
      FROM json_each(${json}) WHERE true
      ON CONFLICT (owner, peer) DO UPDATE SET
        last_body = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last_body ELSE last_body END,
        last_ts = max(last_ts, excluded.last_ts),
        unread = unread + excluded.unread`);
  }
  stmts.push(...roomStatements(owner, input.rooms ?? [], now));
  for (const part of chunks(input.unhide ?? [])) {
    stmts.push(sql`UPDATE conversations SET hidden = 0 WHERE owner = ${owner} AND hidden = 1
      AND peer IN (SELECT value FROM json_each(${JSON.stringify(part)}))`);
  }
  return stmts;
}

/**
 * Message actions: the newest set per (target, kind, actor) wins (an archive replay of an older one changes
 * nothing). After them, the target's stored text follows: a clear correction by the sender becomes its body (so
 * full-text search finds the current text) and a retraction by the sender wipes its text and corrections.
 */
function actionStatements(owner: string, actions: readonly StoredAction[]): SQL[] {
  const stmts: SQL[] = [];
  for (const part of chunks(actions)) {
    const json = JSON.stringify(
      part.map((a) => [a.peer, a.target, a.kind, a.actor, a.direction, a.body, a.encrypted, a.ts]),
    );
    stmts.push(sql`INSERT INTO message_actions (owner, peer, target, kind, actor, direction, body, encrypted, ts)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
             json_extract(value, '$[6]'), json_extract(value, '$[7]')
      FROM json_each(${json}) WHERE true
      ON CONFLICT (owner, peer, target, kind, actor) DO UPDATE SET body = excluded.body,
        encrypted = excluded.encrypted, ts = excluded.ts WHERE excluded.ts >= message_actions.ts`);
  }
  const edits = actions.filter((a) => a.kind === "edit" && a.encrypted === null);
  for (const part of chunks(edits)) {
    const json = JSON.stringify(part.map((a) => [a.peer, a.target, a.direction]));
    stmts.push(sql`UPDATE messages SET body = (
        SELECT a.body FROM message_actions a WHERE a.owner = messages.owner AND a.peer = messages.peer
          AND a.target = messages.stanza_id AND a.kind = 'edit' AND a.direction = messages.direction
        ORDER BY a.ts DESC LIMIT 1)
      WHERE owner = ${owner} AND encrypted IS NULL AND (peer, stanza_id, direction) IN
        (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
         FROM json_each(${json}))`);
  }
  const retractions = actions.filter((a) => a.kind === "retract");
  for (const part of chunks(retractions)) {
    const json = JSON.stringify(part.map((a) => [a.peer, a.target, a.direction]));
    const targets = sql`(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
         FROM json_each(${json}))`;
    // The ciphertext stays (the FTS triggers key on it, and it is useless without the browsers' keys); tabs get
    // neither it nor the text of a retracted message, and drop their plaintext of it.
    stmts.push(sql`UPDATE messages SET body = ''
      WHERE owner = ${owner} AND (peer, stanza_id, direction) IN ${targets}`);
    stmts.push(sql`DELETE FROM message_actions WHERE owner = ${owner} AND kind = 'edit'
      AND (peer, target, direction) IN ${targets}`);
  }
  return stmts;
}

const dialect = new SQLiteAsyncDialect();

interface D1Like {
  prepare(sql: string): { bind(...values: unknown[]): unknown };
  batch(statements: unknown[]): Promise<unknown>;
}
interface LibsqlLike {
  execute(q: unknown): Promise<unknown>;
  batch(statements: { sql: string; args: unknown[] }[], mode: "write"): Promise<unknown>;
}

function isD1(client: unknown): client is D1Like {
  return typeof client === "object" && client !== null && "prepare" in client && "batch" in client;
}
function isLibsql(client: unknown): client is LibsqlLike {
  return typeof client === "object" && client !== null && "execute" in client && "batch" in client;
}

/**
 * Runs statements as one batch: one round trip, one implicit transaction, on D1 and on libSQL alike.
 * (drizzle's own batch() cannot take raw statements with parameters on D1, so this goes to the client.)
 */
export async function runBatch(db: Db, stmts: SQL[]): Promise<void> {
  if (stmts.length === 0) return;
  const queries = stmts.map((s) => dialect.sqlToQuery(s));
  const client = db.$client;
  if (isD1(client)) {
    await client.batch(queries.map((q) => client.prepare(q.sql).bind(...q.params)));
  } else if (isLibsql(client)) {
    await client.batch(
      queries.map((q) => ({ sql: q.sql, args: q.params })),
      "write",
    );
  } else {
    for (const s of stmts) await db.run(s);
  }
}

export async function flush(db: Db, input: FlushInput, now = Date.now()): Promise<number> {
  const stmts = flushStatements(input, now);
  await runBatch(db, stmts);
  return stmts.length;
}

export { historyPage, type HistoryPage } from "./history.ts";

/** Which of these keys are stored already (archive catch-up dedupe); one query per 500 keys. */
export async function existingKeys(db: Db, owner: string, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(keys)) {
    const rows = await db.all(
      sql`SELECT key FROM messages WHERE owner = ${owner} AND key IN (SELECT value FROM json_each(${JSON.stringify(part)}))`,
    );
    for (const key of textColumn(rows, "key")) found.add(key);
  }
  return found;
}

/**
 * The oldest stored message time for a peer and the oldest archive id: where a history fetch from the server's
 * archive starts (two single-row index reads).
 */
export async function oldestMessage(
  db: Db,
  owner: string,
  peer: string,
): Promise<{ ts: number; archiveId: string | undefined } | undefined> {
  const [first] = await db
    .select({ ts: messages.ts })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer)))
    .orderBy(asc(messages.ts), asc(messages.key))
    .limit(1);
  if (!first) return undefined;
  const [archived] = await db
    .select({ archiveId: messages.archiveId })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer), isNotNull(messages.archiveId)))
    .orderBy(asc(messages.ts))
    .limit(1);
  return { ts: first.ts, archiveId: archived?.archiveId ?? undefined };
}

/**
 * The owner's conversations, most recent first: the first `limit`, or those after `before` in that order
 * (keyset on (lastTs, peer), served by conversations_recent).
 */
export async function listConversations(
  db: Db,
  owner: string,
  limit: number,
  before?: { lastTs: number; peer: string },
): Promise<Conversation[]> {
  const where = before
    ? and(
        eq(conversations.owner, owner),
        sql`(${conversations.lastTs} < ${before.lastTs} OR (${conversations.lastTs} = ${before.lastTs} AND ${conversations.peer} > ${before.peer}))`,
      )
    : eq(conversations.owner, owner);
  const rows = await db
    .select()
    .from(conversations)
    .where(where)
    .orderBy(desc(conversations.lastTs), asc(conversations.peer))
    .limit(limit);
  return rows.map(conversationOf);
}

export async function loadPresences(db: Db, owner: string): Promise<PresenceDelta[]> {
  const rows = await db.select().from(presences).where(eq(presences.owner, owner)).orderBy(asc(presences.jid));
  return rows.map((r) => ({
    jid: r.jid,
    resource: r.resource,
    available: true,
    show: toShow(r.show),
    status: r.status,
    priority: r.priority,
  }));
}

export async function clearPresences(db: Db, owner: string): Promise<void> {
  await db.delete(presences).where(eq(presences.owner, owner));
}

/** "Also delete my history on this deployment" (issue #6 §12): every row the account left in D1. */
export async function deleteHistoryOf(db: Db, owner: string): Promise<void> {
  await runBatch(db, [
    sql`DELETE FROM messages WHERE owner = ${owner}`,
    sql`DELETE FROM receipts WHERE owner = ${owner}`,
    sql`DELETE FROM message_actions WHERE owner = ${owner}`,
    sql`DELETE FROM conversations WHERE owner = ${owner}`,
    sql`DELETE FROM presences WHERE owner = ${owner}`,
    sql`DELETE FROM rooms WHERE owner = ${owner}`,
    sql`DELETE FROM room_reads WHERE owner = ${owner}`,
    sql`DELETE FROM room_participants WHERE owner = ${owner}`,
  ]);
}
