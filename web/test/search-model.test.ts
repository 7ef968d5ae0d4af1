// The search panel's state with a fake socket and a fake plaintext search (the server and this device's
// encrypted messages): debounce, stale answers, merge of both sources, paging, failure.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientFrame, SearchCursor, SearchResult } from "../../src/protocol/index.ts";
import type { LocalPage } from "../src/features/search/local.ts";
import { mergeSources } from "../src/features/search/results.ts";
import { SEARCH_DEBOUNCE_MS, SearchModel } from "../src/features/search/search.ts";

const r = (peer: string, key: string, ts: number): SearchResult => ({
  peer,
  key,
  ts,
  direction: "in",
  text: `hello ${key}`,
  highlights: [[0, 5]],
});

function setup(local: (query: string, before?: SearchCursor) => Promise<LocalPage>) {
  const sent: Extract<ClientFrame, { type: "search" }>[] = [];
  const model = new SearchModel({
    send: (f) => {
      if (f.type === "search") sent.push(f);
      return true;
    },
    searchLocal: local,
  });
  const shown = () => mergeSources(model.view.value.sources).results.map((x) => x.key);
  return { model, sent, shown };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("SearchModel", () => {
  it("searches after a pause, once, and merges the server's and this device's results", async () => {
    const local = vi.fn(async () => ({ results: [r("c@x", "enc", 8)], hasMore: false }));
    const { model, sent, shown } = setup(local);
    model.input("he");
    model.input("hel");
    model.input("hello");
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(sent.map((f) => f.query)).toEqual(["hello"]);
    expect(local).toHaveBeenCalledTimes(1);
    expect(model.view.value.status).toBe("searching");
    const requestId = sent[0]?.requestId ?? "";
    model.handle({
      type: "search.results",
      requestId,
      query: "hello",
      results: [r("b@x", "s1", 9), r("b@x", "s2", 5)],
      hasMore: false,
    });
    expect(model.view.value.status).toBe("done");
    expect(shown()).toEqual(["s1", "enc", "s2"]);
  });

  it("drops answers to an older search", async () => {
    const { model, sent, shown } = setup(async () => ({ results: [], hasMore: false }));
    model.input("old");
    model.submit();
    model.input("new");
    model.submit();
    await vi.runAllTimersAsync();
    const [old, cur] = sent;
    model.handle({
      type: "search.results",
      requestId: old?.requestId ?? "",
      query: "old",
      results: [r("b@x", "o", 1)],
      hasMore: false,
    });
    expect(shown()).toEqual([]);
    model.handle({
      type: "search.results",
      requestId: cur?.requestId ?? "",
      query: "new",
      results: [r("b@x", "n", 2)],
      hasMore: false,
    });
    expect(shown()).toEqual(["n"]);
  });

  it("pages the source that stops first with its cursor", async () => {
    const local = vi.fn(async (_q: string, before?: SearchCursor) =>
      before ? { results: [], hasMore: false } : { results: [r("c@x", "l1", 3)], hasMore: false },
    );
    const { model, sent, shown } = setup(local);
    model.input("hello");
    model.submit();
    await vi.runAllTimersAsync();
    model.handle({
      type: "search.results",
      requestId: sent[0]?.requestId ?? "",
      query: "hello",
      results: [r("b@x", "s1", 9), r("b@x", "s2", 5)],
      hasMore: true,
    });
    expect(shown()).toEqual(["s1", "s2"]);
    model.loadMore();
    expect(model.view.value.loadingMore).toBe(true);
    expect(sent[1]?.before).toEqual({ ts: 5, peer: "b@x", key: "s2" });
    expect(local).toHaveBeenCalledTimes(1);
    model.handle({
      type: "search.results",
      requestId: sent[1]?.requestId ?? "",
      query: "hello",
      results: [r("b@x", "s3", 1)],
      hasMore: false,
    });
    expect(shown()).toEqual(["s1", "s2", "l1", "s3"]);
    expect(model.view.value.loadingMore).toBe(false);
  });

  it("says when the search failed, and clears back to idle", async () => {
    const { model, sent } = setup(async () => ({ results: [], hasMore: false }));
    model.input("hello");
    model.submit();
    await vi.runAllTimersAsync();
    expect(model.settle("someone-else", "x")).toBe(false);
    expect(model.settle(sent[0]?.requestId ?? "", "Too many searches.")).toBe(true);
    expect(model.view.value.status).toBe("failed");
    expect(model.view.value.error).toBe("Too many searches.");
    model.clear();
    expect(model.view.value.status).toBe("idle");
    expect(model.text.value).toBe("");
  });

  it("a query of punctuation only finds nothing without asking", () => {
    const local = vi.fn(async () => ({ results: [], hasMore: false }));
    const { model, sent } = setup(local);
    model.input("!!!");
    model.submit();
    expect(sent).toHaveLength(0);
    expect(model.view.value.status).toBe("done");
  });

  it("a local search that fails adds nothing", async () => {
    const { model, sent, shown } = setup(() => Promise.reject(new Error("idb gone")));
    model.input("hello");
    model.submit();
    model.handle({
      type: "search.results",
      requestId: sent[0]?.requestId ?? "",
      query: "hello",
      results: [r("b@x", "s", 1)],
      hasMore: false,
    });
    await vi.runAllTimersAsync();
    expect(model.view.value.status).toBe("done");
    expect(shown()).toEqual(["s"]);
  });
});
