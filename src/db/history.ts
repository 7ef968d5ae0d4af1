// Reading messages with everything related to them (issue #7 §7): a page of messages comes with its receipts,
// its reply targets (their text, corrections and retraction) and the corrections, retractions and reactions of
// its messages in ONE query: correlated subqueries on indexes, the actions aggregated as JSON per row. One round
// trip per page, whatever its size, never one per message: on D1 a round trip costs more than the page's
// SQLite work (bench/page-cases.ts). Identical on D1 and libSQL.
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "./client.ts";
import { messages } from "./schema.ts";
import { inspectEncrypted } from "../xmpp/omemo.ts";
import { parseXml } from "../xmpp/parse.ts";
import type { ChatMessage, HistoryCursor, Reaction } from "../protocol/index.ts";

/** What tabs get of a stored OMEMO element (it was checked when it arrived). */
export function encryptedView(text: string): ChatMessage["encrypted"] {
  try {
    const info = inspectEncrypted(parseXml(text));
    return info ? { namespace: info.namespace, xml: info.xml, hasPayload: info.hasPayload } : undefined;
  } catch {
    return undefined;
  }
}

export interface HistoryPage {
  messages: ChatMessage[];
  hasMore: boolean;
}

/** One message row with its receipt and its reply target, as the page query selects them. */
function rowQuery(db: Db) {
  return db
    .select({
      key: messages.key,
      peer: messages.peer,
      stanzaId: messages.stanzaId,
      direction: messages.direction,
      body: messages.body,
      ts: messages.ts,
      encrypted: messages.encrypted,
      replyTo: messages.replyTo,
      fallback: messages.fallback,
      senderNick: messages.senderNick,
      senderOccupantId: messages.senderOccupantId,
      senderJid: messages.senderJid,
      // Written out: inside a correlated subquery, drizzle's unqualified column names would bind to the inner table.
      received: sql<number>`CASE WHEN messages.direction = 'out' AND messages.stanza_id IS NOT NULL THEN
        EXISTS (SELECT 1 FROM receipts r WHERE r.owner = messages.owner AND r.peer = messages.peer
          AND r.stanza_id = messages.stanza_id) ELSE 0 END`.mapWith(Number),
      // The replied message (XEP-0461), by its id attribute in the same conversation: one index seek
      // (messages_stanza) per row, inside this one query.
      // Its actions (message_actions primary key seek), as a JSON array of ActionRow tuples.
      actions: sql<string | null>`CASE WHEN messages.stanza_id IS NOT NULL THEN (SELECT ${actionsOf("messages")}
        FROM message_actions a WHERE a.owner = messages.owner AND a.peer = messages.peer
          AND a.target = messages.stanza_id) END`,
      // The replied message (XEP-0461), by its id attribute in the same conversation (one messages_stanza seek),
      // with the sender's corrections and retraction of it: JSON [key, direction, body, encrypted, actions,
      // fallback] (the fallback: the quote inside an encrypted target's own text, when it is a reply itself).
      reply: sql<string | null>`CASE WHEN messages.reply_to IS NOT NULL THEN (SELECT json_array(t.key, t.direction,
          t.body, t.encrypted IS NOT NULL, json((SELECT ${actionsOf("t")} FROM message_actions a WHERE a.owner = t.owner
            AND a.peer = t.peer AND a.target = t.stanza_id AND a.kind != 'react')), t.fallback)
        FROM messages t WHERE t.owner = messages.owner AND t.peer = messages.peer
          AND t.stanza_id = messages.reply_to LIMIT 1) END`,
    })
    .from(messages);
}

type Row = Awaited<ReturnType<ReturnType<typeof rowQuery>["where"]>>[number];

interface ActionRow {
  target: string;
  kind: "edit" | "retract" | "react";
  actor: string;
  direction: "in" | "out";
  body: string;
  encrypted: string | null;
  ts: number;
}

/** The JSON array of the actions `a` (an alias in the enclosing query) on a message of table alias `t`. */
function actionsOf(t: "messages" | "t") {
  return sql.raw(
    `json_group_array(json_array(${t}.stanza_id, a.kind, a.actor, a.direction, a.body, a.encrypted, a.ts))`,
  );
}

const actionTuple = z
  .tuple([
    z.string(),
    z.enum(["edit", "retract", "react"]),
    z.string(),
    z.enum(["in", "out"]),
    z.string(),
    z.string().nullable(),
    z.number(),
  ])
  .transform(([target, kind, actor, direction, body, encrypted, ts]): ActionRow => ({
    target,
    kind,
    actor,
    direction,
    body,
    encrypted,
    ts,
  }));
const actionList = z.array(actionTuple);
const replyTuple = z.tuple([
  z.string(),
  z.enum(["in", "out"]),
  z.string(),
  z.number(),
  actionList,
  z.string().nullable(),
]);

/** A JSON column of the page query; a value that does not parse counts as absent (it is our own SQL's output). */
function parseJson<T>(schema: z.ZodType<T>, text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A reaction row's body: a JSON array of emoji (one-to-one), or in a room {"emojis": [...], "name": nick} (the
 * row's actor is then the occupant id, issue #8: the tabs are shown the nickname).
 */
function reactionOf(body: string): { emojis: string[]; name: string | undefined } {
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((e): e is string => typeof e === "string") : [];
  try {
    const value: unknown = JSON.parse(body);
    if (Array.isArray(value)) return { emojis: strings(value), name: undefined };
    if (typeof value !== "object" || value === null) return { emojis: [], name: undefined };
    const name = "name" in value && typeof value.name === "string" ? value.name : undefined;
    return { emojis: strings("emojis" in value ? value.emojis : []), name };
  } catch {
    return { emojis: [], name: undefined };
  }
}

/** The actor of a moderator's retraction in a room (XEP-0425): its body is JSON {by?, reason?}. */
export const MODERATOR_ACTOR = "moderator";

function moderationOf(body: string): NonNullable<ChatMessage["moderated"]> {
  const out: NonNullable<ChatMessage["moderated"]> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== "object" || value === null) return out;
    if ("by" in value && typeof value.by === "string") out.by = value.by;
    if ("reason" in value && typeof value.reason === "string") out.reason = value.reason;
  } catch {
    // our own JSON; nothing more to say than "moderated"
  }
  return out;
}

function parseRange(text: string | null): ChatMessage["fallback"] {
  const m = text === null ? null : /^(\d+):(\d+)$/u.exec(text);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

/** What the actions on one message amount to: the latest correction, a retraction, the reactions. */
interface Applied {
  edit?: ActionRow;
  retracted: boolean;
  /** Retracted by a room's moderator (XEP-0425), not by its sender. */
  moderated?: NonNullable<ChatMessage["moderated"]>;
  reactions: Reaction[];
}

/**
 * Groups actions by target. A correction or retraction counts only from the message's own sender (same
 * direction in a 1:1 chat: XEP-0308 §5, XEP-0424 §5); reactions from either side.
 */
function applyActions(rows: readonly ActionRow[]): (id: string, direction: "in" | "out") => Applied {
  const byTarget = new Map<string, ActionRow[]>();
  for (const row of rows) {
    const list = byTarget.get(row.target);
    if (list) list.push(row);
    else byTarget.set(row.target, [row]);
  }
  return (id, direction) => {
    const applied: Applied = { retracted: false, reactions: [] };
    const byEmoji = new Map<string, string[]>();
    for (const row of byTarget.get(id) ?? []) {
      if (row.kind === "react") {
        const { emojis, name } = reactionOf(row.body);
        for (const emoji of emojis) {
          const from = byEmoji.get(emoji);
          if (from) from.push(name ?? row.actor);
          else byEmoji.set(emoji, [name ?? row.actor]);
        }
      } else if (row.kind === "retract" && row.actor === MODERATOR_ACTOR) {
        // A room's moderator retracts anyone's message (the room checked the role; only the room says so).
        applied.retracted = true;
        applied.moderated = moderationOf(row.body);
      } else if (row.direction !== direction) {
        continue;
      } else if (row.kind === "retract") {
        applied.retracted = true;
      } else if (!applied.edit || row.ts > applied.edit.ts) {
        applied.edit = row;
      }
    }
    applied.reactions = [...byEmoji].map(([emoji, from]) => ({ emoji, from: from.toSorted() }));
    return applied;
  };
}

/** A row's reply target as the page query describes it. */
interface ReplyTarget {
  key: string;
  direction: "in" | "out";
  body: string;
  encrypted: boolean;
  actions: ActionRow[];
  fallback: string | null;
}

function replyOf(r: Row): ReplyTarget | undefined {
  const t = parseJson(replyTuple, r.reply);
  return t && { key: t[0], direction: t[1], body: t[2], encrypted: t[3] !== 0, actions: t[4], fallback: t[5] };
}

/** Turns rows (each with its actions and reply target) into messages as tabs see them. */
function assemble(rows: readonly Row[]): ChatMessage[] {
  const replies = new Map(rows.map((r) => [r.key, replyOf(r)]));
  // A message's actions come with it, and again with each reply to it: one copy of each.
  const unique = new Map<string, ActionRow>();
  const add = (list: readonly ActionRow[]) => {
    for (const a of list) unique.set(JSON.stringify([a.target, a.kind, a.actor]), a);
  };
  for (const r of rows) add(parseJson(actionList, r.actions) ?? []);
  for (const t of replies.values()) add(t?.actions ?? []);
  const actions = applyActions([...unique.values()]);
  return rows.map((r) => {
    const message: ChatMessage = {
      key: r.key,
      peer: r.peer,
      direction: r.direction,
      body: r.body,
      ts: r.ts,
      receipt: r.direction === "out" ? (r.received ? "received" : "sent") : null,
    };
    if (r.senderNick !== null) {
      const from: NonNullable<ChatMessage["from"]> = { nick: r.senderNick };
      if (r.senderOccupantId !== null) from.occupantId = r.senderOccupantId;
      if (r.senderJid !== null) from.jid = r.senderJid;
      message.from = from;
    }
    const applied = r.stanzaId ? actions(r.stanzaId, r.direction) : { retracted: false, reactions: [] };
    if (applied.retracted) {
      message.body = "";
      message.retracted = true;
      if (applied.moderated) message.moderated = applied.moderated;
      return message;
    }
    const encrypted = r.encrypted === null ? undefined : encryptedView(r.encrypted);
    if (encrypted) message.encrypted = encrypted;
    const fallback = parseRange(r.fallback);
    if (fallback && encrypted) message.fallback = fallback;
    if (applied.edit) {
      const e = applied.edit;
      const edit: NonNullable<ChatMessage["edit"]> = { key: e.actor, body: e.body, ts: e.ts };
      const enc = e.encrypted === null ? undefined : encryptedView(e.encrypted);
      if (enc) edit.encrypted = enc;
      message.edit = edit;
      if (!enc) message.body = e.body;
    }
    if (applied.reactions.length > 0) message.reactions = applied.reactions;
    if (r.replyTo) message.replyTo = replyView(r.replyTo, replies.get(r.key), actions);
    return message;
  });
}

function replyView(
  id: string,
  t: ReplyTarget | undefined,
  actions: (id: string, direction: "in" | "out") => Applied,
): NonNullable<ChatMessage["replyTo"]> {
  if (!t) return { key: null, direction: null, body: "" };
  const applied = actions(id, t.direction);
  if (applied.retracted) return { key: t.key, direction: t.direction, body: "", retracted: true };
  const editBody = applied.edit && applied.edit.encrypted === null ? applied.edit.body : null;
  const view: NonNullable<ChatMessage["replyTo"]> = {
    key: t.key,
    direction: t.direction,
    body: t.encrypted ? "" : (editBody ?? t.body).slice(0, 200),
  };
  // An encrypted target that is a reply itself: the tab removes its quote from the decrypted text it shows.
  const fallback = t.encrypted && !applied.edit ? parseRange(t.fallback) : undefined;
  if (fallback) view.fallback = fallback;
  return view;
}

/**
 * A page of history, newest first in the query, returned oldest first: keyset pagination on (ts, key), with
 * related rows (see the file comment): one query.
 */
export async function historyPage(
  db: Db,
  owner: string,
  peer: string,
  before: HistoryCursor | null,
  limit: number,
): Promise<HistoryPage> {
  const where = and(
    eq(messages.owner, owner),
    eq(messages.peer, peer),
    // A row value, so SQLite seeks the messages_page index range straight to the cursor (the equivalent
    // `ts < ? OR (ts = ? AND key < ?)` walks the index from the newest message down: 13x slower at 100k deep).
    before ? sql`(${messages.ts}, ${messages.key}) < (${before.ts}, ${before.key})` : undefined,
  );
  const rows = await rowQuery(db)
    .where(where)
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).toReversed();
  return { hasMore, messages: assemble(page) };
}

/** The key's message as a row-value cursor (a subquery: no extra round trip). */
function at(owner: string, peer: string, key: string) {
  return sql`(SELECT ts, key FROM messages WHERE owner = ${owner} AND peer = ${peer} AND key = ${key})`;
}

export interface WindowPage extends HistoryPage {
  hasNewer: boolean;
}

/**
 * The page around the message `key` (a search result, a reply's target): up to `each` older messages, the message
 * and up to `each` - 1 newer ones, oldest first, with their related rows. Null when the message is not stored.
 */
export async function historyAround(
  db: Db,
  owner: string,
  peer: string,
  key: string,
  each: number,
): Promise<WindowPage | null> {
  const conversation = and(eq(messages.owner, owner), eq(messages.peer, peer));
  const older = await rowQuery(db)
    .where(and(conversation, sql`(${messages.ts}, ${messages.key}) < ${at(owner, peer, key)}`))
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(each + 1);
  const newer = await rowQuery(db)
    .where(and(conversation, sql`(${messages.ts}, ${messages.key}) >= ${at(owner, peer, key)}`))
    .orderBy(asc(messages.ts), asc(messages.key))
    .limit(each + 1);
  if (newer[0]?.key !== key) return null;
  const rows = [...older.slice(0, each).toReversed(), ...newer.slice(0, each)];
  return {
    messages: assemble(rows),
    hasMore: older.length > each,
    hasNewer: newer.length > each,
  };
}

/** The page of `limit` messages after `after` (newer), oldest first, with their related rows. */
export async function historyAfter(
  db: Db,
  owner: string,
  peer: string,
  after: HistoryCursor,
  limit: number,
): Promise<WindowPage> {
  const rows = await rowQuery(db)
    .where(
      and(
        eq(messages.owner, owner),
        eq(messages.peer, peer),
        sql`(${messages.ts}, ${messages.key}) > (${after.ts}, ${after.key})`,
      ),
    )
    .orderBy(asc(messages.ts), asc(messages.key))
    .limit(limit + 1);
  return {
    messages: assemble(rows.slice(0, limit)),
    hasMore: true,
    hasNewer: rows.length > limit,
  };
}

/** Messages of a conversation by their id attributes (the targets of a new action), assembled like a page. */
export async function messagesByStanzaIds(
  db: Db,
  owner: string,
  peer: string,
  ids: readonly string[],
): Promise<ChatMessage[]> {
  if (ids.length === 0) return [];
  const rows = await rowQuery(db).where(
    and(
      eq(messages.owner, owner),
      eq(messages.peer, peer),
      inArray(messages.stanzaId, sql`(SELECT value FROM json_each(${JSON.stringify([...new Set(ids)])}))`),
    ),
  );
  return assemble(rows);
}

/** What an action a tab asks for needs to know about its target: its id attribute, sender, and whether it is encrypted. */
export interface MessageRef {
  key: string;
  stanzaId: string | null;
  direction: "in" | "out";
  encrypted: boolean;
  ts: number;
  /** A group chat message's own id as its sender gave it, and its sender (issue #8). */
  originId?: string | null;
  nick?: string | null;
}

export async function messageRef(db: Db, owner: string, peer: string, key: string): Promise<MessageRef | null> {
  const [row] = await db
    .select({
      key: messages.key,
      stanzaId: messages.stanzaId,
      direction: messages.direction,
      encrypted: sql<number>`${messages.encrypted} IS NOT NULL`.mapWith(Number),
      ts: messages.ts,
      originId: messages.originId,
      nick: messages.senderNick,
    })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer), eq(messages.key, key)))
    .limit(1);
  return row ? { ...row, encrypted: row.encrypted === 1 } : null;
}

/** Most keys latestKeys returns (a conversation has a handful of messages within a second of its latest). */
const MAX_LATEST_KEYS = 5_000;

/**
 * The keys of each conversation's newest stored messages: those within a second of its latest one. After a
 * restart the object knows them again, so that an archive catch-up bringing them a second time does not take them
 * for new messages (whose whole-second stamps it would order after the latest; src/durable/features/chat.ts).
 */
export async function latestKeys(db: Db, owner: string): Promise<string[]> {
  const rows = await db.all(sql`SELECT m.key AS key FROM conversations c
    JOIN messages m ON m.owner = c.owner AND m.peer = c.peer AND m.ts > c.last_ts - 1000
    WHERE c.owner = ${owner}
    LIMIT ${MAX_LATEST_KEYS}`);
  return rows.flatMap((r) =>
    typeof r === "object" && r !== null && "key" in r && typeof r.key === "string" ? [r.key] : [],
  );
}
