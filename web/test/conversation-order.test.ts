import { describe, expect, it } from "vitest";
import type { Conversation } from "../../src/protocol/index.ts";
import { isUnread, orderConversations, outgoingStatus, unreadText } from "../src/core/conversation-order.ts";

const conv = (peer: string, lastTs: number, extra: Partial<Conversation> = {}): Conversation => ({
  peer,
  lastTs,
  lastBody: "",
  unread: 0,
  ...extra,
});

describe("conversation list order (issue #7 §4)", () => {
  it("pinned first, then unread (Movim's rule), then last activity; hidden left out", () => {
    const list = [
      conv("old@x", 1),
      conv("new@x", 50),
      conv("unread@x", 10, { unread: 2 }),
      conv("pinned-old@x", 0, { pinned: true }),
      conv("pinned-new@x", 40, { pinned: true }),
      conv("muted@x", 20, { unread: 5, muted: true }),
      conv("hidden@x", 99, { hidden: true, unread: 1 }),
      conv("a-same@x", 50),
    ];
    expect(orderConversations(list).map((c) => c.peer)).toEqual([
      "pinned-new@x",
      "pinned-old@x",
      "unread@x",
      "a-same@x",
      "new@x",
      "muted@x",
      "old@x",
    ]);
    expect(orderConversations(list, { includeHidden: true })[2]?.peer).toBe("hidden@x");
  });

  it("says the unread count in words", () => {
    expect(unreadText(0)).toBe("");
    expect(unreadText(1)).toBe("1 unread");
    expect(unreadText(3)).toBe("3 unread");
  });

  it("Read for our messages up to the contact's read position, Delivered on a receipt", () => {
    const c = conv("bob@x", 30, { peerReadTs: 20 });
    expect(outgoingStatus({ direction: "out", ts: 20, receipt: "sent" }, c)).toBe("Read");
    expect(outgoingStatus({ direction: "out", ts: 21, receipt: "received" }, c)).toBe("Delivered");
    expect(outgoingStatus({ direction: "out", ts: 21, receipt: "sent" }, c)).toBeNull();
    expect(outgoingStatus({ direction: "in", ts: 1, receipt: null }, c)).toBeNull();
    expect(outgoingStatus({ direction: "out", ts: 1, receipt: "received" }, undefined)).toBe("Delivered");
  });

  it("incoming messages after the read position are the unread ones", () => {
    const c = conv("bob@x", 30, { readTs: 20, unread: 1 });
    expect(isUnread({ direction: "in", ts: 30 }, c)).toBe(true);
    expect(isUnread({ direction: "in", ts: 20 }, c)).toBe(false);
    expect(isUnread({ direction: "out", ts: 30 }, c)).toBe(false);
    expect(isUnread({ direction: "in", ts: 30 }, { ...c, unread: 0 })).toBe(false);
  });
});
