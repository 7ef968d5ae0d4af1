// History page benchmark cases (issue #7 §7: "history page with related rows at 1,000,000 stored messages (p50,
// queries/page) vs one query per message"), shared by the libSQL runner (Node) and the D1 runner (a module worker
// in workerd): the same data, the same code, the same SQL on both backends.
//
// Ways to read one page of 50 messages, timed side by side:
//   - ours:    src/db/history.ts historyPage(): the page with receipts and reply targets, the text of reply
//              targets outside the page, and all actions: at most 3 queries;
//   - three:   historyPage() before one-query pages (main at e699833, bench/page-three-queries.ts): up to 3 queries;
//   - earlier: historyPage() as it was before related rows (commit f7c10d4^): the page query + one receipts query,
//              no reply targets, corrections, retractions or reactions (so the cost of the related rows shows);
//   - naive:   NAIVE, written here only to be measured against: the same page query, then per message separate
//              queries for its receipt, its corrections, its retraction, its reactions and its reply target (and
//              that target's corrections and retraction). Same answer as ours (checked by digest).
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../src/db/client.ts";
import { encryptedView, historyPage } from "../src/db/history.ts";
import { messageActions, messages, receipts } from "../src/db/schema.ts";
import { HISTORY_PAGE, type ChatMessage, type HistoryCursor, type Reaction } from "../src/protocol/index.ts";
import { threeQueryHistoryPage } from "./page-three-queries.ts";
import { interleaved, sha, type RunOpts } from "./measure.ts";
import { earlierReceipts, type Bench } from "./storage-cases.ts";

export const PAGE_OWNER = "alice@localhost";
const OTHER_OWNER = "zoe@localhost";
const T0 = 1_600_000_000_000;
/** Rows per seeding statement (a recursive CTE: no bound rows, so no parameter or statement-size limit). */
const SEED_CHUNK = 100_000;

/** Who has which messages: 1,000,000 for the owner (600,000 with bob, 400,000 over 40 friends) + another owner's. */
interface Group {
  owner: string;
  /** One peer, or `${prefix}${n}@example.org` for n < peers, messages dealt round-robin. */
  peer: string | { prefix: string; peers: number };
  perPeer: number;
  /** ms between consecutive messages of one conversation (bob: two per timestamp, so the key breaks ties). */
  step: number;
}
const GROUPS: Group[] = [
  { owner: PAGE_OWNER, peer: "bob@localhost", perPeer: 600_000, step: 500 },
  { owner: PAGE_OWNER, peer: { prefix: "friend", peers: 40 }, perPeer: 10_000, step: 60_000 },
  { owner: OTHER_OWNER, peer: "bob@localhost", perPeer: 50_000, step: 500 },
  { owner: OTHER_OWNER, peer: { prefix: "friend", peers: 10 }, perPeer: 5_000, step: 60_000 },
];
export const PAGE_MESSAGES = GROUPS.reduce(
  (n, g) => n + g.perPeer * (typeof g.peer === "string" ? 1 : g.peer.peers),
  0,
);
export const OWNER_MESSAGES = 1_000_000;

/** The pages measured: a conversation, its size, and how many messages are newer than the page. */
export const PAGES = [
  { name: "bob (600k msgs, 1 conversation): newest", peer: "bob@localhost", size: 600_000, depth: 0 },
  { name: "bob: 500,000 back (keyset cursor)", peer: "bob@localhost", size: 600_000, depth: 500_000 },
  { name: "friend7 (10k of 400k over 40 peers): newest", peer: "friend7@example.org", size: 10_000, depth: 0 },
  { name: "friend7: 5,000 back (keyset cursor)", peer: "friend7@example.org", size: 10_000, depth: 5_000 },
] as const;

// Changing what is seeded? Bump PAGE_SEED_VERSION in bench/page-plan.mjs (it names the cached databases).
// The share of related rows, by the message's index j in its conversation (the same formulas in SQL below):
//   out = j odd; receipt for 3 in 4 outgoing (j % 8 != 1); reply 1 in 10 (j % 10 = 7, j >= 500), a third of them
//   (j % 30 = 7) to the message 400 before (outside the page), the rest to 3 before; corrections 1 in 20
//   (j % 40 in 3, 14: by the sender, the stored body already the corrected text, as flush() leaves it); retractions
//   1 in 50 (j % 50 = 9, body wiped); reactions 1 in 5 (j % 5 = 1: the peer's 👍), 1 in 25 also the owner's ❤️😂.
const DIR = sql.raw(`CASE WHEN j % 2 = 1 THEN 'out' ELSE 'in' END`);

function keyOf(j: number): string {
  return `k${String(j).padStart(7, "0")}`;
}

/** The keyset cursor of the page `depth` messages below the newest of a conversation of `size` (the seeding formulas). */
export function pageCursor(page: (typeof PAGES)[number]): HistoryCursor | null {
  if (page.depth === 0) return null;
  const j = page.size - page.depth;
  const g = page.peer === "bob@localhost" ? GROUPS[0] : GROUPS[1];
  const p = page.peer === "bob@localhost" ? 0 : Number(/\d+/u.exec(page.peer)?.[0]);
  if (!g) throw new Error("no group");
  return { ts: tsOf(g, p, j), key: keyOf(j) };
}

function tsOf(g: Group, p: number, j: number): number {
  return g.step === 500 ? T0 + Math.floor(j / 2) * 1_000 : T0 + j * g.step + p * 1_000;
}

/** Seeds every group in statements of SEED_CHUNK messages (+ their receipts and actions). */
export async function seedPages(db: Db, log: (line: string) => void): Promise<{ rows: number; ms: number }> {
  const t0 = performance.now();
  let rows = 0;
  for (const g of GROUPS) {
    const peers = typeof g.peer === "string" ? 1 : g.peer.peers;
    const total = g.perPeer * peers;
    for (let start = 0; start < total; start += SEED_CHUNK) {
      const end = Math.min(total, start + SEED_CHUNK) - 1;
      // i: index within the group; p: the peer; j: the message's index in its conversation.
      // Numbers are CAST: D1 may bind a JS number as REAL, and i / REAL is not an integer division.
      const n = (v: number) => sql`CAST(${v} AS INTEGER)`;
      const seq = sql`WITH RECURSIVE seq(i) AS (SELECT ${n(start)} UNION ALL SELECT i + 1 FROM seq
          WHERE i < ${n(end)}), m AS (SELECT i % ${n(peers)} AS p, i / ${n(peers)} AS j FROM seq)`;
      const peer = typeof g.peer === "string" ? sql`${g.peer}` : sql`${g.peer.prefix} || p || '@example.org'`;
      const ts = g.step === 500 ? sql`${n(T0)} + (j / 2) * 1000` : sql`${n(T0)} + j * ${n(g.step)} + p * 1000`;
      await db.run(sql`${seq}
        INSERT INTO messages (owner, peer, key, stanza_id, archive_id, direction, body, ts, reply_to)
        SELECT ${g.owner}, ${peer}, printf('k%07d', j), 's' || j, 'a' || p || '-' || j, ${DIR},
          CASE WHEN j % 50 = 9 THEN '' WHEN j % 40 IN (3, 14) THEN 'corrected text of message ' || j
            ELSE 'message ' || j || ': the quick brown fox jumps over the lazy dog' END,
          ${ts},
          CASE WHEN j % 10 = 7 AND j >= 500 THEN 's' || (j - CASE WHEN j % 30 = 7 THEN 400 ELSE 3 END) END
        FROM m`);
      await db.run(sql`${seq}
        INSERT INTO receipts (owner, peer, stanza_id, ts)
        SELECT ${g.owner}, ${peer}, 's' || j, ${ts} + 700 FROM m WHERE j % 2 = 1 AND j % 8 != 1`);
      await db.run(sql`${seq}
        INSERT INTO message_actions (owner, peer, target, kind, actor, direction, body, encrypted, ts)
        SELECT ${g.owner}, ${peer}, 's' || j, 'edit', 'e' || j, ${DIR}, 'corrected text of message ' || j, NULL,
          ${ts} + 30000 FROM m WHERE j % 40 IN (3, 14)
        UNION ALL SELECT ${g.owner}, ${peer}, 's' || j, 'retract', ${DIR}, ${DIR}, '', NULL, ${ts} + 60000
          FROM m WHERE j % 50 = 9
        UNION ALL SELECT ${g.owner}, ${peer}, 's' || j, 'react', ${peer}, 'in', ${'["👍"]'}, NULL, ${ts} + 5000
          FROM m WHERE j % 5 = 1
        UNION ALL SELECT ${g.owner}, ${peer}, 's' || j, 'react', ${g.owner}, 'out', ${'["❤️","😂"]'}, NULL,
          ${ts} + 9000 FROM m WHERE j % 25 = 1`);
      rows += end - start + 1;
      log(`seeded ${rows.toLocaleString("en-US")} of ${PAGE_MESSAGES.toLocaleString("en-US")} messages`);
    }
  }
  const [count] = await db.all<{ m: number; r: number; a: number }>(sql`SELECT
    (SELECT count(*) FROM messages) AS m, (SELECT count(*) FROM receipts) AS r,
    (SELECT count(*) FROM message_actions) AS a`);
  return { rows: (count?.m ?? 0) + (count?.r ?? 0) + (count?.a ?? 0), ms: performance.now() - t0 };
}

/** Row counts of the seeded database (also tells a runner whether a cached database is complete). */
export async function pageCounts(db: Db): Promise<{ messages: number; receipts: number; actions: number }> {
  const [c] = await db.all<{ m: number; r: number; a: number }>(sql`SELECT (SELECT count(*) FROM messages) AS m,
    (SELECT count(*) FROM receipts) AS r, (SELECT count(*) FROM message_actions) AS a`);
  return { messages: Number(c?.m ?? 0), receipts: Number(c?.r ?? 0), actions: Number(c?.a ?? 0) };
}

// ---- the naive way (NAIVE: for measurement only; never do this in src/) ---------------------------------------

interface NaiveAction {
  actor: string;
  direction: "in" | "out";
  body: string;
  encrypted: string | null;
  ts: number;
}

/** NAIVE: the actions of one kind on one message: one query. */
async function naiveActions(
  db: Db,
  owner: string,
  peer: string,
  target: string,
  kind: "edit" | "retract" | "react",
): Promise<NaiveAction[]> {
  return db
    .select({
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
        eq(messageActions.target, target),
        eq(messageActions.kind, kind),
      ),
    );
}

/** The emoji of a stored set of reactions (a JSON array; anything else counts as none). */
function emojisOf(body: string): string[] {
  const value: unknown = JSON.parse(body);
  return Array.isArray(value) ? value.filter((e): e is string => typeof e === "string") : [];
}

/** NAIVE: the latest correction by the sender and whether the sender retracted, two queries. */
async function naiveEditAndRetraction(db: Db, owner: string, peer: string, id: string, direction: "in" | "out") {
  const edits = (await naiveActions(db, owner, peer, id, "edit")).filter((e) => e.direction === direction);
  const retracted = (await naiveActions(db, owner, peer, id, "retract")).some((r) => r.direction === direction);
  const edit = edits.reduce<NaiveAction | undefined>((a, e) => (!a || e.ts > a.ts ? e : a), undefined);
  return { edit, retracted };
}

/**
 * NAIVE: the page the per-message way. The same page query as ours (keyset on messages_page), then, one message
 * at a time: its receipt, its corrections, its retraction, its reactions, its reply target and that target's
 * corrections and retraction, each a query of its own. Builds the same ChatMessage as historyPage().
 */
export async function naiveHistoryPage(
  db: Db,
  owner: string,
  peer: string,
  before: HistoryCursor | null,
  limit: number,
): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
  const rows = await db
    .select({
      key: messages.key,
      stanzaId: messages.stanzaId,
      direction: messages.direction,
      body: messages.body,
      ts: messages.ts,
      encrypted: messages.encrypted,
      replyTo: messages.replyTo,
    })
    .from(messages)
    .where(
      and(
        eq(messages.owner, owner),
        eq(messages.peer, peer),
        before ? sql`(${messages.ts}, ${messages.key}) < (${before.ts}, ${before.key})` : undefined,
      ),
    )
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(limit + 1);
  const out: ChatMessage[] = [];
  for (const r of rows.slice(0, limit).toReversed()) {
    let receipt: ChatMessage["receipt"] = null;
    if (r.direction === "out") {
      const got = r.stanzaId
        ? await db
            .select({ ts: receipts.ts })
            .from(receipts)
            .where(and(eq(receipts.owner, owner), eq(receipts.peer, peer), eq(receipts.stanzaId, r.stanzaId)))
            .limit(1)
        : [];
      receipt = got.length > 0 ? "received" : "sent";
    }
    const message: ChatMessage = { key: r.key, peer, direction: r.direction, body: r.body, ts: r.ts, receipt };
    const own = r.stanzaId ? await naiveEditAndRetraction(db, owner, peer, r.stanzaId, r.direction) : undefined;
    const reacts = r.stanzaId ? await naiveActions(db, owner, peer, r.stanzaId, "react") : [];
    if (own?.retracted) {
      out.push({ ...message, body: "", retracted: true });
      continue;
    }
    const encrypted = r.encrypted === null ? undefined : encryptedView(r.encrypted);
    if (encrypted) message.encrypted = encrypted;
    if (own?.edit) {
      const e = own.edit;
      message.edit = { key: e.actor, body: e.body, ts: e.ts };
      if (e.encrypted === null) message.body = e.body;
    }
    const byEmoji = new Map<string, string[]>();
    for (const react of reacts) {
      for (const emoji of emojisOf(react.body)) byEmoji.set(emoji, [...(byEmoji.get(emoji) ?? []), react.actor]);
    }
    const reactions: Reaction[] = [...byEmoji].map(([emoji, from]) => ({ emoji, from: from.toSorted() }));
    if (reactions.length > 0) message.reactions = reactions;
    if (r.replyTo) {
      const [t] = await db
        .select({
          key: messages.key,
          direction: messages.direction,
          body: messages.body,
          encrypted: messages.encrypted,
        })
        .from(messages)
        .where(and(eq(messages.owner, owner), eq(messages.peer, peer), eq(messages.stanzaId, r.replyTo)))
        .limit(1);
      if (!t) message.replyTo = { key: null, direction: null, body: "" };
      else {
        const applied = await naiveEditAndRetraction(db, owner, peer, r.replyTo, t.direction);
        const body = applied.edit && applied.edit.encrypted === null ? applied.edit.body : t.body;
        message.replyTo = {
          key: t.key,
          direction: t.direction,
          body: applied.retracted || t.encrypted !== null ? "" : body.slice(0, 200),
        };
      }
    }
    out.push(message);
  }
  return { messages: out, hasMore: rows.length > limit };
}

// ---- the earlier version (commit f7c10d4^, src/db/store.ts historyPage, before related rows) ------------------

/** historyPage() before related rows: the page query and one receipts query (copied from f7c10d4^). */
export async function earlierHistoryPage(
  db: Db,
  owner: string,
  peer: string,
  before: HistoryCursor | null,
  limit: number,
): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
  const rows = await db
    .select({
      key: messages.key,
      stanzaId: messages.stanzaId,
      direction: messages.direction,
      body: messages.body,
      ts: messages.ts,
      encrypted: messages.encrypted,
    })
    .from(messages)
    .where(
      and(
        eq(messages.owner, owner),
        eq(messages.peer, peer),
        before ? sql`(${messages.ts}, ${messages.key}) < (${before.ts}, ${before.key})` : undefined,
      ),
    )
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).toReversed();
  const receiptOf = await earlierReceipts(db, owner, peer, page);
  return {
    hasMore,
    messages: page.map((r) => {
      const message: ChatMessage = {
        key: r.key,
        peer,
        direction: r.direction,
        body: r.body,
        ts: r.ts,
        receipt: receiptOf(r),
      };
      const encrypted = r.encrypted === null ? null : encryptedView(r.encrypted);
      if (encrypted) message.encrypted = encrypted;
      return message;
    }),
  };
}

// ---- timing ---------------------------------------------------------------------------------------------------

/** `floor`: one `SELECT 1`, the cost of a round trip to the database, below which no page can go. */
export type PageMethod = "ours" | "three" | "earlier" | "naive" | "floor";
export const PAGE_METHODS: PageMethod[] = ["ours", "three", "earlier", "naive", "floor"];

async function load(db: Db, method: PageMethod, page: (typeof PAGES)[number]): Promise<HistoryPageLike> {
  if (method === "floor") {
    await db.all(sql`SELECT 1`);
    return { messages: [], hasMore: false };
  }
  const f =
    method === "ours"
      ? historyPage
      : method === "three"
        ? threeQueryHistoryPage
        : method === "earlier"
          ? earlierHistoryPage
          : naiveHistoryPage;
  return f(db, PAGE_OWNER, page.peer, pageCursor(page), HISTORY_PAGE);
}

interface HistoryPageLike {
  messages: ChatMessage[];
  hasMore: boolean;
}

export interface PageSamples {
  method: PageMethod;
  page: string;
  samples: number[];
  queries: number;
  digest: string;
  /** The page's keys (every method must return the same messages). */
  keys: string;
  /** What the page holds (counted on the answer). */
  related: { replies: number; outside: number; edits: number; retracted: number; reactions: number; received: number };
}

function relatedOf(list: ChatMessage[]): PageSamples["related"] {
  const keys = new Set(list.map((m) => m.key));
  return {
    replies: list.filter((m) => m.replyTo).length,
    outside: list.filter((m) => m.replyTo?.key && !keys.has(m.replyTo.key)).length,
    edits: list.filter((m) => m.edit).length,
    retracted: list.filter((m) => m.retracted).length,
    reactions: list.filter((m) => m.reactions).length,
    received: list.filter((m) => m.receipt === "received").length,
  };
}

/** Times every method on one page, interleaved call by call (rotating order), within a time budget. */
export async function pageRun(bench: Bench, pageIndex: number, opts: RunOpts): Promise<PageSamples[]> {
  const { db, counters } = bench;
  const page = PAGES[pageIndex];
  if (!page) throw new Error(`no page ${pageIndex}`);
  const results: PageSamples[] = [];
  for (const method of PAGE_METHODS) {
    counters.queries = 0;
    const answer = await load(db, method, page);
    results.push({
      method,
      page: page.name,
      samples: [],
      queries: counters.queries,
      digest: await sha(JSON.stringify({ messages: answer.messages, hasMore: answer.hasMore })),
      keys: answer.messages.map((m) => m.key).join(","),
      related: relatedOf(answer.messages),
    });
  }
  const timed = await interleaved(PAGE_METHODS, opts, (method) => load(db, method, page));
  return results.map((r, k) => ({ ...r, samples: timed[k] ?? [] }));
}

/** Drizzle's SQL text and params back into an `sql` template (the logger sees them apart). */
function rebuild(query: string, params: unknown[]): SQL {
  const parts = query.split("?");
  const chunks: SQL[] = [sql.raw(parts[0] ?? "")];
  parts.slice(1).forEach((part, i) => chunks.push(sql`${params[i]}`, sql.raw(part)));
  return sql.join(chunks);
}

/** EXPLAIN QUERY PLAN of each query ours runs for the deep bob page (recorded through the drizzle logger). */
export async function pagePlans(bench: Bench): Promise<string[]> {
  const page = PAGES[1];
  if (!page) throw new Error("no page");
  const seen: { query: string; params: unknown[] }[] = [];
  bench.counters.record = (query, params) => seen.push({ query, params });
  try {
    await load(bench.db, "ours", page);
  } finally {
    bench.counters.record = undefined;
  }
  const plans: string[] = [];
  for (const q of seen) {
    const rows = await bench.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${rebuild(q.query, q.params)}`);
    plans.push(rows.map((r) => r.detail).join(" | "));
  }
  return plans;
}
