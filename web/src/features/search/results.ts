// The pure part of the search panel (issue #7 §5): the results of two sources (the server's FTS5 search over
// clear messages, this device's search over its OMEMO plaintexts) shown as one list in the server's order, grouped
// by conversation, each snippet cut into plain and matched segments for the panel to wrap in <mark> elements.
import type { SearchResult } from "../../../../src/protocol/index.ts";
import { compareResults, mergeResults } from "./local.ts";

/** What one source returned so far: its pages appended, and whether it has more after the last one. */
export interface SourcePages {
  readonly results: readonly SearchResult[];
  readonly hasMore: boolean;
}

export interface Merged {
  /** What can be shown: every result up to where a source with more pages stops (nothing of theirs could fall in). */
  readonly results: SearchResult[];
  /** More results exist (already fetched but held back, or still at a source). */
  readonly hasMore: boolean;
  /** The sources whose next page is needed to show more (those that stop at the cut). */
  readonly next: number[];
}

/**
 * Merges the sources' pages. A source with more pages may still hold results newer than another source's
 * fetched ones: results past the earliest point where such a source stops are held back until it has paged on,
 * so "Load more results" only ever appends, in order.
 */
export function mergeSources(sources: readonly SourcePages[]): Merged {
  let cut: SearchResult | null = null;
  for (const s of sources) {
    const last = s.results.at(-1);
    if (s.hasMore && last && (cut === null || compareResults(last, cut) < 0)) cut = last;
  }
  const all = mergeResults(...sources.map((s) => s.results));
  const limit = cut;
  const results = limit === null ? all : all.filter((r) => compareResults(r, limit) <= 0);
  const next: number[] = [];
  sources.forEach((s, i) => {
    const last = s.results.at(-1);
    if (s.hasMore && (last === undefined || (limit !== null && compareResults(last, limit) === 0))) next.push(i);
  });
  return { results, hasMore: sources.some((s) => s.hasMore), next };
}

export interface ResultGroup {
  readonly peer: string;
  readonly results: readonly SearchResult[];
}

/** Groups by conversation in order of first appearance (each placed by its newest match), newest first within. */
export function groupResults(results: readonly SearchResult[]): ResultGroup[] {
  const groups = new Map<string, SearchResult[]>();
  for (const r of results) {
    const list = groups.get(r.peer);
    if (list) list.push(r);
    else groups.set(r.peer, [r]);
  }
  return [...groups].map(([peer, list]) => ({ peer, results: list }));
}

export interface Segment {
  readonly text: string;
  readonly mark: boolean;
}

/**
 * The snippet cut into plain and matched segments. The ranges come from the server: they are clamped to the text,
 * sorted, and overlapping ones joined, so a bad range can only mark less, never break the text.
 */
export function segments(text: string, highlights: readonly (readonly [number, number])[]): Segment[] {
  const ranges = highlights
    .map(([a, b]): [number, number] => [Math.max(0, Math.min(a, text.length)), Math.max(0, Math.min(b, text.length))])
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0]);
  const out: Segment[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    const start = Math.max(a, at);
    if (start >= b) continue;
    const prev = out.at(-1);
    if (start > at) out.push({ text: text.slice(at, start), mark: false });
    else if (prev?.mark) out.pop(); // Overlapping or touching ranges: one mark.
    out.push({ text: text.slice(start > at || !prev?.mark ? start : at - prev.text.length, b), mark: true });
    at = b;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}

/** What the panel says about the search (its live region). */
export function statusText(status: "searching" | "done" | "failed", count: number, groups: number): string {
  if (status === "searching") return "Searching…";
  if (status === "failed") return "";
  if (count === 0) return "No messages found";
  const results = count === 1 ? "1 result" : `${count} results`;
  return groups === 1 ? `${results} in 1 conversation` : `${results} in ${groups} conversations`;
}
