// Message actions through a tab and a real server (issue #7 §2): what Parley sends for a reply, a reaction, a
// correction and a retraction, and what it makes of the same stanzas sent by another client (raw stanzas, as
// Conversations and Converse.js send them).
import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { isMessage, peer, signedInTab, type Tab } from "./helpers.ts";
import type { ChatMessage, ServerFrame } from "../../src/protocol/index.ts";

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function updated(tab: Tab, key: string, pred: (m: ChatMessage) => boolean): Promise<ChatMessage> {
  return tab
    .waitFor((f: ServerFrame) => f.type === "message.update" && f.message.key === key && pred(f.message))
    .then((f) => (f.type === "message.update" ? f.message : Promise.reject(new Error("?"))));
}

describe("message actions", () => {
  it("replies, reacts, corrects and retracts both ways, honouring only the sender's own corrections", async () => {
    const { tab } = await signedInTab("gil");
    const hal = await peer("hal");
    const halGot: Element[] = [];
    hal.link.entity.on("stanza", (el: Element) => {
      if (el.name === "message") halGot.push(el);
    });
    const GIL = "gil@localhost";
    const HAL = "hal@localhost";

    // Hal writes; Gil's tab has it.
    await hal.link.send(xml("message", { to: GIL, type: "chat", id: "h1" }, xml("body", {}, "lunch at noon?")));
    const first = (await tab.waitFor(isMessage("lunch at noon?"))).message;

    // Hal corrects it (XEP-0308): the tab's copy is replaced, marked edited.
    await hal.link.send(
      xml(
        "message",
        { to: GIL, type: "chat", id: "h1-fix" },
        xml("body", {}, "lunch at one?"),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "h1" }),
      ),
    );
    const fixed = await updated(tab, first.key, (m) => m.body === "lunch at one?");
    expect(fixed.edit?.body).toBe("lunch at one?");

    // Gil reacts (XEP-0444): Hal gets the whole set, the tab the aggregated chips.
    tab.send({ type: "message.react", requestId: "r1", peer: HAL, key: first.key, emojis: ["👍", "😂"] });
    await tab.waitFor((f) => f.type === "ack" && f.requestId === "r1");
    const reactions = await until(
      () => halGot.find((s) => s.getChild("reactions", "urn:xmpp:reactions:0")),
      "Hal's reactions stanza",
    );
    const set = reactions.getChild("reactions", "urn:xmpp:reactions:0");
    expect(set?.attrs.id).toBe("h1");
    expect(set?.getChildren("reaction").map((r) => r.text())).toEqual(["👍", "😂"]);
    await updated(tab, first.key, (m) => m.reactions?.length === 2 && m.reactions[0]?.from[0] === GIL);

    // Gil replies with a quote (XEP-0461 + XEP-0428): Hal gets the reply, the fallback range and the full body;
    // the tab shows the reply without the quote, with its target.
    const quote = "> lunch at one?\n";
    tab.send({
      type: "message.send",
      requestId: "s1",
      to: HAL,
      body: `${quote}works for me`,
      replyTo: { key: first.key, quoteLength: [...quote].length },
    });
    const reply = (await tab.waitFor((f) => f.type === "message" && f.requestId === "s1")) as Extract<
      ServerFrame,
      { type: "message" }
    >;
    expect(reply.message.body).toBe("works for me");
    expect(reply.message.replyTo).toEqual({ key: first.key, direction: "in", body: "lunch at one?" });
    const replyStanza = await until(() => halGot.find((s) => s.getChild("reply", "urn:xmpp:reply:0")), "reply");
    expect(replyStanza.getChild("reply", "urn:xmpp:reply:0")?.attrs).toMatchObject({ id: "h1", to: HAL });
    expect(replyStanza.getChildText("body")).toBe(`${quote}works for me`);
    expect(replyStanza.getChild("fallback", "urn:xmpp:fallback:0")?.getChild("body")?.attrs).toMatchObject({
      start: "0",
      end: String([...quote].length),
    });
    const gilId = replyStanza.attrs.id ?? "";

    // Hal reacts to Gil's reply, then Hal tries to correct and retract GIL's message: not his, ignored.
    await hal.link.send(
      xml(
        "message",
        { to: GIL, type: "chat", id: "h2" },
        xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: gilId }, xml("reaction", {}, "❤️")),
      ),
    );
    await updated(tab, reply.message.key, (m) => m.reactions?.[0]?.emoji === "❤️" && m.reactions[0].from[0] === HAL);
    await hal.link.send(
      xml(
        "message",
        { to: GIL, type: "chat", id: "h3" },
        xml("body", {}, "forged"),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: gilId }),
      ),
    );
    await hal.link.send(
      xml(
        "message",
        { to: GIL, type: "chat", id: "h4" },
        xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: gilId }),
      ),
    );

    // Stanzas from one sender arrive in order: once this one is here, the forgeries were handled.
    await hal.send(GIL, "after the forgeries");
    await tab.waitFor(isMessage("after the forgeries"));
    tab.send({ type: "history.load", requestId: "h0", peer: HAL, before: null });
    const mid = await tab.waitFor((f) => f.type === "history" && f.requestId === "h0");
    const untouched = mid.type === "history" ? mid.messages.find((m) => m.key === reply.message.key) : undefined;
    expect(untouched).toMatchObject({ body: "works for me" });
    expect(untouched?.retracted).toBeUndefined();
    expect(untouched?.edit).toBeUndefined();

    // Gil corrects his reply, then deletes it: Hal gets both; the tab shows the tombstone.
    tab.send({ type: "message.send", requestId: "e1", to: HAL, body: "works for me!", replace: reply.message.key });
    await tab.waitFor((f) => f.type === "ack" && f.requestId === "e1");
    const correction = await until(
      () => halGot.find((s) => s.getChild("replace", "urn:xmpp:message-correct:0")),
      "correction",
    );
    expect(correction.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(gilId);
    expect(correction.getChildText("body")).toBe("works for me!");
    const edited = await updated(tab, reply.message.key, (m) => m.body === "works for me!");
    expect(edited.edit).toBeDefined();
    expect(edited.retracted).toBeUndefined();

    tab.send({ type: "message.retract", requestId: "d1", peer: HAL, key: reply.message.key });
    await tab.waitFor((f) => f.type === "ack" && f.requestId === "d1");
    const retraction = await until(
      () => halGot.find((s) => s.getChild("retract", "urn:xmpp:message-retract:1")),
      "retraction",
    );
    expect(retraction.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(gilId);
    await updated(tab, reply.message.key, (m) => m.retracted === true && m.body === "");

    // Only the sender's own: Hal cannot edit or delete Gil's messages, nor Gil Hal's.
    tab.send({ type: "message.retract", requestId: "d2", peer: HAL, key: first.key });
    const refused = await tab.waitFor((f) => f.type === "error" && f.requestId === "d2");
    expect(refused).toMatchObject({ code: "bad-frame" });

    // A new tab's page has it all (from storage).
    const { tab: later } = await signedInTab("gil");
    later.send({ type: "history.load", requestId: "h", peer: HAL, before: null });
    const page = await later.waitFor((f) => f.type === "history" && f.requestId === "h");
    if (page.type !== "history") throw new Error("?");
    const byKey = new Map(page.messages.map((m) => [m.key, m]));
    expect(byKey.get(first.key)).toMatchObject({
      body: "lunch at one?",
      reactions: [
        { emoji: "👍", from: [GIL] },
        { emoji: "😂", from: [GIL] },
      ],
    });
    expect(byKey.get(reply.message.key)).toMatchObject({ retracted: true, body: "" });
    tab.close();
    later.close();
    await hal.close();
  });

  it("shows a reply from another client without its quote, with its target", async () => {
    const { tab } = await signedInTab("hal");
    const gil = await peer("gil");
    await gil.link.send(
      xml("message", { to: "hal@localhost", type: "chat", id: "g1" }, xml("body", {}, "the report is done")),
    );
    const target = (await tab.waitFor(isMessage("the report is done"))).message;
    const quote = "> the report is done\n";
    await gil.link.send(
      xml(
        "message",
        { to: "hal@localhost", type: "chat", id: "g2" },
        xml("body", {}, `${quote}and sent`),
        xml("reply", { xmlns: "urn:xmpp:reply:0", id: "g1", to: "gil@localhost" }),
        xml(
          "fallback",
          { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" },
          xml("body", { start: "0", end: String(quote.length) }),
        ),
      ),
    );
    const reply = await tab.waitFor(isMessage("and sent"));
    expect(reply.message.replyTo).toEqual({ key: target.key, direction: "in", body: "the report is done" });
    tab.close();
    await gil.close();
  });
});
