// Read state everywhere (issue #7 §3, §4) against a real Prosody, with independent XMPP clients: the contact's
// client for XEP-0333 markers, and another client of the same account for XEP-0490 positions.
import { env } from "cloudflare:test";
import { xml } from "@xmpp/xml";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.ts";
import { listConversations } from "../../src/db/store.ts";
import type { ServerFrame } from "../../src/protocol/index.ts";
import { NS_MARKERS } from "../../src/xmpp/markers.ts";
import { buildMdsFetch, MDS_NODE, NS_MDS, parseMdsItems } from "../../src/xmpp/mds.ts";
import { buildPublishPlain } from "../../src/xmpp/pubsub.ts";
import { isMessage, openTab, peer, record, signedInTab, until, type Tab } from "./helpers.ts";

/** Every frame a tab was sent before this returns has arrived (the object answers in order). */
async function roundTrip(tab: Tab): Promise<void> {
  const before = tab.frames.length;
  tab.send({ type: "ping" });
  await tab.waitFor((f) => f.type === "pong" && tab.frames.indexOf(f) >= before);
}

const conversationOf =
  (peerJid: string, pred: (c: Extract<ServerFrame, { type: "conversation" }>["conversation"]) => boolean) =>
  (f: ServerFrame): f is Extract<ServerFrame, { type: "conversation" }> =>
    f.type === "conversation" && f.conversation.peer === peerJid && pred(f.conversation);

describe("read state (XEP-0333 chat markers, XEP-0490 displayed synchronization)", () => {
  it("sends one displayed marker for the newest markable message read, never again for older ones", async () => {
    const { tab } = await signedInTab("rs-ann");
    const bea = await peer("rs-bea");
    const got = record(bea);
    const ids = ["m1", "m2", "m3"].map((n) => `${n}-${crypto.randomUUID()}`);
    for (const [i, id] of ids.entries()) {
      await bea.link.send(
        xml(
          "message",
          { to: "rs-ann@localhost", type: "chat", id },
          xml("body", {}, `markable ${i}`),
          xml("markable", { xmlns: NS_MARKERS }),
        ),
      );
    }
    const frames = await Promise.all([0, 1, 2].map((i) => tab.waitFor(isMessage(`markable ${i}`))));
    expect(frames[2]?.conversation.unread).toBe(3);
    const second = frames[1]?.message.key ?? "";
    tab.send({ type: "conversation.read", peer: "rs-bea@localhost", key: second });
    await tab.waitFor(conversationOf("rs-bea@localhost", (c) => c.unread === 1));
    const markers = () => got.filter((s) => s.getChild("displayed", NS_MARKERS));
    const marker = await until("a displayed marker", () => markers()[0]);
    expect(marker.getChild("displayed", NS_MARKERS)?.attrs.id).toBe(ids[1]);
    expect(marker.attrs.type).toBe("chat");

    // An older one read again: nothing goes out. Then a round trip through the server: still one marker.
    tab.send({ type: "conversation.read", peer: "rs-bea@localhost", key: frames[0]?.message.key ?? "" });
    await roundTrip(tab);
    await bea.link.iq("get", xml("ping", { xmlns: "urn:xmpp:ping" }));
    await roundTrip(tab);
    expect(markers()).toHaveLength(1);
    tab.close();
    await bea.close();
  });

  it("shows the contact's displayed marker of our message as their read position, in every tab", async () => {
    const { cookie, tab } = await signedInTab("rs-ann");
    const other = await openTab(cookie);
    await other.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const bea = await peer("rs-bea");
    const got = record(bea);
    const body = `read me ${crypto.randomUUID()}`;
    tab.send({ type: "message.send", requestId: "s1", to: "rs-bea@localhost", body });
    const sent = await tab.waitFor(isMessage(body));
    const incoming = await until("our message at bea", () => got.find((s) => s.getChildText("body") === body));
    // A stranger claiming to have read it moves nothing.
    const eva = await peer("rs-eva");
    await eva.link.send(
      xml(
        "message",
        { to: "rs-ann@localhost", type: "chat" },
        xml("displayed", { xmlns: NS_MARKERS, id: incoming.attrs.id }),
      ),
    );
    await bea.link.send(
      xml(
        "message",
        { to: incoming.attrs.from, type: "chat" },
        xml("displayed", { xmlns: NS_MARKERS, id: incoming.attrs.id }),
      ),
    );
    for (const t of [tab, other]) {
      const frame = await t.waitFor(conversationOf("rs-bea@localhost", (c) => c.peerReadTs === sent.message.ts));
      expect(frame.conversation.peerReadTs).toBe(sent.message.ts);
    }
    expect(tab.frames.some((f) => f.type === "conversation" && f.conversation.peer === "rs-eva@localhost")).toBe(false);
    tab.close();
    other.close();
    await bea.close();
    await eva.close();
  });

  it("follows and publishes the read position shared with the user's other clients", async () => {
    const { cookie, tab } = await signedInTab("rs-cid");
    const other = await openTab(cookie);
    await other.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    // Another client of rs-cid (its phone, say): an independent session of the same account, carbons on.
    const phone = await peer("rs-cid");
    await phone.link.iq("set", xml("enable", { xmlns: "urn:xmpp:carbons:2" }));
    const atPhone = record(phone);
    const dan = await peer("rs-dan");
    const tag = crypto.randomUUID().slice(0, 8);
    const ids = [0, 1, 2].map((i) => `dan-${i}-${tag}`);
    for (let i = 0; i < 3; i++) await dan.send("rs-cid@localhost", `mds ${tag} ${i}`, ids[i]);
    await Promise.all([0, 1, 2].map((i) => tab.waitFor(isMessage(`mds ${tag} ${i}`))));
    const unreadOf = (t: Tab) =>
      t.frames
        .flatMap((f) =>
          "conversation" in f && f.conversation.peer === "rs-dan@localhost" ? [f.conversation.unread] : [],
        )
        .at(-1);
    await until("3 unread", () => (unreadOf(other) === 3 ? true : undefined));

    // The phone displayed the first message (XEP-0333): its marker to dan comes to Parley as a sent carbon.
    await phone.link.send(
      xml("message", { to: "rs-dan@localhost", type: "chat" }, xml("displayed", { xmlns: NS_MARKERS, id: ids[0] })),
    );
    for (const t of [tab, other]) await t.waitFor(conversationOf("rs-dan@localhost", (c) => c.unread === 2));

    // The phone read up to the second message: it publishes that message's archive id (its own copy carries it).
    const archiveIdOf = (body: string) =>
      until("the archive id at the phone", () => {
        for (const s of atPhone) {
          const inner = s.getChild("received", "urn:xmpp:carbons:2")?.getChild("forwarded")?.getChild("message") ?? s;
          if (inner.getChildText("body") !== body) continue;
          const sid = inner.getChildren("stanza-id", "urn:xmpp:sid:0").find((e) => e.attrs.by === "rs-cid@localhost");
          if (sid?.attrs.id) return sid.attrs.id;
        }
        return undefined;
      });
    const second = await archiveIdOf(`mds ${tag} 1`);
    const payload = xml(
      "displayed",
      { xmlns: NS_MDS },
      xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: "rs-cid@localhost", id: second }),
    );
    // Published without options, as an older client does: the node gets the server's defaults (presence access),
    // so Parley's publish with XEP-0490 §4's options must first bring the node to that configuration.
    await phone.link.iq("set", buildPublishPlain(MDS_NODE, "rs-dan@localhost", payload));
    for (const t of [tab, other]) await t.waitFor(conversationOf("rs-dan@localhost", (c) => c.unread === 1));

    // Parley reads everything: the phone finds the newest message's archive id in the node.
    const third = await archiveIdOf(`mds ${tag} 2`);
    tab.send({ type: "conversation.read", peer: "rs-dan@localhost" });
    for (const t of [tab, other]) await t.waitFor(conversationOf("rs-dan@localhost", (c) => c.unread === 0));
    let position: string | undefined;
    for (let i = 0; i < 100 && position !== third; i++) {
      const items = parseMdsItems(await phone.link.iq("get", buildMdsFetch()), "rs-cid@localhost");
      position = items.find((p) => p.peer === "rs-dan@localhost")?.archiveId;
      if (position !== third) await new Promise((r) => setTimeout(r, 100));
    }
    expect(position).toBe(third);
    // XEP-0490 §4: only the user's own clients may read it, and it keeps every conversation's item.
    const config = await phone.link.iq(
      "get",
      xml("pubsub", { xmlns: "http://jabber.org/protocol/pubsub#owner" }, xml("configure", { node: MDS_NODE })),
    );
    const field = (name: string) =>
      config
        .getChild("pubsub")
        ?.getChild("configure")
        ?.getChild("x", "jabber:x:data")
        ?.getChildren("field")
        .find((f) => f.attrs.var === name)
        ?.getChildText("value");
    expect(field("pubsub#access_model")).toBe("whitelist");
    expect(field("pubsub#persist_items")).toMatch(/^(1|true)$/);
    tab.close();
    other.close();
    await dan.close();
    await phone.close();
  });

  it("keeps pin, mute and hide across reloads and in storage; a new message shows a hidden conversation", async () => {
    const { cookie, tab } = await signedInTab("rs-eva");
    const fin = await peer("rs-fin");
    await fin.send("rs-eva@localhost", "hello eva");
    await tab.waitFor(isMessage("hello eva"));
    tab.send({ type: "conversation.set", peer: "rs-fin@localhost", pinned: true, muted: true });
    await tab.waitFor(conversationOf("rs-fin@localhost", (c) => c.pinned === true && c.muted === true));
    tab.send({ type: "conversation.set", peer: "rs-fin@localhost", hidden: true });
    await tab.waitFor(conversationOf("rs-fin@localhost", (c) => c.hidden === true));
    tab.close();

    const db = drizzle(env.DB, { schema });
    const stored = (await listConversations(db, "rs-eva@localhost", 10)).find((c) => c.peer === "rs-fin@localhost");
    expect(stored).toMatchObject({ pinned: true, muted: true, hidden: true });
    const reloaded = await openTab(cookie);
    const snapshot = await reloaded.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const conv =
      snapshot.type === "snapshot" ? snapshot.conversations.find((c) => c.peer === "rs-fin@localhost") : null;
    expect(conv).toMatchObject({ pinned: true, muted: true, hidden: true });

    await fin.send("rs-eva@localhost", "are you there?");
    const again = await reloaded.waitFor(isMessage("are you there?"));
    expect(again.conversation).toMatchObject({ pinned: true, muted: true });
    expect(again.conversation.hidden).toBeUndefined();
    let hidden: boolean | undefined = true;
    for (let i = 0; i < 50 && hidden; i++) {
      const rows = await listConversations(db, "rs-eva@localhost", 10);
      hidden = rows.find((c) => c.peer === "rs-fin@localhost")?.hidden;
      if (hidden) await new Promise((r) => setTimeout(r, 100));
    }
    expect(hidden).toBeUndefined();
    const third = await openTab(cookie);
    const snap = await third.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const shown = snap.type === "snapshot" ? snap.conversations.find((c) => c.peer === "rs-fin@localhost") : null;
    expect(shown).toMatchObject({ pinned: true, muted: true });
    expect(shown?.hidden).toBeUndefined();
    reloaded.close();
    third.close();
    await fin.close();
  });
});
