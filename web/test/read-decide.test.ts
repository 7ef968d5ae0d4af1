import { describe, expect, it } from "vitest";
import {
  firstUnreadKey,
  newMessagesAfter,
  readTarget,
  scrollButtonText,
  unreadAfter,
  withUnreadLine,
  type ReadableMessage,
  type ReadInput,
} from "../src/features/read/decide.ts";

const m = (key: string, ts: number, direction: "in" | "out" = "in", extra: Partial<ReadableMessage> = {}) => ({
  key,
  ts,
  direction,
  ...extra,
});
const KEY_TRANSPORT = { namespace: "eu.siacs.conversations.axolotl", xml: "<encrypted/>", hasPayload: false } as const;
const log: ReadableMessage[] = [m("a", 10), m("b", 20, "out"), m("c", 30), m("d", 40), m("e", 50)];

const input = (extra: Partial<ReadInput> = {}): ReadInput => ({
  attending: true,
  onScreen: new Set(["c", "d"]),
  messages: log,
  conversation: { readTs: 10, unread: 3 },
  sentTs: 0,
  ...extra,
});

describe("which message the tab reports as read (XEP-0333 displayed, XEP-0490)", () => {
  it("the newest incoming message on screen", () => {
    expect(readTarget(input())).toEqual({ key: "d", ts: 40 });
  });

  it("nothing from a tab nobody looks at (hidden or unfocused)", () => {
    expect(readTarget(input({ attending: false }))).toBeNull();
  });

  it("never backwards: not at or before the object's position or what this tab already sent", () => {
    expect(readTarget(input({ conversation: { readTs: 40, unread: 1 } }))).toBeNull();
    expect(readTarget(input({ sentTs: 40 }))).toBeNull();
    expect(readTarget(input({ sentTs: 35 }))).toEqual({ key: "d", ts: 40 });
  });

  it("nothing when nothing is unread, or nothing incoming is on screen", () => {
    expect(readTarget(input({ conversation: { readTs: 10, unread: 0 } }))).toBeNull();
    expect(readTarget(input({ conversation: undefined }))).toBeNull();
    expect(readTarget(input({ onScreen: new Set(["b"]) }))).toBeNull();
    expect(readTarget(input({ onScreen: new Set() }))).toBeNull();
  });

  it("a message the object does not count (OMEMO key transport) is not a read position", () => {
    const messages = [...log, m("kt", 60, "in", { encrypted: KEY_TRANSPORT })];
    expect(readTarget(input({ messages, onScreen: new Set(["d", "kt"]) }))).toEqual({ key: "d", ts: 40 });
  });

  it("a read position without readTs (never read) starts from the beginning", () => {
    expect(readTarget(input({ conversation: { unread: 4 }, onScreen: new Set(["a"]) }))).toEqual({
      key: "a",
      ts: 10,
    });
  });
});

describe("the Unread messages line and the counts", () => {
  it("goes before the first incoming message after the read position", () => {
    expect(firstUnreadKey(log, { readTs: 20, unread: 3 })).toBe("c");
    expect(firstUnreadKey(log, { readTs: 50, unread: 0 })).toBeNull();
    expect(firstUnreadKey(log, { readTs: 20, unread: 0 })).toBeNull();
    expect(firstUnreadKey(log, undefined)).toBeNull();
  });

  it("is inserted among the log's items before that message", () => {
    const items = [
      { kind: "day", key: "d:1" },
      { kind: "message", key: "m:a", message: { key: "a" } },
      { kind: "message", key: "m:c", message: { key: "c" } },
    ];
    expect(withUnreadLine(items, "c").map((i) => i.key)).toEqual(["d:1", "m:a", "unread", "m:c"]);
    expect(withUnreadLine(items, null).map((i) => i.key)).toEqual(["d:1", "m:a", "m:c"]);
    expect(withUnreadLine(items, "zz").map((i) => i.key)).toEqual(["d:1", "m:a", "m:c"]);
  });

  it("counts what is left unread after a position, never more than the object said", () => {
    expect(unreadAfter(log, 30, 3)).toBe(2);
    expect(unreadAfter(log, 50, 3)).toBe(0);
    expect(unreadAfter(log, 0, 2)).toBe(2);
  });

  it("counts the incoming messages after the mark for the scroll-to-bottom button", () => {
    expect(newMessagesAfter(log, "b")).toBe(3);
    expect(newMessagesAfter(log, "e")).toBe(0);
    expect(newMessagesAfter(log, null)).toBe(0);
    expect(newMessagesAfter(log, "gone")).toBe(0);
    expect(newMessagesAfter([...log, m("f", 60, "out")], "d")).toBe(1);
  });

  it("names the scroll-to-bottom button with the count", () => {
    expect(scrollButtonText(0)).toEqual({ label: "Scroll to bottom", count: "" });
    expect(scrollButtonText(1)).toEqual({ label: "Scroll to bottom, 1 new message", count: "1 new message" });
    expect(scrollButtonText(3).label).toBe("Scroll to bottom, 3 new messages");
  });
});
