import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { buildChatState, NS_CHATSTATES, parseChatState } from "../../src/xmpp/chatstates.ts";

describe("XEP-0085 chat states", () => {
  it("builds a standalone notification that servers do not store", () => {
    const el = buildChatState("bob@example.org", "composing");
    expect(el.attrs).toEqual({ to: "bob@example.org", type: "chat" });
    expect(el.getChild("composing", NS_CHATSTATES)).toBeDefined();
    expect(el.getChild("no-store", "urn:xmpp:hints")).toBeDefined();
    expect(el.getChild("body")).toBeUndefined();
  });

  it("reads the state of a message; unknown elements and namespaces are not states", () => {
    expect(parseChatState(xml("message", {}, xml("paused", { xmlns: NS_CHATSTATES })))).toBe("paused");
    expect(parseChatState(xml("message", {}, xml("composing", { xmlns: "urn:other" })))).toBeNull();
    expect(parseChatState(xml("message", {}, xml("typing", { xmlns: NS_CHATSTATES })))).toBeNull();
    expect(parseChatState(xml("message", {}, xml("body", {}, "hi")))).toBeNull();
  });
});
