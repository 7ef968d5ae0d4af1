import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { ChatStatesFeature } from "../../../src/durable/features/chat-states.ts";
import { NS_CHATSTATES } from "../../../src/xmpp/chatstates.ts";
import { harness } from "./fakes.ts";

const state = (from: string, name: string, ...extra: ReturnType<typeof xml>[]) =>
  xml("message", { from, type: "chat" }, xml(name, { xmlns: NS_CHATSTATES }), ...extra);

describe("ChatStatesFeature (XEP-0085)", () => {
  it("a contact's standalone state reaches the tabs; strangers' are dropped; messages with a body pass on", () => {
    const h = harness();
    h.ctx.state.applyRoster([
      { kind: "set", item: { jid: "bob@example.org", name: "", subscription: "both", ask: false, groups: [] } },
    ]);
    const feature = new ChatStatesFeature(h.ctx);
    expect(feature.onStanza(state("bob@example.org/phone", "composing"))).toBe(true);
    expect(feature.onStanza(state("eve@example.org/x", "composing"))).toBe(true);
    expect(feature.onStanza(state("bob@example.org/phone", "active", xml("body", {}, "hi")))).toBe(false);
    expect(
      feature.onStanza(
        state("bob@example.org/phone", "active", xml("encrypted", { xmlns: "eu.siacs.conversations.axolotl" })),
      ),
    ).toBe(false);
    expect(h.broadcast).toEqual([{ type: "typing", peer: "bob@example.org", state: "composing" }]);
  });

  it("a tab's state goes out as a standalone, unstored notification", async () => {
    const h = harness();
    const feature = new ChatStatesFeature(h.ctx);
    await feature.frames.chatstate(h.ws, { type: "chatstate", to: "bob@example.org", state: "paused" });
    expect(h.link.sent[0]?.getChild("paused", NS_CHATSTATES)).toBeDefined();
    expect(h.link.sent[0]?.getChild("no-store", "urn:xmpp:hints")).toBeDefined();
    h.link.online = false;
    await feature.frames.chatstate(h.ws, { type: "chatstate", to: "bob@example.org", state: "active" });
    expect(h.link.sent).toHaveLength(1);
  });
});
