// Full-text search over an account's clear messages (issue #7 §5): SQLite FTS5 (migrations/0004_search.sql, an
// external-content index over messages.body kept by triggers; encrypted messages are never in it), the same on
// D1 and libSQL. And the history pages a search result opens: around a message, and after it.
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import type { SearchCursor, SearchResult } from "../protocol/index.ts";
import { ftsMatch, matchRanges, snippet, type SearchQuery } from "../protocol/search.ts";

export interface SearchPage {
  results: SearchResult[];
  hasMore: boolean;
}

interface HitRow {
  peer: string;
  key: string;
  ts: number;
  direction: "in" | "out";
  body: string;
}

/** A raw result row, checked (raw SQL results are untyped: check, never cast); null when it is not one. */
function hitRow(row: unknown): HitRow | null {
  if (typeof row !== "object" || row === null) return null;
  const { peer, key, ts, direction, body } = row as Record<string, unknown>;
  if (typeof peer !== "string" || typeof key !== "string" || typeof body !== "string") return null;
  if (typeof ts !== "number" || (direction !== "in" && direction !== "out")) return null;
  return { peer, key, ts, direction, body };
}

/** The FTS5 rowid is `(ts / 60000) << 36 | id` (migrations/0005_search_order.sql): the id is its low 36 bits. */
const ID_BITS = 36;
const ID_MASK = 2 ** ID_BITS - 1;
const MINUTE = 60_000;

/**
 * One page of the owner's messages matching `query`, newest first (descending ts, peer, key: keyset paging with
 * `before`, the last result of the previous page).
 *
 * Recency, not bm25: people search a chat for "that message where …", and the newest is the likeliest; bm25 on
 * one-line messages mostly rewards short ones, and a score is no stable keyset for paging while messages come in.
 *
 * Without sorting every match: the FTS5 rowid orders matches by minute (then id), so FTS5 walks them newest minute
 * first and stops after a page (`firsts`); every match newer than the minute of the page's last one is then among
 * those read, and only the matches from that minute on are read again and sorted exactly (a word in 6% of a
 * million messages reads ~60 matches, not 60,000). FTS5 is the outer loop (CROSS JOIN keeps SQLite from walking
 * the owner's rows and probing the index per row); the id is the rowid's low bits, a primary-key lookup.
 */
export async function searchMessages(
  db: Db,
  owner: string,
  query: SearchQuery,
  before: SearchCursor | undefined,
  limit: number,
): Promise<SearchPage> {
  const match = ftsMatch(query);
  const after = before ? sql`AND (m.ts, m.peer, m.key) < (${before.ts}, ${before.peer}, ${before.key})` : sql``;
  // Matches up to the cursor's minute (the ones after it within that minute are left by `after`).
  const upTo = before ? sql`AND messages_fts.rowid < (${Math.floor(before.ts / MINUTE) + 1} << ${ID_BITS})` : sql``;
  const rows = await db.all(sql`WITH firsts AS (
      SELECT messages_fts.rowid AS sk
      FROM messages_fts CROSS JOIN messages m ON m.id = (messages_fts.rowid & ${ID_MASK})
      WHERE messages_fts MATCH ${match} ${upTo} AND m.owner = ${owner} AND m.encrypted IS NULL ${after}
      ORDER BY messages_fts.rowid DESC
      LIMIT ${limit + 1})
    SELECT m.peer AS peer, m.key AS key, m.ts AS ts, m.direction AS direction, m.body AS body
    FROM messages_fts CROSS JOIN messages m ON m.id = (messages_fts.rowid & ${ID_MASK})
    WHERE messages_fts MATCH ${match} ${upTo}
      AND messages_fts.rowid >= (SELECT (min(sk) >> ${ID_BITS}) << ${ID_BITS} FROM firsts)
      AND m.owner = ${owner} AND m.encrypted IS NULL ${after}
    ORDER BY m.ts DESC, m.peer DESC, m.key DESC
    LIMIT ${limit + 1}`);
  return searchPage(rows, query, limit);
}

/**
 * Raw result rows (peer, key, ts, direction, body; up to `limit + 1`) as a page with snippets and highlight ranges.
 * Rows that are not results (raw SQL is untyped) are left out.
 */
export function searchPage(rows: readonly unknown[], query: SearchQuery, limit: number): SearchPage {
  const hits = rows.map(hitRow).filter((r): r is HitRow => r !== null);
  return {
    hasMore: hits.length > limit,
    results: hits.slice(0, limit).map((r) => ({
      peer: r.peer,
      key: r.key,
      ts: r.ts,
      direction: r.direction,
      // FTS5 found it; the ranges come from the same tokenisation (src/protocol/search.ts). Should they ever
      // disagree on a character, the result stays, without a highlight.
      ...snippet(r.body, matchRanges(r.body, query) ?? []),
    })),
  };
}

export { historyAfter, historyAround, type WindowPage } from "./history.ts";
