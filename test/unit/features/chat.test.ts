import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { ChatFeature } from "../../../src/durable/features/chat.ts";
import { harness } from "./fakes.ts";

const incoming = (id: string, body: string, receipt = true) =>
  xml(
    "message",
    { from: "bob@example.org/phone", to: "me@example.org/parley", type: "chat", id },
    xml("body", {}, body),
    receipt && xml("request", { xmlns: "urn:xmpp:receipts" }),
  );

describe("ChatFeature", () => {
  it("sends a message: kept in the outbox before it goes out, placed in the stream, echoed to every tab", async () => {
    const h = harness();
    const chat = new ChatFeature(h.ctx);
    await chat.load();
    await chat.frames["message.send"](h.ws, {
      type: "message.send",
      requestId: "r1",
      to: "bob@example.org",
      body: "hi",
    });
    const [stanza] = h.link.sent;
    expect(stanza?.attrs).toMatchObject({ to: "bob@example.org", type: "chat" });
    expect(stanza?.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id).toBe(stanza?.attrs.id);
    const entry = h.storage.map.get(`out:${stanza?.attrs.id}`);
    expect(entry).toMatchObject({ streamId: "stream-1", seq: 1 });
    const frame = h.broadcast.find((f) => f.type === "message");
    expect(frame).toMatchObject({ requestId: "r1", message: { direction: "out", body: "hi", receipt: "sent" } });
    expect(h.stored.filter((s) => s.kind === "message")).toHaveLength(1);
    // The server's ack drops it from the outbox.
    if (stanza) chat.acked(stanza);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(h.storage.map.has(`out:${stanza?.attrs.id}`)).toBe(false);
  });

  it("a send that fails on the wire is refused and leaves nothing to resend", async () => {
    const h = harness();
    const chat = new ChatFeature(h.ctx);
    h.link.failSend = true;
    await chat.frames["message.send"](h.ws, {
      type: "message.send",
      requestId: "r2",
      to: "bob@example.org",
      body: "x",
    });
    expect(h.sent.map((s) => s.frame)).toEqual([
      { type: "error", code: "send-failed", message: "Not sent: the connection failed.", requestId: "r2" },
    ]);
    expect([...h.storage.map.keys()].filter((k) => k.startsWith("out:"))).toEqual([]);
    expect(h.broadcast).toEqual([]);
  });

  it("offline: refused with not-connected, nothing stored", async () => {
    const h = harness();
    h.link.online = false;
    const chat = new ChatFeature(h.ctx);
    await chat.frames["message.send"](h.ws, {
      type: "message.send",
      requestId: "r3",
      to: "bob@example.org",
      body: "x",
    });
    expect(h.sent[0]?.frame).toMatchObject({ type: "error", code: "not-connected", requestId: "r3" });
    expect(h.storage.map.size).toBe(0);
  });

  it("refuses an encrypted element that is not a valid OMEMO one", async () => {
    const h = harness();
    const chat = new ChatFeature(h.ctx);
    await chat.frames["message.send-encrypted"](h.ws, {
      type: "message.send-encrypted",
      requestId: "e1",
      to: "bob@example.org",
      encrypted: "<encrypted/>",
    });
    expect(h.sent[0]?.frame).toMatchObject({ type: "error", code: "bad-encrypted", requestId: "e1" });
    expect(h.link.sent).toEqual([]);
  });

  it("an incoming message is fanned out once, stored, and acknowledged when it asks (XEP-0184)", async () => {
    const h = harness();
    const chat = new ChatFeature(h.ctx);
    expect(await chat.onStanza(incoming("m1", "hello"))).toBe(true);
    expect(await chat.onStanza(incoming("m1", "hello"))).toBe(true); // the same message again (carbon, resend)
    expect(h.broadcast.filter((f) => f.type === "message")).toHaveLength(1);
    expect(h.stored.filter((s) => s.kind === "message")).toHaveLength(1);
    // Each copy is acknowledged (the sender may have resent because a receipt was lost); the text shows once.
    const receipts = h.link.sent.filter((el) => el.getChild("received", "urn:xmpp:receipts"));
    expect(receipts.length).toBeGreaterThan(0);
    expect(receipts.every((r) => r.attrs.to === "bob@example.org/phone")).toBe(true);
    expect(await chat.onStanza(xml("presence"))).toBe(false);
  });

  it("after a reconnect, resends what the server did not handle of the old stream", async () => {
    const h = harness();
    const chat = new ChatFeature(h.ctx);
    await chat.frames["message.send"](h.ws, { type: "message.send", requestId: "a", to: "bob@example.org", body: "1" });
    await chat.frames["message.send"](h.ws, { type: "message.send", requestId: "b", to: "bob@example.org", body: "2" });
    const ids = h.link.sent.map((el) => el.attrs.id);
    // A new link (after an eviction) whose server says it handled the first stanza of stream-1.
    const next = harness();
    next.link.handled = { streamId: "stream-1", h: 1 };
    next.link.streamId = "stream-2";
    const restored = new ChatFeature({ ...next.ctx, storage: h.storage });
    await restored.load();
    await restored.onOnline(next.link);
    expect(next.link.sent.map((el) => el.attrs.id)).toEqual([ids[1]]);
    expect(next.link.sent[0]?.getChildText("body")).toBe("2");
  });

  it("after a restart, a caught-up message stamped in the second of the last stored one still comes after it", () => {
    const h = harness();
    const chat = new ChatFeature(h.ctx);
    const last = Date.parse("2026-01-02T03:04:05.800Z");
    chat.restore("a1", [{ peer: "bob@example.org", lastTs: last }]);
    const message = chat.accept({
      peer: "bob@example.org",
      direction: "in",
      from: "bob@example.org/phone",
      to: "me@example.org",
      id: "m2",
      originId: undefined,
      archiveId: "a2",
      body: "later, same second",
      encrypted: null,
      // XEP-0203 stamp of whole seconds: before the stored message's time, though it came after it.
      ts: Date.parse("2026-01-02T03:04:05Z"),
      requestsReceipt: false,
      markable: false,
      replyTo: undefined,
      fallback: undefined,
    });
    expect(message?.ts).toBe(last + 1);
  });
});
