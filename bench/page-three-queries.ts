// For the benchmark only: src/db/history.ts historyPage() as it was before one-query pages (main at e699833:
// the page with receipts and reply keys, the text of reply targets outside the page, then the actions: up to 3
// queries), kept here so bench/page-cases.ts measures it side by side with the current one.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../src/db/client.ts";
import { messageActions, messages } from "../src/db/schema.ts";
import { encryptedView } from "../src/db/history.ts";
import type { ChatMessage, HistoryCursor, Reaction } from "../src/protocol/index.ts";

interface HistoryPage {
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
      // Written out: inside a correlated subquery, drizzle's unqualified column names would bind to the inner table.
      received: sql<number>`CASE WHEN messages.direction = 'out' AND messages.stanza_id IS NOT NULL THEN
        EXISTS (SELECT 1 FROM receipts r WHERE r.owner = messages.owner AND r.peer = messages.peer
          AND r.stanza_id = messages.stanza_id) ELSE 0 END`.mapWith(Number),
      // The replied message (XEP-0461), by its id attribute in the same conversation: one index seek
      // (messages_stanza) per row, inside this one query.
      replyKey: sql<string | null>`(SELECT t.key FROM messages t WHERE t.owner = messages.owner
        AND t.peer = messages.peer AND t.stanza_id = messages.reply_to LIMIT 1)`,
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

/** The actions on the messages with these ids (the page's and its reply targets'): the second query. */
async function actionsOn(db: Db, owner: string, peer: string, ids: readonly string[]): Promise<ActionRow[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      target: messageActions.target,
      kind: messageActions.kind,
      actor: messageActions.actor,
      direction: messageActions.direction,
      body: messageActions.body,
      encrypted: messageActions.encrypted,
      ts: messageActions.ts,
    })
    .from(messageActions)
    .where(
      and(
        eq(messageActions.owner, owner),
        eq(messageActions.peer, peer),
        inArray(messageActions.target, sql`(SELECT value FROM json_each(${JSON.stringify([...new Set(ids)])}))`),
      ),
    );
}

function emojisOf(body: string): string[] {
  try {
    const value: unknown = JSON.parse(body);
    return Array.isArray(value) ? value.filter((e): e is string => typeof e === "string") : [];
  } catch {
    return [];
  }
}

function parseRange(text: string | null): ChatMessage["fallback"] {
  const m = text === null ? null : /^(\d+):(\d+)$/u.exec(text);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

/** What the actions on one message amount to: the latest correction, a retraction, the reactions. */
interface Applied {
  edit?: ActionRow;
  retracted: boolean;
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
        for (const emoji of emojisOf(row.body)) {
          const from = byEmoji.get(emoji);
          if (from) from.push(row.actor);
          else byEmoji.set(emoji, [row.actor]);
        }
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

/** Turns rows (and their actions) into messages as tabs see them. */
async function assemble(db: Db, owner: string, rows: readonly Row[]): Promise<ChatMessage[]> {
  const first = rows[0];
  if (!first) return [];
  const peer = first.peer;
  const ids: string[] = [];
  for (const r of rows) {
    if (r.stanzaId) ids.push(r.stanzaId);
    if (r.replyTo) ids.push(r.replyTo);
  }
  const actions = applyActions(await actionsOn(db, owner, peer, ids));
  // Reply targets that are in the page are described from the page; others need their row: they come with
  // the page query as a key only, so look them up in the page first, else describe them by key alone.
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return rows.map((r) => {
    const message: ChatMessage = {
      key: r.key,
      peer: r.peer,
      direction: r.direction,
      body: r.body,
      ts: r.ts,
      receipt: r.direction === "out" ? (r.received ? "received" : "sent") : null,
    };
    const applied = r.stanzaId ? actions(r.stanzaId, r.direction) : { retracted: false, reactions: [] };
    if (applied.retracted) {
      message.body = "";
      message.retracted = true;
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
    if (r.replyTo) message.replyTo = replyView(r, byKey, actions);
    return message;
  });
}

function replyView(
  r: Row,
  byKey: ReadonlyMap<string, Row>,
  actions: (id: string, direction: "in" | "out") => Applied,
): NonNullable<ChatMessage["replyTo"]> {
  const t = r.replyKey === null ? undefined : byKey.get(r.replyKey);
  if (!t) return { key: r.replyKey, direction: null, body: "" };
  const applied = actions(r.replyTo ?? "", t.direction);
  if (applied.retracted) return { key: t.key, direction: t.direction, body: "" };
  const editBody = applied.edit && applied.edit.encrypted === null ? applied.edit.body : null;
  return { key: t.key, direction: t.direction, body: t.encrypted === null ? (editBody ?? t.body).slice(0, 200) : "" };
}

/**
 * A page of history, newest first in the query, returned oldest first: keyset pagination on (ts, key), with
 * related rows (see the file comment). Reply targets outside the page are fetched with the page's actions query
 * by their ids; their text comes in a bounded third query only when some are outside the page.
 */
export async function threeQueryHistoryPage(
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
  return { hasMore, messages: await withOutsideTargets(db, owner, page) };
}

/**
 * Assembles rows whose reply targets may lie outside them: those targets' rows come in one more query (the
 * third, and only when needed), so the preview has their text.
 */
async function withOutsideTargets(db: Db, owner: string, rows: readonly Row[]): Promise<ChatMessage[]> {
  const first = rows[0];
  if (!first) return [];
  const inRows = new Set(rows.map((r) => r.key));
  const outside = [
    ...new Set(rows.flatMap((r) => (r.replyKey !== null && !inRows.has(r.replyKey) ? [r.replyKey] : []))),
  ];
  if (outside.length === 0) return assemble(db, owner, rows);
  const extra = await rowQuery(db).where(
    and(
      eq(messages.owner, owner),
      eq(messages.peer, first.peer),
      inArray(messages.key, sql`(SELECT value FROM json_each(${JSON.stringify(outside)}))`),
    ),
  );
  const all = await assemble(db, owner, [...rows, ...extra]);
  return all.slice(0, rows.length);
}
