import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { OmemoRelayFeature } from "../../../src/durable/features/omemo-relay.ts";
import { XMPPError } from "../../../src/xmpp/errors.ts";
import { harness } from "./fakes.ts";

const NS = "eu.siacs.conversations.axolotl";
const NODE = `${NS}.devicelist`;
const LIST = `<list xmlns="${NS}"><device id="7"/></list>`;

describe("OmemoRelayFeature", () => {
  it("publishes open; a node with another access model is reconfigured, then published (XEP-0223)", async () => {
    const h = harness();
    let calls = 0;
    h.link.answer = () => {
      calls++;
      if (calls === 1) throw new XMPPError("conflict", undefined, "precondition-not-met");
      return xml("iq", { type: "result" });
    };
    const relay = new OmemoRelayFeature(h.ctx);
    await relay.frames["pep.publish"](h.ws, {
      type: "pep.publish",
      requestId: "p1",
      node: NODE,
      itemId: "current",
      payload: LIST,
    });
    expect(h.link.iqs.map((q) => q.child.getNS())).toEqual([
      "http://jabber.org/protocol/pubsub",
      "http://jabber.org/protocol/pubsub#owner",
      "http://jabber.org/protocol/pubsub",
    ]);
    expect(h.sent[0]?.frame).toEqual({ type: "ack", requestId: "p1" });
  });

  it("refuses a payload that is not a well-formed list for the node", async () => {
    const h = harness();
    const relay = new OmemoRelayFeature(h.ctx);
    const payload = `<list xmlns="${NS}"><device id="7"><x/></device></list>`;
    await relay.frames["pep.publish"](h.ws, {
      type: "pep.publish",
      requestId: "p2",
      node: NODE,
      itemId: "current",
      payload,
    });
    expect(h.sent[0]?.frame).toMatchObject({ type: "error", code: "pep-failed", requestId: "p2" });
    expect(h.link.iqs).toEqual([]);
  });

  it("a fetch that fails says the condition only", async () => {
    const h = harness();
    h.link.answer = () => {
      throw new XMPPError("forbidden", "internal detail");
    };
    const relay = new OmemoRelayFeature(h.ctx);
    await relay.frames["pep.fetch"](h.ws, { type: "pep.fetch", requestId: "f1", jid: "bob@example.org", node: NODE });
    expect(h.sent[0]?.frame).toEqual({ type: "error", code: "pep-failed", message: "forbidden", requestId: "f1" });
  });

  it("passes device-list notifications on, bounded; other messages are not its business", () => {
    const h = harness();
    const relay = new OmemoRelayFeature(h.ctx);
    const event = (items: number) =>
      xml(
        "message",
        { from: "bob@example.org" },
        xml(
          "event",
          { xmlns: "http://jabber.org/protocol/pubsub#event" },
          xml(
            "items",
            { node: NODE },
            ...Array.from({ length: items }, (_, i) => xml("item", { id: `i${i}` }, xml("list", { xmlns: NS }))),
          ),
        ),
      );
    expect(relay.onStanza(event(1))).toBe(true);
    expect(relay.onStanza(event(50))).toBe(true);
    expect(h.broadcast).toHaveLength(1);
    expect(h.broadcast[0]).toMatchObject({ type: "pep.event", jid: "bob@example.org", node: NODE });
    expect(relay.onStanza(xml("message", {}, xml("body", {}, "hi")))).toBe(false);
  });
});
