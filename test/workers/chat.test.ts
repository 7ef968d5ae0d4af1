import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { xml } from "@xmpp/xml";
import { describe, expect, it, vi } from "vitest";
import { BASE, isMessage, login, openTab, peer, signedInTab } from "./helpers.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";
import type { Element } from "@xmpp/xml";

describe("one-to-one chat", () => {
  it("shows XEP-0184 receipts and XEP-0280 carbons of the user's other clients", async () => {
    const erin = await login("erin");
    const tab = await openTab(erin.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const frankStanzas: Element[] = [];
    const frank = await peer("frank");
    frank.link.entity.on("stanza", (el: Element) => frankStanzas.push(el));

    tab.send({ type: "message.send", requestId: "s1", to: "frank@localhost", body: "did you get this?" });
    const sent = await tab.waitFor(isMessage("did you get this?"));
    expect(sent.message.receipt).toBe("sent");
    // Frank's client acknowledges (XEP-0184 §5.2): the message id is the one it carried.
    const deadline = Date.now() + 10_000;
    let incoming: Element | undefined;
    while (!incoming && Date.now() < deadline) {
      incoming = frankStanzas.find((s) => s.name === "message" && s.getChildText("body") === "did you get this?");
      if (!incoming) await new Promise((r) => setTimeout(r, 50));
    }
    expect(incoming?.getChild("request", "urn:xmpp:receipts")).toBeDefined();
    expect(incoming?.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id).toBe(incoming?.attrs.id);
    await frank.link.send(
      xml(
        "message",
        { to: incoming?.attrs.from, id: "r-1" },
        xml("received", { xmlns: "urn:xmpp:receipts", id: incoming?.attrs.id }),
      ),
    );
    const receipt = await tab.waitFor((f) => f.type === "receipt" && f.key === sent.message.key);
    expect(receipt).toMatchObject({ peer: "frank@localhost" });
    tab.send({ type: "history.load", requestId: "h", peer: "frank@localhost", before: null });
    const page = await tab.waitFor((f) => f.type === "history" && f.requestId === "h");
    expect(page.type === "history" && page.messages.find((m) => m.key === sent.message.key)?.receipt).toBe("received");

    // Erin writes from another client: the carbon shows in her tabs as an outgoing message.
    const erinPhone = await peer("erin");
    await erinPhone.link.iq("set", xml("enable", { xmlns: "urn:xmpp:carbons:2" }));
    const fromPhone = `from my phone ${crypto.randomUUID()}`;
    await erinPhone.send("frank@localhost", fromPhone);
    const carbon = await tab.waitFor(isMessage(fromPhone));
    expect(carbon.message).toMatchObject({ direction: "out", peer: "frank@localhost" });
    tab.close();
    await frank.close();
    await erinPhone.close();
  });

  it("handles subscription requests, roster additions and own presence", async () => {
    const ivan = await login("ivan");
    const tab = await openTab(ivan.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    tab.send({ type: "roster.add", requestId: "add", jid: "heidi@localhost", name: "Heidi" });
    await tab.waitFor((f) => f.type === "ack" && f.requestId === "add");
    const item = await tab.waitFor((f) => f.type === "roster" && f.items.some((i) => i.jid === "heidi@localhost"));
    expect(item.type === "roster" && item.items.find((i) => i.jid === "heidi@localhost")?.name).toBe("Heidi");

    const heidi = await peer("heidi");
    await heidi.link.send(xml("presence", { to: "ivan@localhost", type: "subscribe" }));
    await tab.waitFor((f) => f.type === "subscription.request" && f.jid === "heidi@localhost");
    tab.send({ type: "subscription.answer", jid: "heidi@localhost", accept: true });
    await tab.waitFor((f) => f.type === "subscription.handled" && f.jid === "heidi@localhost");
    await tab.waitFor(
      (f) =>
        f.type === "roster" &&
        f.items.some((i) => i.jid === "heidi@localhost" && (i.subscription === "from" || i.subscription === "both")),
    );

    tab.send({ type: "presence.set", show: "dnd", status: "busy <b>" });
    const self = await tab.waitFor((f) => f.type === "self.presence");
    expect(self).toMatchObject({ show: "dnd", status: "busy <b>" });
    // Heidi, now subscribed to Ivan, sees his presence; her own reaches Ivan's tabs as one batched frame.
    tab.close();
    await heidi.close();
  });

  it("ends the XMPP session after the idle timeout without tabs, and signs out cleanly", async () => {
    const judy = await login("mia");
    const stub = env.USER_SESSION.getByName("mia@localhost");
    await runInDurableObject(stub, async (_i: UserSession, state) => {
      await state.storage.put("lastTabAt", Date.now() - 2 * 86_400_000);
    });
    await runDurableObjectAlarm(stub);
    const ended = await runInDurableObject(stub, async (_i: UserSession, state) => state.storage.get("ended"));
    expect(ended).toBe(true);
    // A new tab starts it again.
    const tab = await openTab(judy.cookie);
    await tab.waitFor((f) => f.type === "connection" && f.state === "online", 15_000);
    tab.close();

    const out = await SELF.fetch(`${BASE}/api/auth/logout`, {
      method: "POST",
      headers: { Cookie: judy.cookie, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(204);
    const me = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: judy.cookie } });
    expect(me.status).toBe(401);
    const left = await runInDurableObject(stub, async (_i: UserSession, state) => (await state.storage.list()).size);
    expect(left).toBe(0);
  });
});

describe("typing (XEP-0085)", () => {
  it("a contact composing reaches every tab; the user's own state reaches the contact", async () => {
    const { tab } = await signedInTab("erin");
    const frank = await peer("frank");
    // erin and frank talk in chat.test.ts already; make sure there is a conversation either way.
    await frank.send("erin@localhost", "hello for typing");
    await tab.waitFor(isMessage("hello for typing"));
    const received: string[] = [];
    frank.link.entity.on("stanza", (el: Element) => {
      const child = el.getChildElements().find((c) => c.getNS() === "http://jabber.org/protocol/chatstates");
      if (el.name === "message" && child) received.push(child.name);
    });
    await frank.link.send(
      xml(
        "message",
        { to: "erin@localhost", type: "chat" },
        xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
      ),
    );
    await tab.waitFor((f) => f.type === "typing" && f.peer === "frank@localhost" && f.state === "composing");
    tab.send({ type: "chatstate", to: "frank@localhost", state: "composing" });
    await vi.waitFor(() => expect(received).toContain("composing"), { timeout: 10_000 });
    tab.close();
    await frank.close();
  });
});

describe("drafts (issue #7 §4)", () => {
  it("a draft typed in one tab is in another tab and after a reload; sending clears it everywhere", async () => {
    const { cookie, tab } = await signedInTab("heidi");
    const other = await openTab(cookie);
    await other.waitFor((f) => f.type === "snapshot");
    tab.send({ type: "draft.set", peer: "ivan@localhost", text: "unfinished" });
    await other.waitFor((f) => f.type === "draft" && f.peer === "ivan@localhost" && f.text === "unfinished");
    const reloaded = await openTab(cookie);
    const snap = await reloaded.waitFor((f) => f.type === "snapshot");
    expect(snap.type === "snapshot" && snap.drafts).toContainEqual({ peer: "ivan@localhost", text: "unfinished" });
    tab.send({ type: "message.send", requestId: "d1", to: "ivan@localhost", body: "finished" });
    await other.waitFor((f) => f.type === "draft" && f.peer === "ivan@localhost" && f.text === "");
    for (const t of [tab, other, reloaded]) t.close();
  });
});
