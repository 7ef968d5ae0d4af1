import { describe, it, expect } from "vitest";
import { ChatState, LIMITS, RecentKeys } from "../../src/durable/chat-state.ts";
import type { ChatMessage, PresenceDelta, RosterEntry } from "../../src/protocol/index.ts";
import type { RosterChange } from "../../src/xmpp/roster.ts";

function entry(jid: string, extra: Partial<RosterEntry> = {}): RosterEntry {
  return { jid, name: "", subscription: "both", ask: false, groups: [], ...extra };
}

function set(jid: string, extra: Partial<RosterEntry> = {}): RosterChange {
  return { kind: "set", item: entry(jid, extra) };
}

function presence(jid: string, resource: string, extra: Partial<PresenceDelta> = {}): PresenceDelta {
  return { jid, resource, available: true, show: "online", status: "", priority: 0, ...extra };
}

let seq = 0;
function msg(peer: string, ts: number, direction: "in" | "out" = "in", body = `m${ts}`): ChatMessage {
  seq += 1;
  return { key: `k${seq}`, peer, direction, body, ts, receipt: direction === "out" ? "sent" : null };
}

describe("ChatState.applyRoster", () => {
  it("adds and updates items and reports them", () => {
    const s = new ChatState();
    expect(s.applyRoster([set("bob@x"), set("carol@x")])).toEqual({
      type: "roster",
      items: [entry("bob@x"), entry("carol@x")],
      removed: [],
    });
    expect(s.applyRoster([set("bob@x", { name: "Bob" })])).toEqual({
      type: "roster",
      items: [entry("bob@x", { name: "Bob" })],
      removed: [],
    });
    expect(s.roster.get("bob@x")?.name).toBe("Bob");
    expect(s.roster.size).toBe(2);
  });

  it("removes items (and their presences) on a remove push", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x"), set("carol@x")]);
    s.applyPresence(presence("bob@x", "phone"));
    expect(s.applyRoster([{ kind: "remove", jid: "bob@x" }])).toEqual({
      type: "roster",
      items: [],
      removed: ["bob@x"],
    });
    expect(s.roster.has("bob@x")).toBe(false);
    expect(s.presences.has("bob@x")).toBe(false);
  });

  it("returns null when nothing changed (removing an unknown jid, empty push)", () => {
    const s = new ChatState();
    expect(s.applyRoster([])).toBeNull();
    expect(s.applyRoster([{ kind: "remove", jid: "nobody@x" }])).toBeNull();
  });

  it("replaceAll drops items missing from the full roster", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x"), set("carol@x"), set("dave@x")]);
    const frame = s.applyRoster([set("carol@x"), set("erin@x")], true);
    expect(frame).toEqual({ type: "roster", items: [entry("carol@x"), entry("erin@x")], removed: ["bob@x", "dave@x"] });
    expect([...s.roster.keys()].sort()).toEqual(["carol@x", "erin@x"]);
  });

  it("replaceAll with an empty roster empties it", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x")]);
    expect(s.applyRoster([], true)).toEqual({ type: "roster", items: [], removed: ["bob@x"] });
    expect(s.roster.size).toBe(0);
    expect(s.applyRoster([], true)).toBeNull();
  });

  it("replaceAll does not report a removal twice", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x")]);
    const frame = s.applyRoster([{ kind: "remove", jid: "bob@x" }], true);
    expect(frame).toEqual({ type: "roster", items: [], removed: ["bob@x"] });
  });
});

describe("ChatState.applyPresence", () => {
  it("tracks several resources per contact and removes them on unavailable", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x")]);
    s.applyPresence(presence("bob@x", "phone", { show: "away", priority: 1 }));
    s.applyPresence(presence("bob@x", "laptop", { show: "dnd", status: "busy" }));
    expect([...(s.presences.get("bob@x")?.keys() ?? [])].sort()).toEqual(["laptop", "phone"]);
    expect(s.presences.get("bob@x")?.get("laptop")).toEqual({
      resource: "laptop",
      show: "dnd",
      status: "busy",
      priority: 0,
    });

    s.applyPresence(presence("bob@x", "phone", { show: "chat" }));
    expect(s.presences.get("bob@x")?.get("phone")?.show).toBe("chat");
    expect(s.presences.get("bob@x")?.size).toBe(2);

    s.applyPresence(presence("bob@x", "phone", { available: false }));
    expect([...(s.presences.get("bob@x")?.keys() ?? [])]).toEqual(["laptop"]);
    s.applyPresence(presence("bob@x", "laptop", { available: false }));
    expect(s.presences.has("bob@x")).toBe(false);
  });

  it("unavailable for an unknown contact or resource is harmless", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x")]);
    s.applyPresence(presence("nobody@x", "r", { available: false }));
    expect(s.presences.size).toBe(0);
    s.applyPresence(presence("bob@x", "a"));
    s.applyPresence(presence("bob@x", "b", { available: false }));
    expect(s.presences.get("bob@x")?.size).toBe(1);
  });

  it("snapshot shows presences on the roster entries", () => {
    const s = new ChatState();
    s.applyRoster([set("bob@x"), set("carol@x")]);
    s.applyPresence(presence("bob@x", "phone", { show: "xa" }));
    const snap = s.snapshot("alice@x", "online");
    if (snap.type !== "snapshot") throw new Error("expected a snapshot");
    expect(snap.roster).toEqual([
      { ...entry("bob@x"), presences: [{ resource: "phone", show: "xa", status: "", priority: 0 }] },
      { ...entry("carol@x"), presences: [] },
    ]);
  });
});

describe("ChatState.applyMessage / read positions", () => {
  it("counts unread only for incoming messages when asked to", () => {
    const s = new ChatState();
    expect(s.applyMessage(msg("bob@x", 1, "in"), true).unread).toBe(1);
    expect(s.applyMessage(msg("bob@x", 2, "out"), true).unread).toBe(1);
    expect(s.applyMessage(msg("bob@x", 3, "in"), false).unread).toBe(1);
    expect(s.applyMessage(msg("bob@x", 4, "in"), true).unread).toBe(2);
  });

  it("keeps lastTs/lastBody of the newest message even when an older one arrives later", () => {
    const s = new ChatState();
    s.applyMessage(msg("bob@x", 100, "in", "newest"), true);
    const c = s.applyMessage(msg("bob@x", 50, "in", "older, from the archive"), true);
    expect(c).toEqual({ peer: "bob@x", lastTs: 100, lastBody: "newest", unread: 2 });
    const same = s.applyMessage(msg("bob@x", 100, "out", "same ts wins"), true);
    expect(same.lastBody).toBe("same ts wins");
    expect(s.conversations.get("bob@x")).toEqual(same);
  });

  it("truncates lastBody to 200 characters", () => {
    const s = new ChatState();
    expect(s.applyMessage(msg("bob@x", 1, "in", "b".repeat(1000)), false).lastBody).toHaveLength(200);
  });

  it("counts only messages after the read position, keeps read state and flags, shows a hidden one again", () => {
    const s = new ChatState();
    s.putConversation({ peer: "bob@x", lastTs: 10, lastBody: "m", unread: 0, readTs: 10, pinned: true, hidden: true });
    // An archive page is no new message: the conversation stays hidden.
    expect(s.applyMessage(msg("bob@x", 3, "in"), false)).toMatchObject({ unread: 0, lastTs: 10, hidden: true });
    expect(s.takeUnhidden()).toEqual([]);
    // A delayed live message from before the read position shows it again, but is no unread one.
    expect(s.applyMessage(msg("bob@x", 5, "in"), true)).toEqual({
      peer: "bob@x",
      lastTs: 10,
      lastBody: "m",
      unread: 0,
      readTs: 10,
      pinned: true,
    });
    expect(s.takeUnhidden()).toEqual(["bob@x"]);
    s.putConversation({ peer: "bob@x", lastTs: 10, lastBody: "m", unread: 0, readTs: 10, pinned: true, hidden: true });
    const c = s.applyMessage(msg("bob@x", 11, "in"), true);
    expect(c).toEqual({ peer: "bob@x", lastTs: 11, lastBody: "m11", unread: 1, readTs: 10, pinned: true });
    expect(s.takeUnhidden()).toEqual(["bob@x"]);
    expect(s.takeUnhidden()).toEqual([]);
    expect(s.countsAsUnread({ peer: "bob@x", direction: "in", ts: 10 }, true)).toBe(false);
    expect(s.countsAsUnread({ peer: "bob@x", direction: "in", ts: 12 }, true)).toBe(true);
    expect(s.countsAsUnread({ peer: "bob@x", direction: "out", ts: 12 }, true)).toBe(false);
    expect(s.countsAsUnread({ peer: "new@x", direction: "in", ts: 1 }, false)).toBe(false);
    // Storage's copy after a read does not take back a newer message not yet stored.
    s.putConversation({ peer: "bob@x", lastTs: 5, lastBody: "stored", unread: 0, readTs: 11 });
    expect(s.conversations.get("bob@x")).toEqual({ peer: "bob@x", lastTs: 11, lastBody: "m11", unread: 0, readTs: 11 });
  });

  it("snapshot orders conversations by lastTs, newest first", () => {
    const s = new ChatState();
    s.applyMessage(msg("a@x", 10), true);
    s.applyMessage(msg("b@x", 30), true);
    s.applyMessage(msg("c@x", 20), true);
    s.applyMessage(msg("a@x", 40, "out"), true);
    s.subscriptionRequests.add("eve@x");
    s.self = { show: "dnd", status: "focus" };
    const snap = s.snapshot("alice@x", "reconnecting");
    if (snap.type !== "snapshot") throw new Error("expected a snapshot");
    expect(snap.conversations.map((c) => c.peer)).toEqual(["a@x", "b@x", "c@x"]);
    expect(snap.self).toEqual({ jid: "alice@x", show: "dnd", status: "focus" });
    expect(snap.connection).toBe("reconnecting");
    expect(snap.subscriptionRequests).toEqual(["eve@x"]);
  });

  it("the snapshot is a copy: mutating it does not touch the state", () => {
    const s = new ChatState();
    s.applyMessage(msg("a@x", 1), true);
    const snap = s.snapshot("alice@x", "online");
    if (snap.type !== "snapshot") throw new Error("expected a snapshot");
    snap.conversations.pop();
    snap.subscriptionRequests.push("x@y");
    expect(s.conversations.size).toBe(1);
    expect(s.subscriptionRequests.size).toBe(0);
  });
});

describe("RecentKeys", () => {
  it("remembers keys", () => {
    const keys = new RecentKeys(3);
    expect(keys.has("a")).toBe(false);
    keys.add("a");
    expect(keys.has("a")).toBe(true);
  });

  it("stays bounded, evicting the oldest first", () => {
    const keys = new RecentKeys(3);
    for (const k of ["a", "b", "c", "d"]) keys.add(k);
    expect(keys.has("a")).toBe(false);
    expect(["b", "c", "d"].every((k) => keys.has(k))).toBe(true);
    keys.add("e");
    expect(keys.has("b")).toBe(false);
  });

  it("re-adding a known key does not evict anything", () => {
    const keys = new RecentKeys(2);
    keys.add("a");
    keys.add("b");
    keys.add("b");
    keys.add("a");
    expect(keys.has("a") && keys.has("b")).toBe(true);
  });

  it("the default bound is large but finite", () => {
    const keys = new RecentKeys();
    for (let i = 0; i < 6000; i++) keys.add(`k${i}`);
    expect(keys.has("k5999")).toBe(true);
    expect(keys.has("k1000")).toBe(true);
    expect(keys.has("k0")).toBe(false);
    expect(keys.has("k999")).toBe(false);
  });
});

describe("bounded state (issue #6 §10)", () => {
  it("keeps presence for contacts only, at most 16 resources each; requests capped; snapshot paged", () => {
    const s = new ChatState();
    s.applyRoster([{ kind: "set", item: { jid: "bob@x", name: "", subscription: "both", ask: false, groups: [] } }]);
    const p = (jid: string, resource: string) => ({
      jid,
      resource,
      available: true,
      show: "online" as const,
      status: "",
      priority: 0,
    });
    expect(s.applyPresence(p("stranger@x", "r"))).toBe(false);
    expect(s.presences.has("stranger@x")).toBe(false);
    for (let i = 0; i < 40; i++) s.applyPresence(p("bob@x", `r${i}`));
    expect(s.presences.get("bob@x")?.size).toBe(LIMITS.resourcesPerContact);
    for (let i = 0; i < 300; i++) s.addSubscriptionRequest(`asker${i}@x`);
    expect(s.subscriptionRequests.size).toBe(LIMITS.subscriptionRequests);
    for (let i = 0; i < 1500; i++) {
      s.applyMessage({ key: `k${i}`, peer: `p${i}@x`, direction: "in", body: "hi", ts: i, receipt: null }, true);
    }
    expect(s.conversations.size).toBeLessThanOrEqual(LIMITS.conversationsInMemory * 1.1);
    expect(s.conversations.has("p1499@x")).toBe(true);
    const snap = s.snapshot("me@x", "online");
    if (snap.type !== "snapshot") throw new Error("unreachable");
    expect(snap.conversations).toHaveLength(LIMITS.conversationsInSnapshot);
    expect(snap.conversations[0]?.peer).toBe("p1499@x");
    expect(snap.moreConversations).toBe(true);
  });
});

describe("ChatState.knownPeers", () => {
  it("lists the conversations, most recent first, then the contacts without one, each once", () => {
    const s = new ChatState();
    s.applyRoster([set("zed@x"), set("bob@x")]);
    s.applyMessage(msg("bob@x", 10), true);
    s.applyMessage(msg("stranger@x", 30), true);
    s.applyMessage(msg("amy@x", 20), true);
    expect(s.knownPeers()).toEqual(["stranger@x", "amy@x", "bob@x", "zed@x"]);
  });
});
