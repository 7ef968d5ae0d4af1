import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/protocol/index.ts";
import type { PlainView } from "../src/core/e2ee.ts";
import {
  chipLabel,
  lastEditable,
  ownReactions,
  quoteOf,
  shownText,
  stripCodePoints,
  toggleReaction,
} from "../src/features/actions/text.ts";

const base: ChatMessage = { key: "k1", peer: "bob@x", direction: "in", body: "hello", ts: 1, receipt: null };
const enc = { namespace: "eu.siacs.conversations.axolotl" as const, xml: "<encrypted/>", hasPayload: true };
const plain = (entries: Record<string, PlainView>) => (key: string) => entries[key];

describe("shownText", () => {
  it("shows clear text, a tombstone for a retraction, and a clear correction as the body", () => {
    expect(shownText(base, plain({}))).toEqual({ kind: "text", text: "hello" });
    expect(shownText({ ...base, retracted: true, body: "" }, plain({}))).toEqual({ kind: "deleted" });
    expect(shownText({ ...base, body: "fixed", edit: { key: "e1", body: "fixed", ts: 2 } }, plain({}))).toEqual({
      kind: "text",
      text: "fixed",
    });
  });

  it("decrypts an encrypted reply without its quote, and an encrypted correction by its own key", () => {
    const reply = { ...base, body: "", encrypted: enc, fallback: { start: 0, end: 7 } };
    expect(shownText(reply, plain({ k1: { kind: "text", text: "> hi 👋\nyes" } }))).toEqual({
      kind: "text",
      text: "yes",
    });
    expect(shownText(reply, plain({}))).toEqual({ kind: "encrypted", view: undefined });
    const edited = { ...base, body: "", encrypted: enc, edit: { key: "e1", body: "", encrypted: enc, ts: 2 } };
    expect(shownText(edited, plain({ k1: { kind: "text", text: "old" }, e1: { kind: "text", text: "new" } }))).toEqual({
      kind: "text",
      text: "new",
    });
    expect(shownText(edited, plain({ k1: { kind: "text", text: "old" }, e1: { kind: "pending" } }))).toEqual({
      kind: "encrypted",
      view: { kind: "pending" },
    });
  });

  it("strips code points, leaving text alone when the range does not fit", () => {
    expect(stripCodePoints("👋👋 hi", { start: 0, end: 3 })).toBe("hi");
    expect(stripCodePoints("hi", { start: 0, end: 5 })).toBe("hi");
  });
});

describe("actions rules", () => {
  it("quotes each line and measures the quote in code points", () => {
    expect(quoteOf("a\nb 👋")).toEqual({ quote: "> a\n> b 👋\n", length: 10 });
    expect([...quoteOf("x".repeat(1000)).quote].length).toBeLessThan(320);
  });

  it("toggles the user's own reactions and names chips with emoji and count", () => {
    const m = {
      ...base,
      reactions: [
        { emoji: "👍", from: ["me@x", "bob@x"] },
        { emoji: "😂", from: ["bob@x"] },
      ],
    };
    expect(ownReactions(m, "me@x")).toEqual(["👍"]);
    expect(toggleReaction(["👍"], "👍")).toEqual([]);
    expect(toggleReaction(["👍"], "❤️")).toEqual(["👍", "❤️"]);
    expect(chipLabel("👍", ["me@x", "bob@x"], "me@x")).toBe("👍 2, including you");
    expect(chipLabel("😂", ["bob@x"], "me@x")).toBe("😂 1");
  });

  it("edits the user's last message that is not deleted", () => {
    const mine = (key: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
      ...base,
      key,
      direction: "out",
      ...extra,
    });
    expect(lastEditable([mine("a"), base, mine("b", { retracted: true })])?.key).toBe("a");
    expect(lastEditable([base])).toBeNull();
  });
});
