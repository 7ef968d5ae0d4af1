// Search semantics shared by the object (SQLite FTS5 over clear messages, src/db/search.ts) and the browser (its
// plaintext cache of OMEMO messages, web/src/features/search/local.ts), so both find and highlight alike
// (issue #7 §5). Pure: no I/O.
//
// Words are tokenised as FTS5's unicode61 tokenizer does (migrations/0004_search.sql: `unicode61
// remove_diacritics 2`): a token is a run of letters, numbers, private-use characters and combining marks; every
// other character separates tokens. Tokens compare case- and diacritic-insensitively ("Café" = "cafe"). Each word
// the user typed must appear (as a phrase, when it holds several tokens: "e-mail" is "e" then "mail"); the last
// word is a prefix while the user is still typing it ("hel" finds "hello").

/** Longest query a tab may send. */
export const MAX_QUERY_CHARS = 200;
/** Words of a query that count (the rest are ignored: a longer query is not a search any more). */
export const MAX_QUERY_WORDS = 16;
/** Results per search page. */
export const SEARCH_PAGE = 50;
/** Longest result text (UTF-16 code units, the ellipses included). */
export const SNIPPET_CHARS = 160;
/** Text kept before the first match when a long message is cut. */
const SNIPPET_BEFORE = 40;

const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}\p{Mn}]/u;
const TOKEN = /[\p{L}\p{N}\p{Co}\p{Mn}]+/gu;
const MARKS = /\p{M}/gu;

/** A token of a text: [start, end) in UTF-16 code units, and its folded form. */
export interface Token {
  start: number;
  end: number;
  folded: string;
}

/** Case- and diacritic-insensitive form (NFD, marks dropped, lower case), code point by code point. */
export function fold(text: string): string {
  let out = "";
  for (const ch of text) out += ch.normalize("NFD").replace(MARKS, "").toLowerCase();
  return out;
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const folded = fold(m[0]);
    // A lone combining mark folds to nothing: it cannot match anything.
    if (folded !== "") out.push({ start: m.index, end: m.index + m[0].length, folded });
  }
  return out;
}

/** A parsed query: its words as phrases of folded tokens; the last token of the last phrase may be a prefix. */
export interface SearchQuery {
  /** Folded tokens, for matching here. */
  phrases: string[][];
  /** The same tokens as typed, for FTS5 (which folds them its own way, as it folded the indexed text). */
  typed: string[][];
  prefix: boolean;
}

/**
 * The user's words as a query, or null when they hold nothing searchable (only punctuation, spaces, emoji):
 * the caller answers with no results, never with an error from the search engine.
 */
export function parseQuery(text: string): SearchQuery | null {
  const phrases: string[][] = [];
  const typed: string[][] = [];
  let truncated = false;
  for (const word of text.split(/\s+/u)) {
    const tokens = tokenize(word);
    if (tokens.length === 0) continue;
    if (phrases.length === MAX_QUERY_WORDS) {
      truncated = true;
      break;
    }
    phrases.push(tokens.map((t) => t.folded));
    typed.push(tokens.map((t) => word.slice(t.start, t.end)));
  }
  if (phrases.length === 0) return null;
  // Still typing the last word when the query ends inside it ("hel"); "hello " or "hello." is a whole word.
  const last = [...text].at(-1) ?? "";
  return { phrases, typed, prefix: !truncated && TOKEN_CHAR.test(last) };
}

/**
 * The FTS5 MATCH expression of a query: every phrase a double-quoted string (FTS5 §3.1: inside quotes, nothing is
 * syntax; the tokens hold no quote anyway, but one would be doubled), implicitly AND-ed, the last one with `*`
 * for a prefix. No FTS5 operator (OR, NOT, NEAR, column filters, ^, +, -, parentheses) can come from the user.
 */
export function ftsMatch(query: SearchQuery): string {
  const parts = query.typed.map((p) => `"${p.join(" ").replaceAll('"', '""')}"`);
  if (query.prefix && parts.length > 0) parts[parts.length - 1] += "*";
  return parts.join(" ");
}

/** Where each phrase occurs in the tokens: [first token, last token] index pairs. */
function phraseHits(tokens: Token[], query: SearchQuery): [number, number][][] {
  return query.phrases.map((phrase, p) => {
    const isLast = p === query.phrases.length - 1;
    const hits: [number, number][] = [];
    for (let i = 0; i + phrase.length <= tokens.length; i++) {
      const ok = phrase.every((word, j) => {
        const folded = tokens[i + j]?.folded ?? "";
        return isLast && query.prefix && j === phrase.length - 1 ? folded.startsWith(word) : folded === word;
      });
      if (ok) hits.push([i, i + phrase.length - 1]);
    }
    return hits;
  });
}

/**
 * The ranges of `text` a query matches ([start, end) UTF-16 code units, sorted, not overlapping), or null when
 * the text does not match (some word is missing). A phrase's range spans its tokens, as FTS5's highlight() does.
 */
export function matchRanges(text: string, query: SearchQuery): [number, number][] | null {
  const tokens = tokenize(text);
  const hits = phraseHits(tokens, query);
  if (hits.some((h) => h.length === 0)) return null;
  const ranges: [number, number][] = [];
  for (const [a, b] of hits.flat()) {
    const start = tokens[a]?.start;
    const end = tokens[b]?.end;
    if (start !== undefined && end !== undefined) ranges.push([start, end]);
  }
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const top = merged.at(-1);
    if (top && r[0] <= top[1]) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * At most SNIPPET_CHARS of `text` around its first match, with "…" where it was cut, and the ranges moved into
 * it (ranges past the cut are dropped, one cut through is shortened). Never splits a surrogate pair.
 */
export function snippet(text: string, ranges: [number, number][]): { text: string; highlights: [number, number][] } {
  if (text.length <= SNIPPET_CHARS) return { text, highlights: ranges };
  let start = Math.max(0, (ranges[0]?.[0] ?? 0) - SNIPPET_BEFORE);
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--;
  const lead = start > 0 ? "…" : "";
  let end = Math.min(text.length, start + SNIPPET_CHARS - lead.length - 1);
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end--;
  const tail = end < text.length ? "…" : "";
  const shift = lead.length - start;
  const highlights: [number, number][] = [];
  for (const [a, b] of ranges) {
    if (a >= end || b <= start) continue;
    highlights.push([Math.max(a, start) + shift, Math.min(b, end) + shift]);
  }
  return { text: lead + text.slice(start, end) + tail, highlights };
}
