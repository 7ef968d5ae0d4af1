import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { PresenceFeature } from "../../../src/durable/features/presence.ts";
import { RosterFeature } from "../../../src/durable/features/roster.ts";
import { harness } from "./fakes.ts";

const contact = (jid: string) => ({ jid, name: "", subscription: "both" as const, ask: false, groups: [] });

describe("PresenceFeature", () => {
  it("presence.set: kept, sent with XEP-0115 caps, told to every tab", async () => {
    const h = harness();
    const presence = new PresenceFeature(h.ctx);
    await presence.frames["presence.set"](h.ws, { type: "presence.set", show: "dnd", status: "busy" });
    expect(h.storage.map.get("self")).toEqual({ show: "dnd", status: "busy" });
    const sent = h.link.sent[0];
    expect(sent?.getChildText("show")).toBe("dnd");
    expect(sent?.getChild("c", "http://jabber.org/protocol/caps")).toBeDefined();
    expect(h.broadcast).toEqual([{ type: "self.presence", show: "dnd", status: "busy" }]);
  });

  it("keeps presence of contacts only; subscriptions are not its business", () => {
    const h = harness();
    h.ctx.state.applyRoster([{ kind: "set", item: contact("bob@example.org") }]);
    const presence = new PresenceFeature(h.ctx);
    expect(presence.onStanza(xml("presence", { from: "bob@example.org/phone" }))).toBe(true);
    expect(presence.onStanza(xml("presence", { from: "eve@example.org/x" }))).toBe(true);
    expect(h.stored.map((s) => s.kind === "presence" && s.update.jid)).toEqual(["bob@example.org"]);
    expect(presence.onStanza(xml("presence", { from: "eve@example.org", type: "subscribe" }))).toBe(false);
    expect(presence.onStanza(xml("message"))).toBe(false);
  });
});

describe("RosterFeature", () => {
  it("roster.add: roster set, then a subscription request, then an ack (RFC 6121 §2.3, §3.1.1)", async () => {
    const h = harness();
    h.link.answer = () => xml("iq", { type: "result" });
    const roster = new RosterFeature(h.ctx);
    await roster.frames["roster.add"](h.ws, {
      type: "roster.add",
      requestId: "a1",
      jid: "bob@example.org",
      name: "Bob",
    });
    expect(h.link.iqs[0]?.child.getChild("item")?.attrs).toMatchObject({ jid: "bob@example.org", name: "Bob" });
    expect(h.link.sent[0]?.attrs).toMatchObject({ to: "bob@example.org", type: "subscribe" });
    expect(h.sent[0]?.frame).toEqual({ type: "ack", requestId: "a1" });
    await roster.frames["roster.add"](h.ws, { type: "roster.add", requestId: "a2", jid: "me@example.org" });
    expect(h.sent[1]?.frame).toMatchObject({ type: "error", code: "bad-address", requestId: "a2" });
  });

  it("a subscription request is kept and shown once; accepting approves and asks back", async () => {
    const h = harness();
    const roster = new RosterFeature(h.ctx);
    const ask = xml("presence", { from: "carol@example.org", type: "subscribe" });
    expect(roster.onStanza(ask)).toBe(true);
    expect(roster.onStanza(ask)).toBe(true);
    expect(h.broadcast).toEqual([{ type: "subscription.request", jid: "carol@example.org" }]);
    await roster.frames["subscription.answer"](h.ws, {
      type: "subscription.answer",
      jid: "carol@example.org",
      accept: true,
    });
    expect(h.link.sent.map((el) => el.attrs.type)).toEqual(["subscribed", "subscribe"]);
    expect(h.storage.map.get("subscriptionRequests")).toEqual([]);
    expect(h.broadcast.at(-1)).toEqual({ type: "subscription.handled", jid: "carol@example.org" });
  });

  it("a roster push is applied, saved and fanned out", async () => {
    const h = harness();
    const roster = new RosterFeature(h.ctx);
    await roster.onPush(
      xml(
        "iq",
        { type: "set" },
        xml("query", { xmlns: "jabber:iq:roster" }, xml("item", { jid: "dan@example.org", subscription: "to" })),
      ),
    );
    expect(h.ctx.state.roster.get("dan@example.org")?.subscription).toBe("to");
    expect(h.storage.map.get("roster")).toHaveLength(1);
    expect(h.broadcast[0]).toMatchObject({ type: "roster", removed: [] });
  });
});
