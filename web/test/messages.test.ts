import { describe, expect, it } from "vitest";
import { markReceived, mergeMessages, oldestCursor, replaceMessage } from "../src/core/messages.ts";
import { msg } from "./fixtures.ts";

describe("mergeMessages", () => {
  it("appends new messages in order", () => {
    const merged = mergeMessages([msg("a", 1)], [msg("b", 2)]);
    expect(merged.map((m) => m.key)).toEqual(["a", "b"]);
  });

  it("never keeps the same key twice", () => {
    const merged = mergeMessages([msg("a", 1), msg("b", 2)], [msg("b", 2), msg("a", 1), msg("b", 2)]);
    expect(merged.map((m) => m.key)).toEqual(["a", "b"]);
  });

  it("dedupes within one incoming batch", () => {
    expect(mergeMessages([], [msg("a", 1), msg("a", 1)]).map((m) => m.key)).toEqual(["a"]);
  });

  it("returns the same array when nothing changed", () => {
    const existing = [msg("a", 1)];
    expect(mergeMessages(existing, [msg("a", 1)])).toBe(existing);
    expect(mergeMessages(existing, [])).toBe(existing);
  });

  it("prepends an older page and sorts chronologically", () => {
    const merged = mergeMessages([msg("c", 30), msg("d", 40)], [msg("a", 10), msg("b", 20), msg("c", 30)]);
    expect(merged.map((m) => m.key)).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps arrival order for equal timestamps", () => {
    const merged = mergeMessages([msg("x", 5)], [msg("y", 5), msg("w", 1)]);
    expect(merged.map((m) => m.key)).toEqual(["w", "x", "y"]);
  });

  it("upgrades but never downgrades receipts", () => {
    const sent = msg("a", 1, { direction: "out", receipt: "sent" });
    const received = { ...sent, receipt: "received" as const };
    expect(mergeMessages([sent], [received])[0]?.receipt).toBe("received");
    const kept = [received];
    expect(mergeMessages(kept, [sent])).toBe(kept);
  });
});

describe("markReceived", () => {
  it("marks the message with that key", () => {
    const list = [msg("a", 1, { direction: "out", receipt: "sent" }), msg("b", 2)];
    const next = markReceived(list, "a");
    expect(next[0]?.receipt).toBe("received");
    expect(list[0]?.receipt).toBe("sent");
  });

  it("is a no-op for unknown keys and already received messages", () => {
    const list = [msg("a", 1, { direction: "out", receipt: "received" })];
    expect(markReceived(list, "zz")).toBe(list);
    expect(markReceived(list, "a")).toBe(list);
  });
});

describe("oldestCursor", () => {
  it("is the first message's ts and key", () => {
    expect(oldestCursor([msg("a", 10.7), msg("b", 20)])).toEqual({ ts: 10, key: "a" });
    expect(oldestCursor([])).toBeNull();
  });
});

describe("replaceMessage", () => {
  it("replaces by key, and the quotes of replies follow a correction or a retraction", () => {
    const base = { peer: "bob@x", receipt: null } as const;
    const target = { ...base, key: "t", direction: "in" as const, body: "old", ts: 1 };
    const reply = {
      ...base,
      key: "r",
      direction: "out" as const,
      body: "yes",
      ts: 2,
      replyTo: { key: "t", direction: "in" as const, body: "old" },
    };
    const edited = replaceMessage([target, reply], { ...target, body: "new" });
    expect(edited[1]?.replyTo).toEqual({ key: "t", direction: "in", body: "new" });
    const gone = replaceMessage(edited, { ...target, body: "", retracted: true });
    expect(gone[0]?.retracted).toBe(true);
    expect(gone[1]?.replyTo).toEqual({ key: "t", direction: "in", body: "", retracted: true });
    const list = [target];
    expect(replaceMessage(list, { ...target, key: "other" })).toBe(list);
  });
});
