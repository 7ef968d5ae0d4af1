import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { MessageRef } from "../../../src/db/history.ts";
import { ActionsFeature } from "../../../src/durable/features/actions.ts";
import { ChatFeature } from "../../../src/durable/features/chat.ts";
import { harness } from "./fakes.ts";

/** The chat feature with its storage lookup answered from a table (the unit has no database). */
class KnownMessages extends ChatFeature {
  refs = new Map<string, MessageRef>();
  override async find(_peer: string, key: string): Promise<MessageRef | null> {
    return this.refs.get(key) ?? null;
  }
}

function setup() {
  const h = harness();
  const chat = new KnownMessages(h.ctx);
  const actions = new ActionsFeature(h.ctx, chat);
  chat.refs.set("k-out", { key: "k-out", stanzaId: "s-out", direction: "out", encrypted: false, ts: 1 });
  chat.refs.set("k-in", { key: "k-in", stanzaId: "s-in", direction: "in", encrypted: false, ts: 2 });
  chat.refs.set("k-enc", { key: "k-enc", stanzaId: "s-enc", direction: "out", encrypted: true, ts: 3 });
  return { h, chat, actions };
}

const fromBob = (id: string, ...children: ReturnType<typeof xml>[]) =>
  xml("message", { from: "bob@example.org/phone", to: "me@example.org/parley", type: "chat", id }, ...children);

describe("ActionsFeature", () => {
  it("stores incoming corrections, reactions and retractions as actions on their target", async () => {
    const { h, actions } = setup();
    expect(
      await actions.onStanza(
        fromBob(
          "c1",
          xml("body", {}, "fixed"),
          xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "s-in" }),
          xml("request", { xmlns: "urn:xmpp:receipts" }),
        ),
      ),
    ).toBe(true);
    await actions.onStanza(
      fromBob("r1", xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: "s-out" }, xml("reaction", {}, "👍"))),
    );
    await actions.onStanza(fromBob("d1", xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: "s-in" })));
    expect(await actions.onStanza(fromBob("m1", xml("body", {}, "a plain message")))).toBe(false);
    const rows = h.stored.flatMap((p) => (p.kind === "action" ? [p.action] : []));
    expect(rows).toEqual([
      expect.objectContaining({
        kind: "edit",
        target: "s-in",
        actor: "i:bob@example.org:c1",
        direction: "in",
        body: "fixed",
      }),
      expect.objectContaining({ kind: "react", target: "s-out", actor: "bob@example.org", body: '["👍"]' }),
      expect.objectContaining({ kind: "retract", target: "s-in", actor: "in", direction: "in" }),
    ]);
    // XEP-0184: the correction asked for a receipt and got one.
    expect(h.link.sent.some((s) => s.getChild("received", "urn:xmpp:receipts")?.attrs.id === "c1")).toBe(true);
  });

  it("sends the user's reactions through the outbox and acknowledges the tab", async () => {
    const { h, actions } = setup();
    await actions.frames["message.react"](h.ws, {
      type: "message.react",
      requestId: "q1",
      peer: "bob@example.org",
      key: "k-in",
      emojis: ["👍", "👍", "❤️"],
    });
    const [stanza] = h.link.sent;
    const set = stanza?.getChild("reactions", "urn:xmpp:reactions:0");
    expect(set?.attrs.id).toBe("s-in");
    expect(set?.getChildren("reaction").map((r) => r.text())).toEqual(["👍", "❤️"]);
    expect(h.storage.map.has(`out:${stanza?.attrs.id}`)).toBe(true);
    expect(h.sent.map((s) => s.frame)).toContainEqual({ type: "ack", requestId: "q1" });
    expect(h.stored).toContainEqual({
      kind: "action",
      action: expect.objectContaining({
        kind: "react",
        actor: "me@example.org",
        direction: "out",
        body: '["👍","❤️"]',
      }),
    });
  });

  it("retracts only the user's own messages", async () => {
    const { h, actions } = setup();
    await actions.frames["message.retract"](h.ws, {
      type: "message.retract",
      requestId: "d1",
      peer: "bob@example.org",
      key: "k-in",
    });
    await actions.frames["message.retract"](h.ws, {
      type: "message.retract",
      requestId: "d2",
      peer: "bob@example.org",
      key: "nope",
    });
    expect(h.link.sent).toHaveLength(0);
    expect(h.sent.map((s) => s.frame)).toEqual([
      expect.objectContaining({ type: "error", code: "bad-frame", requestId: "d1" }),
      expect.objectContaining({ type: "error", code: "bad-frame", requestId: "d2" }),
    ]);
    await actions.frames["message.retract"](h.ws, {
      type: "message.retract",
      requestId: "d3",
      peer: "bob@example.org",
      key: "k-out",
    });
    expect(h.link.sent[0]?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("s-out");
  });

  it("never corrects an encrypted message in clear, nor someone else's message", async () => {
    const { h, chat } = setup();
    const send = (requestId: string, replace: string) =>
      chat.frames["message.send"](h.ws, {
        type: "message.send",
        requestId,
        to: "bob@example.org",
        body: "new",
        replace,
      });
    await send("e1", "k-enc");
    await send("e2", "k-in");
    expect(h.link.sent).toHaveLength(0);
    expect(h.sent.map((s) => s.frame)).toEqual([
      expect.objectContaining({
        type: "error",
        requestId: "e1",
        message: "An encrypted message is corrected encrypted.",
      }),
      expect.objectContaining({ type: "error", requestId: "e2", message: "Only your own messages can be edited." }),
    ]);
    await send("e3", "k-out");
    expect(h.link.sent[0]?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe("s-out");
    expect(h.broadcast.some((f) => f.type === "message")).toBe(false); // a correction is not a new message
  });

  it("sends a reply with its reference and the quote marked as fallback", async () => {
    const { h, chat } = setup();
    await chat.frames["message.send"](h.ws, {
      type: "message.send",
      requestId: "p1",
      to: "bob@example.org",
      body: "> hi\nhello",
      replyTo: { key: "k-in", quoteLength: 5 },
    });
    const [stanza] = h.link.sent;
    expect(stanza?.getChild("reply", "urn:xmpp:reply:0")?.attrs).toMatchObject({ id: "s-in", to: "bob@example.org" });
    expect(stanza?.getChild("fallback", "urn:xmpp:fallback:0")?.getChild("body")?.attrs).toMatchObject({
      start: "0",
      end: "5",
    });
    const frame = h.broadcast.find((f) => f.type === "message");
    expect(frame?.type === "message" && frame.message.body).toBe("hello");
  });
});
