import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../src/protocol/index.ts";
import { applyFrame, conversationsCursor, EMPTY_HISTORY, initialState, reduce } from "../src/core/state.ts";
import type { AppState } from "../src/core/state.ts";
import { contact, conv, msg, snapshot } from "./fixtures.ts";

const apply = (state: AppState, ...frames: ServerFrame[]): AppState => frames.reduce(applyFrame, state);
const ready = (): AppState => apply(initialState("alice@localhost"), snapshot());

describe("snapshot", () => {
  it("fills the state", () => {
    const s = ready();
    expect(s.ready).toBe(true);
    expect(s.self.jid).toBe("alice@localhost");
    expect(s.roster.get("bob@localhost")?.name).toBe("Bob");
    expect(s.conversations.get("bob@localhost")?.unread).toBe(2);
  });

  it("replaces everything, loaded history included", () => {
    let s = apply(ready(), {
      type: "history",
      requestId: "r",
      peer: "bob@localhost",
      messages: [msg("a", 1)],
      hasMore: false,
    });
    s = apply(s, snapshot({ conversations: [], roster: [] }));
    expect(s.histories.size).toBe(0);
    expect(s.conversations.size).toBe(0);
    expect(s.roster.size).toBe(0);
  });
});

describe("message frames", () => {
  const frame = (key: string, ts: number, unread = 1): ServerFrame => ({
    type: "message",
    message: msg(key, ts),
    conversation: conv("bob@localhost", ts, unread, `body ${key}`),
  });

  it("append and update the conversation", () => {
    const s = apply(ready(), frame("a", 2000, 3));
    expect(s.histories.get("bob@localhost")?.messages.map((m) => m.key)).toEqual(["a"]);
    expect(s.conversations.get("bob@localhost")).toEqual(conv("bob@localhost", 2000, 3, "body a"));
  });

  it("dedupe by key", () => {
    const s = apply(ready(), frame("a", 2000), frame("a", 2000), frame("b", 2001));
    expect(s.histories.get("bob@localhost")?.messages.map((m) => m.key)).toEqual(["a", "b"]);
  });

  it("do not count as a loaded first page", () => {
    const s = apply(ready(), frame("a", 2000));
    expect(s.histories.get("bob@localhost")?.hasMore).toBeNull();
  });
});

describe("history", () => {
  it("tracks the request in flight and merges pages", () => {
    let s = reduce(ready(), { kind: "history.requested", peer: "bob@localhost", requestId: "r1" });
    expect(s.histories.get("bob@localhost")?.loading).toBe("r1");
    s = apply(s, {
      type: "history",
      requestId: "r1",
      peer: "bob@localhost",
      messages: [msg("c", 3), msg("d", 4)],
      hasMore: true,
    });
    expect(s.histories.get("bob@localhost")).toEqual({
      ...EMPTY_HISTORY,
      messages: [msg("c", 3), msg("d", 4)],
      hasMore: true,
      loading: null,
    });
    s = reduce(s, { kind: "history.requested", peer: "bob@localhost", requestId: "r2" });
    s = apply(s, {
      type: "history",
      requestId: "r2",
      peer: "bob@localhost",
      messages: [msg("a", 1), msg("b", 2), msg("c", 3)],
      hasMore: false,
    });
    const h = s.histories.get("bob@localhost");
    expect(h?.messages.map((m) => m.key)).toEqual(["a", "b", "c", "d"]);
    expect(h?.hasMore).toBe(false);
    expect(h?.loading).toBeNull();
  });

  it("an error for the request clears loading", () => {
    let s = reduce(ready(), { kind: "history.requested", peer: "bob@localhost", requestId: "r1" });
    s = apply(s, { type: "error", code: "history-failed", message: "nope", requestId: "r1" });
    expect(s.histories.get("bob@localhost")?.loading).toBeNull();
  });

  it("a stale history frame does not clear a newer request", () => {
    let s = reduce(ready(), { kind: "history.requested", peer: "bob@localhost", requestId: "r2" });
    s = apply(s, { type: "history", requestId: "r1", peer: "bob@localhost", messages: [], hasMore: true });
    expect(s.histories.get("bob@localhost")?.loading).toBe("r2");
  });
});

describe("filling a hole in history (issue #7 §6)", () => {
  const progress = (requestId: string, loaded: number, done = false): ServerFrame => ({
    type: "history.progress",
    requestId,
    peer: "bob@localhost",
    loaded,
    done,
  });

  it("counts the messages brought for the load in flight, until its history frame", () => {
    let s = reduce(ready(), { kind: "history.requested", peer: "bob@localhost", requestId: "r1" });
    s = apply(s, progress("r1", 100));
    expect(s.histories.get("bob@localhost")?.filling).toBe(100);
    s = apply(s, progress("r1", 200));
    expect(s.histories.get("bob@localhost")?.filling).toBe(200);
    s = apply(s, { type: "history", requestId: "r1", peer: "bob@localhost", messages: [msg("m1", 1)], hasMore: true });
    const h = s.histories.get("bob@localhost");
    expect(h?.filling).toBeUndefined();
    expect(h?.loading).toBeNull();
    expect(h?.messages.map((m) => m.key)).toEqual(["m1"]);
  });

  it("ends with done, and ignores progress of a request the tab no longer waits for", () => {
    let s = reduce(ready(), { kind: "history.requested", peer: "bob@localhost", requestId: "r2" });
    const before = s;
    s = apply(s, progress("r1", 50));
    expect(s).toBe(before);
    s = apply(s, progress("r2", 50));
    s = apply(s, progress("r2", 120, true));
    expect(s.histories.get("bob@localhost")?.filling).toBeUndefined();
    expect(s.histories.get("bob@localhost")?.loading).toBe("r2");
  });

  it("a stale history frame keeps the newer load's progress; an error clears it", () => {
    let s = reduce(ready(), { kind: "history.requested", peer: "bob@localhost", requestId: "r2" });
    s = apply(s, progress("r2", 30));
    s = apply(s, { type: "history", requestId: "r1", peer: "bob@localhost", messages: [], hasMore: true });
    expect(s.histories.get("bob@localhost")?.filling).toBe(30);
    s = apply(s, { type: "error", code: "history-failed", message: "nope", requestId: "r2" });
    expect(s.histories.get("bob@localhost")?.filling).toBeUndefined();
  });
});

describe("receipts", () => {
  it("mark an outgoing message received", () => {
    let s = apply(ready(), {
      type: "message",
      message: msg("o1", 5, { direction: "out", receipt: "sent" }),
      conversation: conv("bob@localhost", 5),
      requestId: "q",
    });
    s = apply(s, { type: "receipt", peer: "bob@localhost", key: "o1" });
    expect(s.histories.get("bob@localhost")?.messages[0]?.receipt).toBe("received");
  });

  it("for unknown peers are ignored", () => {
    const s = ready();
    expect(apply(s, { type: "receipt", peer: "zed@localhost", key: "k" })).toBe(s);
  });
});

describe("roster, presence, subscriptions", () => {
  it("applies presence deltas per resource", () => {
    let s = apply(ready(), {
      type: "presence",
      updates: [
        { jid: "bob@localhost", resource: "phone", available: true, show: "away", status: "out", priority: 0 },
        { jid: "bob@localhost", resource: "pc", available: true, show: "online", status: "", priority: 5 },
        { jid: "stranger@localhost", resource: "x", available: true, show: "online", status: "", priority: 0 },
      ],
    });
    expect(s.roster.get("bob@localhost")?.presences.map((p) => p.resource)).toEqual(["phone", "pc"]);
    expect(s.roster.has("stranger@localhost")).toBe(false);
    s = apply(s, {
      type: "presence",
      updates: [{ jid: "bob@localhost", resource: "phone", available: false, show: "online", status: "", priority: 0 }],
    });
    expect(s.roster.get("bob@localhost")?.presences.map((p) => p.resource)).toEqual(["pc"]);
  });

  it("upserts roster items keeping presences, and removes", () => {
    let s = apply(ready(), {
      type: "presence",
      updates: [{ jid: "bob@localhost", resource: "r", available: true, show: "dnd", status: "", priority: 0 }],
    });
    s = apply(s, {
      type: "roster",
      items: [
        { jid: "bob@localhost", name: "Robert", subscription: "both", ask: false, groups: [] },
        { jid: "carol@localhost", name: "", subscription: "none", ask: true, groups: [] },
      ],
      removed: [],
    });
    expect(s.roster.get("bob@localhost")?.name).toBe("Robert");
    expect(s.roster.get("bob@localhost")?.presences).toHaveLength(1);
    expect(s.roster.get("carol@localhost")).toEqual(contact("carol@localhost", { subscription: "none", ask: true }));
    s = apply(s, { type: "roster", items: [], removed: ["bob@localhost"] });
    expect(s.roster.has("bob@localhost")).toBe(false);
  });

  it("tracks subscription requests without duplicates", () => {
    let s = apply(
      ready(),
      { type: "subscription.request", jid: "eve@localhost" },
      { type: "subscription.request", jid: "eve@localhost" },
    );
    expect(s.requests).toEqual(["eve@localhost"]);
    s = apply(s, { type: "subscription.handled", jid: "eve@localhost" });
    expect(s.requests).toEqual([]);
  });

  it("updates self presence and connection state", () => {
    const s = apply(
      ready(),
      { type: "self.presence", show: "dnd", status: "busy" },
      { type: "connection", state: "reconnecting" },
    );
    expect(s.self).toEqual({ jid: "alice@localhost", show: "dnd", status: "busy" });
    expect(s.connection).toBe("reconnecting");
  });
});

describe("local actions", () => {
  it("read moves the position forwards optimistically, never backwards, and never raises the count", () => {
    const s = reduce(ready(), { kind: "read", peer: "bob@localhost", ts: 50, unread: 0 });
    expect(s.conversations.get("bob@localhost")).toMatchObject({ unread: 0, readTs: 50 });
    expect(reduce(s, { kind: "read", peer: "bob@localhost", ts: 40, unread: 0 })).toBe(s);
    const t = reduce(ready(), { kind: "read", peer: "bob@localhost", ts: 50, unread: 99 });
    expect(t.conversations.get("bob@localhost")?.unread).toBe(ready().conversations.get("bob@localhost")?.unread);
  });

  it("the object's conversation frame replaces the optimistic entry (another client read less or more)", () => {
    const s = reduce(ready(), { kind: "read", peer: "bob@localhost", ts: 50, unread: 0 });
    const t = apply(s, { type: "conversation", conversation: { ...conv("bob@localhost", 60, 2), readTs: 30 } });
    expect(t.conversations.get("bob@localhost")).toMatchObject({ unread: 2, readTs: 30 });
  });

  it("conversation frames upsert", () => {
    const s = apply(ready(), { type: "conversation", conversation: conv("carol@localhost", 9, 4) });
    expect(s.conversations.get("carol@localhost")?.unread).toBe(4);
  });

  it("pong and ack change nothing", () => {
    const s = ready();
    expect(apply(s, { type: "pong" }, { type: "ack", requestId: "x" })).toBe(s);
  });
});

describe("conversations paged beyond the snapshot (issue #6 §10)", () => {
  it("keeps what the tab has, adds older ones, and pages from the last one in the object's order", () => {
    const c = (peer: string, lastTs: number) => ({ peer, lastTs, lastBody: "", unread: 0 });
    let s = applyFrame(initialState("me@x"), {
      type: "snapshot",
      self: { jid: "me@x", show: "online", status: "" },
      connection: "online",
      roster: [],
      conversations: [c("a@x", 30), c("b@x", 20), c("c@x", 20)],
      moreConversations: true,
      subscriptionRequests: [],
    });
    expect(s.moreConversations).toBe(true);
    expect(conversationsCursor(s.conversations)).toEqual({ lastTs: 20, peer: "c@x" });
    s = applyFrame(s, {
      type: "conversations.page",
      requestId: "p1",
      conversations: [c("a@x", 1), c("d@x", 10)],
      hasMore: false,
    });
    expect(s.conversations.get("a@x")?.lastTs).toBe(30);
    expect(s.conversations.get("d@x")?.lastTs).toBe(10);
    expect(s.moreConversations).toBe(false);
  });
});

describe("drafts kept by the object (issue #7 §4)", () => {
  it("come with the snapshot and follow draft frames", () => {
    let s = applyFrame(initialState("me@x"), {
      type: "snapshot",
      self: { jid: "me@x", show: "online", status: "" },
      connection: "online",
      roster: [],
      conversations: [],
      drafts: [{ peer: "bob@x", text: "hi" }],
      subscriptionRequests: [],
    });
    expect(s.drafts.get("bob@x")).toBe("hi");
    s = applyFrame(s, { type: "draft", peer: "carol@x", text: "yo" });
    s = applyFrame(s, { type: "draft", peer: "bob@x", text: "" });
    expect([...s.drafts]).toEqual([["carol@x", "yo"]]);
  });
});
