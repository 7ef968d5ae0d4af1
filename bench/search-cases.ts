// Search benchmark cases (issue #7 §7: "search p50 over 1,000,000 messages, FTS5 vs LIKE"), shared by the libSQL
// runner (Node) and the D1 runner (a module worker in workerd): the same data, the same SQL on both backends.
// Both methods answer the same request: one page (50) of the owner's clear messages matching a word, newest first,
// with snippets and highlight ranges computed the same way; only the WHERE differs (FTS5 MATCH vs LIKE '%word%').
import { sql } from "drizzle-orm";
import type { Db } from "../src/db/client.ts";
import { searchMessages, searchPage, type SearchPage } from "../src/db/search.ts";
import { ftsMatch, parseQuery, SEARCH_PAGE, type SearchQuery } from "../src/protocol/search.ts";
import { interleaved, type RunOpts } from "./measure.ts";

export const SEARCH_OWNER = "searcher@localhost";
export const SEARCH_N = 1_000_000;
/** Rows per seeding statement (a recursive CTE: no bound rows, so no parameter or statement-size limit). */
const SEED_CHUNK = 100_000;
const PEERS = 20;
const T0 = 1_600_000_000_000;

/** Common words: each message has three of them (each word is in ~6% of messages). */
const WORDS = [
  "river",
  "apple",
  "morning",
  "train",
  "window",
  "garden",
  "letter",
  "coffee",
  "meeting",
  "summer",
  "yellow",
  "bridge",
  "market",
  "pencil",
  "kitchen",
  "planet",
  "silver",
  "forest",
  "doctor",
  "island",
  "number",
  "orange",
  "travel",
  "winter",
  "button",
  "camera",
  "dinner",
  "engine",
  "family",
  "guitar",
  "harbor",
  "jacket",
  "ladder",
  "mirror",
  "needle",
  "office",
  "parrot",
  "rabbit",
  "saddle",
  "tennis",
  "tunnel",
  "valley",
  "wallet",
  "anchor",
  "basket",
  "candle",
  "dragon",
  "feather",
  "goblet",
  "hammer",
];

/**
 * The search terms: a word in 1 message of 10,000 (100 hits), one in 1 of 1,000 (1,000 hits), a common word
 * (~60,000 hits) and a 3-letter prefix of the medium one.
 */
export const SEARCH_TERMS = [
  { name: "rare word (100 hits)", query: "quokka ", like: "quokka" },
  { name: "medium word (1,000 hits)", query: "zebra ", like: "zebra" },
  { name: "common word (~60,000 hits)", query: "river ", like: "river" },
  { name: "prefix 'zeb' (1,000 hits)", query: "zeb", like: "zeb" },
] as const;

/**
 * fts: src/db/search.ts (matches walked newest minute first, a page read); sorted: the earlier version (0004), every
 * match joined to its row and sorted by time; like: no index.
 */
export type SearchMethod = "fts" | "sorted" | "like";
export const SEARCH_METHODS: SearchMethod[] = ["fts", "sorted", "like"];

/** Stores SEARCH_N messages for the owner (20 peers) and 50,000 for another owner, in statements of 100,000. */
export async function seedSearch(db: Db): Promise<{ rows: number; ms: number }> {
  const t0 = performance.now();
  const words = JSON.stringify(WORDS);
  const plan: [string, number, number][] = [];
  for (let start = 0; start < SEARCH_N; start += SEED_CHUNK) plan.push([SEARCH_OWNER, start, SEED_CHUNK]);
  plan.push(["someone-else@localhost", 0, 50_000]);
  for (const [owner, start, count] of plan) {
    await db.run(sql`WITH RECURSIVE seq(i) AS (SELECT CAST(${start} AS INTEGER) UNION ALL SELECT i + 1 FROM seq WHERE i < ${start + count - 1})
      INSERT INTO messages (owner, peer, key, stanza_id, direction, body, ts)
      SELECT ${owner}, 'peer' || (i % CAST(${PEERS} AS INTEGER)) || '@example.org', 'k' || i, 's' || i,
        CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END,
        'note ' || json_extract(${words}, '$[' || (i % 50) || ']') || ' '
          || json_extract(${words}, '$[' || ((i / 50) % 50) || ']') || ' '
          || json_extract(${words}, '$[' || ((i / 2500) % 50) || ']')
          || CASE WHEN i % 10000 = 7 THEN ' quokka' ELSE '' END
          || CASE WHEN i % 1000 = 3 THEN ' zebra crossing' ELSE '' END
          || ' about item ' || i,
        CAST(${T0} AS INTEGER) + i * 1000
      FROM seq`);
  }
  return { rows: SEARCH_N + 50_000, ms: performance.now() - t0 };
}

/** The same page with LIKE '%word%' instead of MATCH (what a search without an index does). */
export async function likeSearch(db: Db, owner: string, word: string, query: SearchQuery): Promise<SearchPage> {
  const rows = await db.all(sql`SELECT peer, key, ts, direction, body FROM messages
      WHERE owner = ${owner} AND encrypted IS NULL AND body LIKE ${`%${word}%`}
      ORDER BY ts DESC, peer DESC, key DESC LIMIT ${SEARCH_PAGE + 1}`);
  return searchPage(rows, query, SEARCH_PAGE);
}

/** The earlier version of src/db/search.ts (migration 0004): every match joined to its row, all sorted by time. */
export async function sortedSearch(db: Db, owner: string, query: SearchQuery): Promise<SearchPage> {
  const rows = await db.all(sql`SELECT m.peer AS peer, m.key AS key, m.ts AS ts, m.direction AS direction,
      m.body AS body
    FROM messages_fts CROSS JOIN messages m ON m.id = (messages_fts.rowid & ${2 ** 36 - 1})
    WHERE messages_fts MATCH ${ftsMatch(query)} AND m.owner = ${owner} AND m.encrypted IS NULL
    ORDER BY m.ts DESC, m.peer DESC, m.key DESC
    LIMIT ${SEARCH_PAGE + 1}`);
  return searchPage(rows, query, SEARCH_PAGE);
}

async function runOne(db: Db, method: SearchMethod, term: (typeof SEARCH_TERMS)[number]): Promise<SearchPage> {
  const query = parseQuery(term.query);
  if (!query) throw new Error(`no query: ${term.query}`);
  switch (method) {
    case "fts":
      return searchMessages(db, SEARCH_OWNER, query, undefined, SEARCH_PAGE);
    case "sorted":
      return sortedSearch(db, SEARCH_OWNER, query);
    case "like":
      return likeSearch(db, SEARCH_OWNER, term.like, query);
  }
}

export interface SearchSamples {
  method: SearchMethod;
  term: string;
  samples: number[];
  results: number;
  /** The page's keys, compared between methods (the same answer). */
  keys: string;
}

/** Times every method on one term, interleaved call by call (rotating order), within a time budget. */
export async function searchRun(db: Db, termIndex: number, opts: RunOpts): Promise<SearchSamples[]> {
  const term = SEARCH_TERMS[termIndex];
  if (!term) throw new Error(`no term ${termIndex}`);
  const results: SearchSamples[] = [];
  for (const method of SEARCH_METHODS) {
    const page = await runOne(db, method, term);
    results.push({
      method,
      term: term.name,
      samples: [],
      results: page.results.length,
      keys: page.results.map((r) => r.key).join(","),
    });
  }
  const timed = await interleaved(SEARCH_METHODS, opts, (method) => runOne(db, method, term));
  return results.map((r, k) => ({ ...r, samples: timed[k] ?? [] }));
}

/** How SQLite runs the FTS5 query (the plan must start from the index, walking it in rowid order, no sort of it). */
export async function ftsPlan(db: Db): Promise<string> {
  const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN SELECT messages_fts.rowid FROM messages_fts
    CROSS JOIN messages m ON m.id = (messages_fts.rowid & ${2 ** 36 - 1})
    WHERE messages_fts MATCH '"zebra"' AND m.owner = ${SEARCH_OWNER} AND m.encrypted IS NULL
    ORDER BY messages_fts.rowid DESC LIMIT 51`);
  return rows.map((r) => r.detail).join(" | ");
}
