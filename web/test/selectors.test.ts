import { describe, expect, it } from "vitest";
import { connectionText, formatTime, presenceText } from "../src/core/format.ts";
import { chatHref, peerFromHash } from "../src/core/route.ts";
import { EMPTY_HISTORY } from "../src/core/window.ts";
import {
  bestPresence,
  canLoadNewer,
  canLoadOlder,
  displayName,
  documentTitle,
  needsInitialLoad,
  sortRoster,
  totalUnread,
} from "../src/core/selectors.ts";
import { applyFrame, initialState } from "../src/core/state.ts";
import { contact, conv, msg, snapshot } from "./fixtures.ts";

describe("conversations", () => {
  const map = new Map([
    ["a@x", conv("a@x", 100, 1)],
    ["b@x", conv("b@x", 300, 0)],
    ["c@x", conv("c@x", 200, 5)],
  ]);

  it("sum unread into the title", () => {
    expect(totalUnread(map)).toBe(6);
    expect(documentTitle(6)).toBe("(6) Parley");
    expect(documentTitle(0)).toBe("Parley");
  });
});

describe("contacts", () => {
  it("pick the presence with the highest priority, then the most available", () => {
    const c = contact("b@x", {
      presences: [
        { resource: "1", show: "away", status: "", priority: 1 },
        { resource: "2", show: "dnd", status: "", priority: 5 },
        { resource: "3", show: "chat", status: "", priority: 5 },
      ],
    });
    expect(bestPresence(c)?.resource).toBe("3");
    expect(bestPresence(contact("z@x"))).toBeNull();
  });

  it("sort online first, then by name", () => {
    const roster = new Map([
      ["z@x", contact("z@x", { name: "Zed", presences: [{ resource: "r", show: "online", status: "", priority: 0 }] })],
      ["a@x", contact("a@x", { name: "Amy" })],
      ["b@x", contact("b@x", { name: "bob" })],
    ]);
    expect(sortRoster(roster).map((c) => c.jid)).toEqual(["z@x", "a@x", "b@x"]);
  });

  it("display the roster name or the JID", () => {
    const s = applyFrame(initialState(), snapshot());
    expect(displayName(s, "bob@localhost")).toBe("Bob");
    expect(displayName(s, "eve@localhost")).toBe("eve@localhost");
  });
});

describe("history paging rules", () => {
  it("load the first page once", () => {
    expect(needsInitialLoad(undefined)).toBe(true);
    expect(needsInitialLoad({ ...EMPTY_HISTORY, messages: [msg("a", 1)], hasMore: null, loading: null })).toBe(true);
    expect(needsInitialLoad({ ...EMPTY_HISTORY, messages: [], hasMore: null, loading: "r" })).toBe(false);
    expect(needsInitialLoad({ ...EMPTY_HISTORY, messages: [], hasMore: false, loading: null })).toBe(false);
  });

  it("load older pages only when the server said hasMore and nothing is in flight", () => {
    expect(canLoadOlder({ ...EMPTY_HISTORY, messages: [msg("a", 1)], hasMore: true, loading: null })).toBe(true);
    expect(canLoadOlder({ ...EMPTY_HISTORY, messages: [msg("a", 1)], hasMore: true, loading: "r" })).toBe(false);
    expect(canLoadOlder({ ...EMPTY_HISTORY, messages: [msg("a", 1)], hasMore: false, loading: null })).toBe(false);
    expect(canLoadOlder({ ...EMPTY_HISTORY, messages: [msg("a", 1)], hasMore: null, loading: null })).toBe(false);
    expect(canLoadOlder(undefined)).toBe(false);
  });

  it("load newer pages only when the window stops short of the newest and nothing newer is in flight", () => {
    const open = { ...EMPTY_HISTORY, messages: [msg("a", 1)], hasMore: true, hasNewer: true };
    expect(canLoadNewer(open)).toBe(true);
    expect(canLoadNewer({ ...open, loadingNewer: "r" })).toBe(false);
    expect(canLoadNewer({ ...open, loading: "w", replacing: "w" })).toBe(false);
    expect(canLoadNewer({ ...open, hasNewer: false })).toBe(false);
    expect(canLoadNewer(undefined)).toBe(false);
  });
});

describe("format", () => {
  it("labels presence", () => {
    expect(presenceText("xa", " gone ")).toBe("Extended away: gone");
    expect(presenceText(null, "")).toBe("Offline");
  });

  it("shows Reconnecting… whenever the link or the XMPP session is not up", () => {
    expect(connectionText("waiting", true, "online", true)).toBe("Reconnecting…");
    expect(connectionText("connecting", true, "online", true)).toBe("Reconnecting…");
    expect(connectionText("connecting", false, "online", false)).toBe("Connecting…");
    expect(connectionText("open", true, "reconnecting", true)).toBe("Reconnecting…");
    expect(connectionText("open", true, "online", true)).toBe("");
  });

  it("formats times", () => {
    const now = new Date(2025, 5, 10, 15, 0).getTime();
    expect(formatTime(new Date(2025, 5, 10, 9, 5).getTime(), now)).toBe("09:05");
    expect(formatTime(new Date(2023, 0, 2, 9, 5).getTime(), now)).toBe("2023-01-02 09:05");
  });
});

describe("routes", () => {
  it("round-trip a JID through the hash", () => {
    expect(peerFromHash(chatHref("bob@localhost/x y"))).toBe("bob@localhost/x y");
    expect(peerFromHash("#other")).toBeNull();
    expect(peerFromHash("#chat/%E0%A4%A")).toBeNull();
  });
});
