import { describe, expect, it } from "vitest";
import type { SearchResult } from "../../src/protocol/index.ts";
import { groupResults, mergeSources, segments, statusText } from "../src/features/search/results.ts";

const r = (peer: string, key: string, ts: number): SearchResult => ({
  peer,
  key,
  ts,
  direction: "in",
  text: `text ${key}`,
  highlights: [[0, 4]],
});
const keys = (list: readonly SearchResult[]) => list.map((x) => x.key);

describe("segments", () => {
  it("cuts the snippet into plain and marked parts", () => {
    expect(
      segments("say hello to hello", [
        [4, 9],
        [13, 18],
      ]),
    ).toEqual([
      { text: "say ", mark: false },
      { text: "hello", mark: true },
      { text: " to ", mark: false },
      { text: "hello", mark: true },
    ]);
  });

  it("clamps, sorts and joins bad ranges", () => {
    expect(
      segments("abcdef", [
        [4, 99],
        [-3, 2],
        [1, 3],
        [5, 5],
      ]),
    ).toEqual([
      { text: "abc", mark: true },
      { text: "d", mark: false },
      { text: "ef", mark: true },
    ]);
    expect(segments("abc", [])).toEqual([{ text: "abc", mark: false }]);
    expect(segments("", [[0, 1]])).toEqual([]);
  });
});

describe("groupResults", () => {
  it("groups by conversation in order of first appearance, keeping the order within", () => {
    const groups = groupResults([r("b", "1", 9), r("c", "2", 8), r("b", "3", 7), r("d", "4", 6), r("c", "5", 5)]);
    expect(groups.map((g) => [g.peer, keys(g.results)])).toEqual([
      ["b", ["1", "3"]],
      ["c", ["2", "5"]],
      ["d", ["4"]],
    ]);
  });
});

describe("mergeSources", () => {
  it("merges server and local results in the server's order", () => {
    const m = mergeSources([
      { results: [r("b", "s1", 9), r("b", "s2", 5)], hasMore: false },
      { results: [r("c", "l1", 7), r("b", "l2", 1)], hasMore: false },
    ]);
    expect(keys(m.results)).toEqual(["s1", "l1", "s2", "l2"]);
    expect(m.hasMore).toBe(false);
    expect(m.next).toEqual([]);
  });

  it("holds back results past where a source with more stops, and asks that source for its next page", () => {
    const m = mergeSources([
      { results: [r("b", "s1", 9), r("b", "s2", 6)], hasMore: true },
      { results: [r("c", "l1", 7), r("c", "l2", 2)], hasMore: false },
    ]);
    // The server's next page may hold results between ts 6 and 2: l2 waits.
    expect(keys(m.results)).toEqual(["s1", "l1", "s2"]);
    expect(m.hasMore).toBe(true);
    expect(m.next).toEqual([0]);
    const later = mergeSources([
      { results: [r("b", "s1", 9), r("b", "s2", 6), r("b", "s3", 3)], hasMore: false },
      { results: [r("c", "l1", 7), r("c", "l2", 2)], hasMore: false },
    ]);
    expect(keys(later.results)).toEqual(["s1", "l1", "s2", "s3", "l2"]);
  });

  it("when both have more, the one stopping first is paged", () => {
    const m = mergeSources([
      { results: [r("b", "s1", 9), r("b", "s2", 6)], hasMore: true },
      { results: [r("c", "l1", 8), r("c", "l2", 7)], hasMore: true },
    ]);
    expect(keys(m.results)).toEqual(["s1", "l1", "l2"]);
    expect(m.next).toEqual([1]);
  });

  it("drops a result both sources return", () => {
    const m = mergeSources([
      { results: [r("b", "x", 9)], hasMore: false },
      { results: [r("b", "x", 9)], hasMore: false },
    ]);
    expect(keys(m.results)).toEqual(["x"]);
  });
});

describe("statusText", () => {
  it("says what the search found", () => {
    expect(statusText("searching", 0, 0)).toBe("Searching…");
    expect(statusText("done", 0, 0)).toBe("No messages found");
    expect(statusText("done", 1, 1)).toBe("1 result in 1 conversation");
    expect(statusText("done", 5, 2)).toBe("5 results in 2 conversations");
  });
});
