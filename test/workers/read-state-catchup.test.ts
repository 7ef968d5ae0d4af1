// Read state that happened while the object was not there (issue #7 §3 with §6), against a real Prosody with
// independent clients: XEP-0333 markers that only the archive catch-up (XEP-0313) brings, an XEP-0490 position
// whose message is not stored yet, and a read made while the link was down that must outlive a restart.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { xml, type Element } from "@xmpp/xml";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.ts";
import { listConversations } from "../../src/db/store.ts";
import type { Conversation, ServerFrame } from "../../src/protocol/index.ts";
import { NS_MARKERS } from "../../src/xmpp/markers.ts";
import { buildMdsFetch, parseMdsItems } from "../../src/xmpp/mds.ts";
import type { TestUserSession } from "./test-worker.ts";
import { goAway, isMessage, openTab, peer, phoneOf, record, signedInTab, until, type Tab } from "./helpers.ts";

const displayed = (to: string, id: string): Element =>
  xml("message", { to, type: "chat", id: crypto.randomUUID() }, xml("displayed", { xmlns: NS_MARKERS, id }));

/** The newest state of a conversation the tab was told (snapshot, message or conversation frames). */
function latest(tab: Tab, peerJid: string): Conversation | undefined {
  let found: Conversation | undefined;
  for (const f of tab.frames) {
    if (f.type === "snapshot") found = f.conversations.find((c) => c.peer === peerJid) ?? found;
    else if ((f.type === "conversation" || f.type === "message") && f.conversation.peer === peerJid) {
      found = f.conversation;
    }
  }
  return found;
}

const isConversation =
  (peerJid: string, pred: (c: Conversation) => boolean) =>
  (f: ServerFrame): f is Extract<ServerFrame, { type: "conversation" }> =>
    f.type === "conversation" && f.conversation.peer === peerJid && pred(f.conversation);

describe("read state caught up after the object was away", () => {
  it("applies the XEP-0333 markers only the archive catch-up brings, from the right senders only", async () => {
    const ann = "rc-ann@localhost";
    const { cookie, tab } = await signedInTab("rc-ann");
    const bea = await peer("rc-bea");
    const atBea = record(bea);
    // Two messages of ours to bea, and one of bea's, while the object is there.
    const tag = crypto.randomUUID().slice(0, 8);
    tab.send({ type: "message.send", requestId: "o1", to: "rc-bea@localhost", body: `ours 1 ${tag}` });
    tab.send({ type: "message.send", requestId: "o2", to: "rc-bea@localhost", body: `ours 2 ${tag}` });
    const ours1 = await tab.waitFor(isMessage(`ours 1 ${tag}`));
    await tab.waitFor(isMessage(`ours 2 ${tag}`));
    const idAtBea = (body: string) =>
      until(body, () => atBea.find((s) => s.getChildText("body") === body)?.attrs.id ?? undefined);
    const [id1, id2] = [await idAtBea(`ours 1 ${tag}`), await idAtBea(`ours 2 ${tag}`)];
    await bea.send(ann, `theirs 1 ${tag}`);
    await tab.waitFor(isMessage(`theirs 1 ${tag}`));
    tab.close();
    await goAway(ann);

    // Away: the user's phone is the only client. bea writes twice; the phone displays bea's newest (its marker
    // to bea is archived as ours); bea displays our first message; a stranger claims to have displayed the second.
    const phone = await phoneOf("rc-ann");
    const eva = await peer("rc-eva");
    await bea.send(ann, `theirs 2 ${tag}`, `t2-${tag}`);
    await bea.send(ann, `theirs 3 ${tag}`, `t3-${tag}`);
    await until("bea's messages at the phone", () => (phone.bodies.includes(`theirs 3 ${tag}`) ? true : undefined));
    await phone.link.send(displayed("rc-bea@localhost", `t3-${tag}`));
    await bea.link.send(displayed(ann, id1));
    await eva.link.send(displayed(ann, id2));
    // A round trip on each stream: the server has routed (and archived) what each sent.
    for (const p of [phone, bea, eva]) await p.link.iq("get", xml("ping", { xmlns: "urn:xmpp:ping" }), "localhost");
    const phoneJid = phone.link.boundJid;
    await phone.close();

    // The object wakes: the catch-up brings bea's two messages (unread) and the markers that read them.
    const tab2 = await openTab(cookie);
    const third = await tab2.waitFor(isMessage(`theirs 3 ${tag}`), 30_000);
    const read = await tab2.waitFor(
      isConversation("rc-bea@localhost", (c) => c.readTs === third.message.ts && c.unread === 0),
      30_000,
    );
    expect(read.conversation.unread).toBe(0);
    await tab2.waitFor(isConversation("rc-bea@localhost", (c) => c.peerReadTs === ours1.message.ts));
    // Not the second: only bea's own marker counts, and bea displayed the first one only.
    expect(latest(tab2, "rc-bea@localhost")).toMatchObject({ peerReadTs: ours1.message.ts, unread: 0 });
    expect(tab2.frames.some((f) => f.type === "conversation" && f.conversation.peer === "rc-eva@localhost")).toBe(
      false,
    );
    const db = drizzle(env.DB, { schema });
    const stored = (await listConversations(db, ann, 20)).find((c) => c.peer === "rc-bea@localhost");
    expect(stored).toMatchObject({ readTs: third.message.ts, unread: 0, peerReadTs: ours1.message.ts });
    // These reads happened elsewhere: Parley announces nothing for them (bea has the phone's marker only).
    expect(atBea.filter((s) => s.getChild("displayed", NS_MARKERS)).map((s) => s.attrs.from)).toEqual([phoneJid]);
    tab2.close();
    await bea.close();
    await eva.close();
  }, 60_000);

  it("a read made while the link was down is announced after the object restarted", async () => {
    const cal = "rc-cal@localhost";
    const { cookie, tab } = await signedInTab("rc-cal");
    const dora = await peer("rc-dora");
    const atDora = record(dora);
    const tag = crypto.randomUUID().slice(0, 8);
    await dora.link.send(
      xml(
        "message",
        { to: cal, type: "chat", id: `mk-${tag}` },
        xml("body", {}, `markable ${tag}`),
        xml("markable", { xmlns: NS_MARKERS }),
      ),
    );
    await tab.waitFor(isMessage(`markable ${tag}`));
    // The link drops (this instance will not reconnect), and the user reads the conversation meanwhile.
    const stub = env.USER_SESSION.getByName(cal);
    await runInDurableObject(stub, (instance: TestUserSession) => instance.dropConnectionForTests());
    tab.send({ type: "conversation.read", peer: "rc-dora@localhost" });
    await tab.waitFor(isConversation("rc-dora@localhost", (c) => c.unread === 0));
    // Before any link is back, the object is evicted (a deploy, a crash): the announcement must survive that.
    await evictDurableObject(stub, { webSockets: "close" });
    expect(atDora.filter((s) => s.getChild("displayed", NS_MARKERS))).toHaveLength(0);

    const tab2 = await openTab(cookie);
    await tab2.waitFor((f) => f.type === "snapshot" && f.connection === "online", 30_000);
    const marker = await until("the displayed marker at dora", () =>
      atDora.find((s) => s.getChild("displayed", NS_MARKERS)),
    );
    expect(marker.getChild("displayed", NS_MARKERS)?.attrs.id).toBe(`mk-${tag}`);
    // XEP-0490: the user's other clients learn the position too.
    const phone = await peer("rc-cal");
    let position: string | undefined;
    for (let i = 0; i < 100 && !position; i++) {
      const items = parseMdsItems(await phone.link.iq("get", buildMdsFetch()), cal);
      position = items.find((p) => p.peer === "rc-dora@localhost")?.archiveId;
      if (!position) await new Promise((r) => setTimeout(r, 100));
    }
    expect(position).toBeTruthy();
    tab2.close();
    await phone.close();
    await dora.close();
  }, 60_000);
});
