// The history window (core/window.ts through the reducer): a conversation opened at a search result, paged both
// ways, live messages kept aside while the window stops short of the newest.
import { describe, expect, it } from "vitest";
import type { ChatMessage, ServerFrame } from "../../src/protocol/index.ts";
import { applyFrame, initialState, reduce, type AppState, type HistoryMode } from "../src/core/state.ts";
import { newestCursor } from "../src/core/window.ts";
import { conv, msg, snapshot } from "./fixtures.ts";

const PEER = "bob@localhost";
const apply = (state: AppState, ...frames: ServerFrame[]): AppState => frames.reduce(applyFrame, state);
const ready = (): AppState => apply(initialState("alice@localhost"), snapshot());
const ask = (s: AppState, requestId: string, mode: HistoryMode): AppState =>
  reduce(s, { kind: "history.requested", peer: PEER, requestId, mode });
const page = (requestId: string, messages: ChatMessage[], hasMore: boolean, hasNewer?: boolean): ServerFrame => ({
  type: "history",
  requestId,
  peer: PEER,
  messages,
  hasMore,
  ...(hasNewer === undefined ? {} : { hasNewer }),
});
const live = (key: string, ts: number, extra: Partial<ChatMessage> = {}): ServerFrame => ({
  type: "message",
  message: msg(key, ts, extra),
  conversation: conv(PEER, ts, 0, `body ${key}`),
});
/** Messages m<from>..m<to> at ts = their number. */
const run = (from: number, to: number): ChatMessage[] =>
  Array.from({ length: to - from + 1 }, (_, i) => msg(`m${from + i}`, from + i));
const keys = (s: AppState): string[] => s.histories.get(PEER)?.messages.map((m) => m.key) ?? [];
const pendingKeys = (s: AppState): string[] => s.histories.get(PEER)?.pending.map((m) => m.key) ?? [];
const h = (s: AppState) => s.histories.get(PEER);

/** The newest page (m151..m200) loaded, then a window around m30 (m5..m54) opened. */
function windowOpened(): AppState {
  let s = ask(ready(), "first", "older");
  s = apply(s, page("first", run(151, 200), true));
  s = ask(s, "w", "window");
  return apply(s, page("w", run(5, 54), true, true));
}

describe("a window around a message", () => {
  it("replaces the loaded messages and says it stops short of the newest", () => {
    const s = windowOpened();
    expect(keys(s)).toEqual(run(5, 54).map((m) => m.key));
    expect(h(s)?.hasNewer).toBe(true);
    expect(h(s)?.hasMore).toBe(true);
    expect(h(s)?.loading).toBeNull();
    expect(h(s)?.window).toBe(1);
    // The newest page the tab had stays aside until the window reaches it: no hole in the list.
    expect(pendingKeys(s)).toEqual(run(151, 200).map((m) => m.key));
  });

  it("drops answers to requests sent before the window was asked for", () => {
    let s = ask(ready(), "first", "older");
    s = ask(s, "w", "window");
    // The newest page arrives after the window was asked for, then the window.
    s = apply(s, page("first", run(151, 200), true));
    expect(keys(s)).toEqual([]);
    s = apply(s, page("w", run(5, 54), true, true));
    expect(keys(s)).toEqual(run(5, 54).map((m) => m.key));
    expect(h(s)?.superseded).toEqual([]);
  });

  it("pages older messages before it as usual", () => {
    let s = ask(windowOpened(), "o", "older");
    s = apply(s, page("o", run(1, 4), false));
    expect(keys(s)).toEqual(run(1, 54).map((m) => m.key));
    expect(h(s)?.hasMore).toBe(false);
    expect(h(s)?.hasNewer).toBe(true);
  });

  it("pages newer messages with `after`, joining the pending ones once it reaches the newest", () => {
    let s = ask(windowOpened(), "n1", "newer");
    expect(h(s)?.loadingNewer).toBe("n1");
    s = apply(s, page("n1", run(55, 104), true, true));
    expect(keys(s).at(-1)).toBe("m104");
    expect(h(s)?.hasNewer).toBe(true);
    expect(h(s)?.loadingNewer).toBeNull();
    s = ask(s, "n2", "newer");
    s = apply(s, page("n2", run(105, 154), true, true));
    // The pending m151..m154 are now inside the window (merged once, not twice).
    expect(keys(s)).toEqual(run(5, 154).map((m) => m.key));
    expect(pendingKeys(s)).toEqual(run(155, 200).map((m) => m.key));
    s = ask(s, "n3", "newer");
    s = apply(s, page("n3", run(155, 190), true, false));
    expect(keys(s)).toEqual(run(5, 200).map((m) => m.key));
    expect(h(s)?.pending).toEqual([]);
    expect(h(s)?.hasNewer).toBe(false);
  });

  it("keeps live messages newer than the window aside, and puts one within it in its place", () => {
    let s = apply(windowOpened(), live("new", 500), live("late", 20.5));
    expect(keys(s)).toContain("late");
    expect(keys(s).indexOf("late")).toBe(keys(s).indexOf("m20") + 1);
    expect(keys(s)).not.toContain("new");
    expect(pendingKeys(s).at(-1)).toBe("new");
    // The last newer page (read before "new" was stored) does not have it: it is not lost.
    s = ask(s, "n", "newer");
    s = apply(s, page("n", run(55, 200), true, false));
    expect(keys(s).at(-1)).toBe("new");
    expect(keys(s).filter((k) => k === "m151")).toHaveLength(1);
  });

  it("applies receipts and updates to pending messages too", () => {
    let s = apply(windowOpened(), live("o", 600, { direction: "out", receipt: "sent" }));
    s = apply(s, { type: "receipt", peer: PEER, key: "o" });
    expect(h(s)?.pending.at(-1)?.receipt).toBe("received");
    s = apply(s, { type: "message.update", message: msg("o", 600, { direction: "out", body: "fixed" }) });
    expect(h(s)?.pending.at(-1)?.body).toBe("fixed");
  });

  it("jumping to the newest page (a window without hasNewer) joins everything live", () => {
    let s = apply(windowOpened(), live("new", 500));
    s = ask(s, "latest", "window");
    s = apply(s, page("latest", run(151, 200), true));
    expect(keys(s)).toEqual([...run(151, 200).map((m) => m.key), "new"]);
    expect(h(s)?.hasNewer).toBe(false);
    expect(h(s)?.pending).toEqual([]);
    expect(h(s)?.window).toBe(2);
  });

  it("a window near the end reaches the newest: the live messages of the old list join it", () => {
    let s = ask(ready(), "first", "older");
    s = apply(s, page("first", run(151, 200), true));
    s = ask(s, "w", "window");
    s = apply(s, live("meanwhile", 201));
    s = apply(s, page("w", run(170, 200), true, false));
    expect(keys(s)).toEqual([...run(170, 200).map((m) => m.key), "meanwhile"]);
  });

  it("drops a window nobody waits for (asked before a snapshot)", () => {
    let s = ask(ready(), "w", "window");
    s = apply(s, snapshot());
    s = ask(s, "first", "older");
    s = apply(s, page("w", run(5, 54), true, true), page("first", run(151, 200), true));
    expect(keys(s)).toEqual(run(151, 200).map((m) => m.key));
    expect(h(s)?.hasNewer).toBe(false);
  });

  it("a failed window request leaves nothing in flight", () => {
    let s = ask(ready(), "w", "window");
    s = apply(s, { type: "error", code: "history-failed", message: "item-not-found", requestId: "w" });
    expect(h(s)?.loading).toBeNull();
    expect(h(s)?.replacing).toBeNull();
    s = ask(s, "n", "newer");
    s = apply(s, { type: "error", code: "history-failed", message: "nope", requestId: "n" });
    expect(h(s)?.loadingNewer).toBeNull();
  });

  it("the cursor for newer pages is the newest loaded message", () => {
    expect(newestCursor(run(1, 3))).toEqual({ ts: 3, key: "m3" });
    expect(newestCursor([])).toBeNull();
  });
});
