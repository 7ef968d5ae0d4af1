// Storage benchmark cases, shared by the libSQL runner (Node) and the D1 runner (a module worker inside
// workerd, bundled by esbuild): the same code, the same data and the same SQL on both backends.
//
// Every database here is wrapped twice so that both counts are real, never computed:
//   - `statements`: statements the driver client was asked to run (execute/prepare + every statement of a batch),
//     which also sees the raw batches of flush();
//   - `queries`: queries drizzle logged (`logger: { logQuery }`), as the history issue asks.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "../src/db/client.ts";
import { messages, presences, receipts } from "../src/db/schema.ts";
import { flush, historyPage, type StoredMessage } from "../src/db/store.ts";
import { HISTORY_PAGE, type ChatMessage, type HistoryCursor, type PresenceDelta } from "../src/protocol/index.ts";
import { interleaved, sha, type RunOpts } from "./measure.ts";

export interface Counters {
  statements: number;
  queries: number;
  /** Sees every logged query (bench/page-cases.ts records ours to EXPLAIN them). */
  record?: (query: string, params: unknown[]) => void;
}

export interface Bench {
  db: Db;
  counters: Counters;
}

/** The drizzle logger that counts queries. */
export function countingLogger(counters: Counters) {
  return {
    logQuery: (query: string, params: unknown[]) => {
      counters.queries++;
      counters.record?.(query, params);
    },
  };
}

// ---- presence flood -----------------------------------------------------------------------------------------

export const FLOOD = 5_000;
/** The earlier approach: multi-row VALUES, 14 rows x 7 parameters = 98 <= D1's 100 bound parameters. */
export const ROWS_PER_VALUES = 14;

export type PresenceMethod = "ours" | "chunked" | "naive-batch" | "naive-seq";
export const PRESENCE_METHODS: PresenceMethod[] = ["ours", "chunked", "naive-batch", "naive-seq"];

export function presenceFlood(n: number): PresenceDelta[] {
  return Array.from({ length: n }, (_, i) => ({
    jid: `contact${i}@example.org`,
    resource: i % 4 === 0 ? "phone" : "desktop",
    available: true,
    show: i % 3 === 0 ? "away" : "online",
    status: `status ${i}: back in five minutes, "quoted" and ünïcode`,
    priority: i % 5,
  }));
}

function presenceRow(owner: string, p: PresenceDelta, now: number) {
  return {
    owner,
    jid: p.jid,
    resource: p.resource,
    show: p.show,
    status: p.status,
    priority: p.priority,
    updatedAt: now,
  };
}

/** Same upsert as flush(): ON CONFLICT (owner, jid, resource) DO UPDATE show/status/priority/updated_at. */
const upsertSet = {
  show: sql`excluded.show`,
  status: sql`excluded.status`,
  priority: sql`excluded.priority`,
  updatedAt: sql`excluded.updated_at`,
};
const upsertTarget = [presences.owner, presences.jid, presences.resource];

async function drizzleBatch(db: Db, queries: unknown[]): Promise<void> {
  if (queries.length === 0) return;
  // Both drivers' drizzle databases have batch(); Db (the shared type) does not declare it.
  await (db as unknown as { batch(q: unknown[]): Promise<unknown> }).batch(queries);
}

/** Writes a flood of presences for `owner` with one method. */
export async function writePresences(
  db: Db,
  method: PresenceMethod,
  owner: string,
  flood: PresenceDelta[],
  now: number,
): Promise<void> {
  switch (method) {
    case "ours":
      await flush(db, { owner, presences: flood, messages: [], receipts: [], conversations: [] }, now);
      return;
    case "chunked": {
      const queries = [];
      for (let i = 0; i < flood.length; i += ROWS_PER_VALUES) {
        const rows = flood.slice(i, i + ROWS_PER_VALUES).map((p) => presenceRow(owner, p, now));
        queries.push(db.insert(presences).values(rows).onConflictDoUpdate({ target: upsertTarget, set: upsertSet }));
      }
      await drizzleBatch(db, queries);
      return;
    }
    case "naive-batch": {
      const queries = flood.map((p) =>
        db
          .insert(presences)
          .values(presenceRow(owner, p, now))
          .onConflictDoUpdate({ target: upsertTarget, set: upsertSet }),
      );
      await drizzleBatch(db, queries);
      return;
    }
    case "naive-seq":
      for (const p of flood) {
        await db
          .insert(presences)
          .values(presenceRow(owner, p, now))
          .onConflictDoUpdate({ target: upsertTarget, set: upsertSet });
      }
      return;
  }
}

export interface PresenceSample {
  method: PresenceMethod;
  n: number;
  statements: number;
  ms: number;
  /** Rows stored for the owner afterwards (must equal n). */
  stored: number;
  /** A digest of the stored rows, compared across methods. */
  digest: string;
}

/**
 * One timed run: a fresh owner, the flood written with `method`, then (untimed) checked and deleted so the
 * table stays the same size from run to run.
 */
export async function presenceRun(
  bench: Bench,
  method: PresenceMethod,
  n: number,
  runId: string,
): Promise<PresenceSample> {
  const { db, counters } = bench;
  const owner = `flood-${method}-${runId}@localhost`;
  const flood = presenceFlood(n);
  counters.statements = 0;
  const t0 = performance.now();
  await writePresences(db, method, owner, flood, 1_700_000_000_000);
  const ms = performance.now() - t0;
  const statements = counters.statements;
  const rows = await db
    .select({
      n: sql<number>`count(*)`,
      digest: sql<string>`group_concat(jid || '/' || resource || '/' || show || '/' || priority, ',')`,
    })
    .from(presences)
    .where(eq(presences.owner, owner));
  await db.delete(presences).where(eq(presences.owner, owner));
  const digest = await sha(String(rows[0]?.digest ?? ""));
  return { method, n, statements, ms, stored: Number(rows[0]?.n ?? 0), digest };
}

// ---- history --------------------------------------------------------------------------------------------------

export const HISTORY_OWNER = "alice@localhost";
export const HISTORY_PEER = "bob@localhost";
export const HISTORY_N = 100_000;
export const NOISE_PEERS = 10;
export const NOISE_PER_PEER = 5_000;
const T0 = 1_600_000_000_000;

function key(i: number): string {
  return `k${String(i).padStart(7, "0")}`;
}
/** Two messages per timestamp, so the key really breaks ties. */
function tsOf(i: number): number {
  return T0 + Math.floor(i / 2) * 1_000;
}

function makeMessage(peer: string, i: number, tag: string): StoredMessage {
  const out = i % 2 === 1;
  return {
    key: `${tag}${key(i)}`,
    peer,
    direction: out ? "out" : "in",
    body: `message ${i} to ${peer}: the quick brown fox jumps over the lazy dog`,
    ts: tsOf(i),
    receipt: null,
    stanzaId: `${tag}s${i}`,
    archiveId: `${tag}a${i}`,
  };
}

/** Stores 100,000 messages with one peer (+ receipts for 3 in 4 outgoing) and 50,000 with ten other peers. */
export async function seedHistory(
  bench: Bench,
  part: number,
  parts: number,
): Promise<{ rows: number; statements: number; ms: number }> {
  const { db, counters } = bench;
  counters.statements = 0;
  const t0 = performance.now();
  let rows = 0;
  const per = Math.ceil(HISTORY_N / parts);
  for (let start = part * per; start < Math.min(HISTORY_N, (part + 1) * per); start += 10_000) {
    const end = Math.min(start + 10_000, (part + 1) * per, HISTORY_N);
    const msgs: StoredMessage[] = [];
    const recs: { peer: string; stanzaId: string; ts: number }[] = [];
    for (let i = start; i < end; i++) {
      const m = makeMessage(HISTORY_PEER, i, "");
      msgs.push(m);
      if (m.direction === "out" && i % 8 !== 1 && m.stanzaId)
        recs.push({ peer: HISTORY_PEER, stanzaId: m.stanzaId, ts: m.ts + 500 });
    }
    // Noise: the same time span, other peers of the same owner.
    const noiseStart = Math.floor((start / HISTORY_N) * NOISE_PER_PEER);
    const noiseEnd = Math.floor((end / HISTORY_N) * NOISE_PER_PEER);
    for (let p = 0; p < NOISE_PEERS; p++) {
      for (let j = noiseStart; j < noiseEnd; j++)
        msgs.push(makeMessage(`noise${p}@example.org`, j * (HISTORY_N / NOISE_PER_PEER), "n"));
    }
    await flush(db, { owner: HISTORY_OWNER, presences: [], messages: msgs, receipts: recs, conversations: [] });
    rows += msgs.length + recs.length;
  }
  return { rows, statements: counters.statements, ms: performance.now() - t0 };
}

/** The cursor of the page that starts `depth` messages below the newest (keyset: the previous page's oldest). */
export function cursorAt(depth: number): HistoryCursor | null {
  if (depth === 0) return null;
  const i = HISTORY_N - depth;
  return { ts: tsOf(i), key: key(i) };
}

export type HistoryMethod = "ours" | "naive" | "earlier";
export const HISTORY_METHODS: HistoryMethod[] = ["ours", "earlier", "naive"];

/** The naive page: OFFSET pagination, then one receipts query per outgoing message of the page (N+1). */
export async function naiveHistoryPage(
  db: Db,
  owner: string,
  peer: string,
  offset: number,
  limit: number,
): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
  const rows = await db
    .select({
      key: messages.key,
      stanzaId: messages.stanzaId,
      direction: messages.direction,
      body: messages.body,
      ts: messages.ts,
    })
    .from(messages)
    .where(and(eq(messages.owner, owner), eq(messages.peer, peer)))
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(limit + 1)
    .offset(offset);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).toReversed();
  const out: ChatMessage[] = [];
  for (const r of page) {
    let receipt: ChatMessage["receipt"] = null;
    if (r.direction === "out") {
      const got = r.stanzaId
        ? await db
            .select({ stanzaId: receipts.stanzaId })
            .from(receipts)
            .where(and(eq(receipts.owner, owner), eq(receipts.peer, peer), eq(receipts.stanzaId, r.stanzaId)))
            .limit(1)
        : [];
      receipt = got.length > 0 ? "received" : "sent";
    }
    out.push({ key: r.key, peer, direction: r.direction, body: r.body, ts: r.ts, receipt });
  }
  return { messages: out, hasMore };
}

/**
 * The earlier version of historyPage() (before the row-value cursor): `ts < ? OR (ts = ? AND key < ?)`, which only
 * seeks on (owner, peer) and then walks the messages_page index from the newest message down to the cursor.
 * Same answer, same two queries; measured side by side with the current src.
 */
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
    })
    .from(messages)
    .where(
      and(
        eq(messages.owner, owner),
        eq(messages.peer, peer),
        before
          ? or(lt(messages.ts, before.ts), and(eq(messages.ts, before.ts), lt(messages.key, before.key)))
          : undefined,
      ),
    )
    .orderBy(desc(messages.ts), desc(messages.key))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).toReversed();
  const receiptOf = await earlierReceipts(db, owner, peer, page);
  return {
    hasMore,
    messages: page.map((r) => ({
      key: r.key,
      peer,
      direction: r.direction,
      body: r.body,
      ts: r.ts,
      receipt: receiptOf(r),
    })),
  };
}

/**
 * The receipts of a page as the earlier historyPage() versions read them (here and in bench/page-cases.ts): one
 * query for all its outgoing messages. Returns each message's receipt state.
 */
export async function earlierReceipts(
  db: Db,
  owner: string,
  peer: string,
  page: readonly { direction: "in" | "out"; stanzaId: string | null }[],
): Promise<(r: { direction: "in" | "out"; stanzaId: string | null }) => ChatMessage["receipt"]> {
  const outIds = page.filter((r) => r.direction === "out" && r.stanzaId).map((r) => r.stanzaId);
  const received = new Set<string>();
  if (outIds.length > 0) {
    const got = await db.all<{ stanza_id: string }>(
      sql`SELECT stanza_id FROM receipts WHERE owner = ${owner} AND peer = ${peer}
          AND stanza_id IN (SELECT value FROM json_each(${JSON.stringify(outIds)}))`,
    );
    for (const r of got) received.add(r.stanza_id);
  }
  return (r) => (r.direction === "out" ? (r.stanzaId && received.has(r.stanzaId) ? "received" : "sent") : null);
}

export async function loadPage(
  db: Db,
  method: HistoryMethod,
  depth: number,
): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
  switch (method) {
    case "ours":
      return historyPage(db, HISTORY_OWNER, HISTORY_PEER, cursorAt(depth), HISTORY_PAGE);
    case "earlier":
      return earlierHistoryPage(db, HISTORY_OWNER, HISTORY_PEER, cursorAt(depth), HISTORY_PAGE);
    case "naive":
      return naiveHistoryPage(db, HISTORY_OWNER, HISTORY_PEER, depth, HISTORY_PAGE);
  }
}

export interface HistorySamples {
  method: HistoryMethod;
  depth: number;
  /** Per-call latency, ms. */
  samples: number[];
  /** drizzle-logged queries of one call. */
  queries: number;
  statements: number;
  /** Digest of the page, compared between methods (same messages, same receipts). */
  digest: string;
  firstKey: string;
  lastKey: string;
}

/**
 * Times one page with several methods, interleaved call by call (bench/measure.ts). Before timing, one untimed
 * call per method counts its queries and statements and records its answer.
 */
export async function historyRun(
  bench: Bench,
  methods: HistoryMethod[],
  depth: number,
  opts: RunOpts,
): Promise<HistorySamples[]> {
  const { db, counters } = bench;
  const results: HistorySamples[] = [];
  for (const method of methods) {
    counters.queries = 0;
    counters.statements = 0;
    const check = await loadPage(db, method, depth);
    results.push({
      method,
      depth,
      samples: [],
      queries: counters.queries,
      statements: counters.statements,
      digest: await sha(JSON.stringify({ messages: check.messages, hasMore: check.hasMore })),
      firstKey: check.messages[0]?.key ?? "",
      lastKey: check.messages.at(-1)?.key ?? "",
    });
  }
  const timed = await interleaved(methods, opts, (method) => loadPage(db, method, depth));
  return results.map((r, k) => ({ ...r, samples: timed[k] ?? [] }));
}
