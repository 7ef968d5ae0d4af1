// Search over this device's plaintexts of OMEMO messages (issue #7 §5): the object has only ciphertext, so the
// browser searches the texts it decrypted (web/src/crypto/plaintexts.ts, IndexedDB, keyed by message key) with the
// same semantics as the server's FTS5 search (src/protocol/search.ts: word prefixes, case and diacritics folded),
// returns results of the same shape, and merges them with the server's in the same order. Nothing of it is sent.
// Pure apart from reading the cache through the small `PlaintextSource` interface.
import type { SearchCursor, SearchResult } from "../../../../src/protocol/index.ts";
import { matchRanges, parseQuery, SEARCH_PAGE, snippet, type SearchQuery } from "../../../../src/protocol/search.ts";
import type { CachedPlaintext, MessageInfo } from "../../crypto/plaintexts.ts";

/** What the search reads (PlaintextCache implements it). */
export interface PlaintextSource {
  everything(): Promise<{ texts: Map<string, CachedPlaintext>; infos: Map<string, MessageInfo> }>;
}

export interface LocalPage {
  results: SearchResult[];
  hasMore: boolean;
}

/** The server's order: descending (ts, peer, key). Negative when `a` comes first. */
export function compareResults(a: SearchCursor, b: SearchCursor): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  if (a.peer !== b.peer) return a.peer < b.peer ? 1 : -1;
  if (a.key !== b.key) return a.key < b.key ? 1 : -1;
  return 0;
}

/**
 * Matching messages among known ones, newest first, a page at a time after `before` (the last result of the
 * previous page, as on the server). A message's text is its latest correction's when it has one; retracted,
 * undecryptable (`false`) and key-transport ("") messages have none.
 */
export function searchTexts(
  texts: Map<string, CachedPlaintext>,
  infos: Map<string, MessageInfo>,
  query: SearchQuery,
  before: SearchCursor | undefined,
  limit = SEARCH_PAGE,
): LocalPage {
  const hits: SearchResult[] = [];
  for (const [key, info] of infos) {
    if (info.retracted) continue;
    const text = texts.get(info.current ?? key);
    if (typeof text !== "string" || text === "") continue;
    const cursor = { ts: info.ts, peer: info.peer, key };
    if (before && compareResults(cursor, before) <= 0) continue;
    const ranges = matchRanges(text, query);
    if (ranges === null) continue;
    hits.push({ ...cursor, direction: info.direction, ...snippet(text, ranges) });
  }
  hits.sort(compareResults);
  return { results: hits.slice(0, limit), hasMore: hits.length > limit };
}

/** Searches the cache for what the user typed; nothing searchable (only punctuation, say) is no result. */
export async function searchLocal(
  source: PlaintextSource,
  queryText: string,
  before?: SearchCursor,
  limit = SEARCH_PAGE,
): Promise<LocalPage> {
  const query = parseQuery(queryText);
  if (query === null) return { results: [], hasMore: false };
  const { texts, infos } = await source.everything();
  return searchTexts(texts, infos, query, before, limit);
}

/**
 * Server and local results as one list in the server's order, each message once (by conversation and key: a
 * message the server has in clear is never also in the cache, but a tab may merge pages twice).
 */
export function mergeResults(...lists: readonly (readonly SearchResult[])[]): SearchResult[] {
  const seen = new Set<string>();
  const out: SearchResult[] = [];
  for (const r of lists.flat().toSorted(compareResults)) {
    const id = `${r.peer}\u0000${r.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  return out;
}
