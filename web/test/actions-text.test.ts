import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/protocol/index.ts";
import type { PlainView } from "../src/core/e2ee.ts";
import {
  chipLabel,
  lastEditable,
  ownReactions,
  quotedPlain,
  quoteOf,
  samePlain,
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

describe("quotedPlain", () => {
  const target = { ...base, direction: "out" as const, body: "", encrypted: enc, fallback: { start: 0, end: 5 } };

  it("shows a loaded encrypted target as it now stands: its own quote removed, its correction; none when deleted", () => {
    const texts = plain({ k1: { kind: "text", text: "> hi\nyes" }, e1: { kind: "text", text: "yes!" } });
    expect(quotedPlain(target, "k1", texts)).toEqual({ kind: "text", text: "yes" });
    const edited = { ...target, edit: { key: "e1", body: "", encrypted: enc, ts: 2 } };
    expect(quotedPlain(edited, "k1", texts)).toEqual({ kind: "text", text: "yes!" });
    expect(quotedPlain({ ...target, retracted: true }, "k1", texts)).toBeUndefined();
    expect(quotedPlain(target, "k1", plain({ k1: { kind: "pending" } }))).toEqual({ kind: "pending" });
  });

  it("falls back to the decrypted text of the key when the target is not loaded", () => {
    expect(quotedPlain(undefined, "k1", plain({ k1: { kind: "text", text: "raw" } }))).toEqual({
      kind: "text",
      text: "raw",
    });
    expect(quotedPlain(undefined, "k1", plain({}))).toBeUndefined();
  });

  it("compares views by what they show", () => {
    expect(samePlain({ kind: "text", text: "a" }, { kind: "text", text: "a" })).toBe(true);
    expect(samePlain({ kind: "text", text: "a", sender: 1 }, { kind: "text", text: "a" })).toBe(true);
    expect(samePlain({ kind: "text", text: "a" }, { kind: "text", text: "b" })).toBe(false);
    expect(samePlain({ kind: "pending" }, { kind: "pending" })).toBe(true);
    expect(samePlain({ kind: "failed", reason: "x" }, { kind: "failed", reason: "y" })).toBe(false);
    expect(samePlain(undefined, { kind: "pending" })).toBe(false);
    expect(samePlain(undefined, undefined)).toBe(true);
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

describe("quotedPlain", () => {
  it("leaves out an unloaded encrypted target's own quote, as the object locates it", () => {
    const plainOf = plain({ t: { kind: "text", text: "> hi\nyes" } });
    expect(quotedPlain(undefined, "t", plainOf, { start: 0, end: 5 })).toEqual({ kind: "text", text: "yes" });
    expect(quotedPlain(undefined, "t", plainOf)).toEqual({ kind: "text", text: "> hi\nyes" });
  });
});
