// The search results rendered to markup (preact-render-to-string): grouped under the contact's name, matches as
// <mark> elements, remote text escaped, "You" for one's own messages, the states said in text.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import type { ClientFrame, SearchResult } from "../../src/protocol/index.ts";
import { applyFrame, initialState } from "../src/core/state.ts";
import { SearchBox, SearchResults } from "../src/features/search/search-panel.tsx";
import { SearchModel } from "../src/features/search/search.ts";
import { snapshot } from "./fixtures.ts";

const state = applyFrame(initialState("alice@localhost"), snapshot());

function searched(results: SearchResult[], hasMore = false): SearchModel {
  const sent: ClientFrame[] = [];
  const model = new SearchModel({
    send: (f) => sent.push(f) > 0,
    searchLocal: () => new Promise(() => {}),
  });
  model.input("hello");
  model.submit();
  const req = sent[0];
  if (req?.type !== "search") throw new Error("no search sent");
  // The local search never answers here: the search stays "searching" with the server's page in.
  model.handle({ type: "search.results", requestId: req.requestId, query: "hello", results, hasMore });
  return model;
}

const html = (model: SearchModel) =>
  render(<SearchResults search={model} state={state} current={null} openAt={() => {}} />);

describe("SearchResults", () => {
  it("says it is searching until every source answered", () => {
    const out = html(searched([]));
    expect(out).toContain('role="status">Searching…</p>');
  });

  it("the box is a search field named Search messages", () => {
    const out = render(<SearchBox search={searched([])} reveal={() => {}} />);
    expect(out).toContain('role="search"');
    expect(out).toContain('type="search"');
    expect(out).toContain('aria-label="Search messages"');
  });
});

describe("a finished search", () => {
  it("groups under the contact's name, marks the matches as elements and escapes remote text", async () => {
    const sent: ClientFrame[] = [];
    const model = new SearchModel({
      send: (f) => sent.push(f) > 0,
      searchLocal: async () => ({
        results: [
          { peer: "bob@localhost", key: "l", ts: 5, direction: "out", text: "hello from me", highlights: [[0, 5]] },
        ],
        hasMore: false,
      }),
    });
    model.input("hello");
    model.submit();
    const req = sent[0];
    if (req?.type !== "search") throw new Error("no search sent");
    model.handle({
      type: "search.results",
      requestId: req.requestId,
      query: "hello",
      results: [
        { peer: "bob@localhost", key: "s", ts: 9, direction: "in", text: "<b>hello</b> there", highlights: [[3, 8]] },
        { peer: "eve@localhost", key: "e", ts: 7, direction: "in", text: "hello eve", highlights: [[0, 5]] },
      ],
      hasMore: false,
    });
    await Promise.resolve();
    const out = html(model);
    expect(out).toContain('role="status">3 results in 2 conversations</p>');
    expect(out).toContain(">Bob</h3>");
    expect(out).toContain(">eve@localhost</h3>");
    expect(out).toContain("&lt;b><mark>hello</mark>&lt;/b> there");
    expect(out).not.toContain("<b>");
    expect(out).toContain('<span class="hit-who">You</span>');
    expect(out).not.toContain("Load more results");
  });
});
