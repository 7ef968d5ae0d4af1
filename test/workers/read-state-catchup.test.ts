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
import type { Hole } from "../../src/durable/ranges.ts";
import { buildMdsFetch, buildMdsPublish, parseMdsItems } from "../../src/xmpp/mds.ts";
import type { TestUserSession } from "./test-worker.ts";
import {
  goAway,
  isMessage,
  openTab,
  peer,
  phoneOf,
  readAll,
  record,
  signedInTab,
  until,
  type Peer,
  type Tab,
} from "./helpers.ts";

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

/** `count` messages "<tag> 0000"… from `from` to `to`, awaited at `to`'s phone. */
async function flood(from: Peer, to: Peer, toJid: string, tag: string, count: number): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, i) => `${tag} ${String(i).padStart(4, "0")}`);
  for (const body of bodies) await from.send(toJid, body);
  await until(
    `${count} messages at the phone`,
    () => (to.bodies.includes(bodies.at(-1) ?? "") ? true : undefined),
    30_000,
  );
  return bodies;
}

/** The archive id our server gave a message (XEP-0359 stanza-id by our account), as the phone received it. */
function archiveIdAt(stanzas: readonly Element[], self: string, body: string): string | undefined {
  for (const s of stanzas) {
    if (s.getChildText("body") !== body) continue;
    const sid = s.getChildren("stanza-id", "urn:xmpp:sid:0").find((e) => e.attrs.by === self);
    if (sid?.attrs.id) return sid.attrs.id;
  }
  return undefined;
}

const holesOf = (jid: string) =>
  runInDurableObject(env.USER_SESSION.getByName(jid), (_i: TestUserSession, state) =>
    state.storage.get<Hole[]>("holes"),
  );

describe("read state and conversations across a hole in history", () => {
  it("an XEP-0490 position naming a message in a hole waits, and applies when the hole is filled", async () => {
    // rc-lou's object catches up one archive page and fills one page per read (test/workers/test-worker.ts).
    const lou = "rc-lou@localhost";
    const { cookie, tab } = await signedInTab("rc-lou");
    const mia = await peer("rc-mia");
    const hello = `hello ${crypto.randomUUID()}`;
    await mia.send(lou, hello);
    await tab.waitFor(isMessage(hello));
    tab.close();
    await goAway(lou);

    const phone = await phoneOf("rc-lou");
    const atPhone = record(phone);
    const tag = `mds ${crypto.randomUUID().slice(0, 8)}`;
    const bodies = await flood(mia, phone, lou, tag, 300);
    // The phone read up to message 230 (in what will be the hole: the catch-up brings the first and the last 50).
    const read = bodies[230] ?? "";
    const archiveId = archiveIdAt(atPhone, lou, read);
    expect(archiveId).toBeTruthy();
    await phone.link.iq("set", buildMdsPublish(lou, "rc-mia@localhost", archiveId ?? ""));
    await phone.close();

    const tab2 = await openTab(cookie);
    await tab2.waitFor(isMessage(bodies.at(-1) ?? ""), 30_000);
    expect(await holesOf(lou)).toHaveLength(1);
    // The position's message is not stored: it waits (in the object's storage).
    const waiting = await runInDurableObject(
      env.USER_SESSION.getByName(lou),
      async (instance: TestUserSession, state) => {
        await instance.settleForTests();
        return state.storage.get<{ value: string }>("mds-waiting:rc-mia@localhost");
      },
    );
    expect(waiting?.value).toBe(archiveId);

    // Reading the conversation fills the hole from the top: when message 230 is stored, the position applies,
    // and the unread count follows (messages 231 to 299).
    const seen = await readAll(tab2, "rc-mia@localhost");
    expect(seen.filter((b) => b.startsWith(tag))).toEqual(bodies);
    const readMessage = tab2.frames
      .flatMap((f) => (f.type === "history" ? f.messages : []))
      .find((m) => m.body === read);
    const moved = await tab2.waitFor(
      isConversation("rc-mia@localhost", (c) => c.readTs !== undefined && c.readTs === readMessage?.ts),
    );
    expect(moved.conversation.unread).toBe(69);
    const db = drizzle(env.DB, { schema });
    const stored = (await listConversations(db, lou, 20)).find((c) => c.peer === "rc-mia@localhost");
    expect(stored).toMatchObject({ readTs: readMessage?.ts, unread: 69 });
    tab2.close();
    await mia.close();
  }, 120_000);

  it("a conversation whose messages all lie in the hole shows at once, with its last message and unread count", async () => {
    const max = "rc-max@localhost";
    const { cookie, tab } = await signedInTab("rc-max");
    const nia = await peer("rc-nia");
    const hello = `hello ${crypto.randomUUID()}`;
    await nia.send(max, hello);
    await tab.waitFor(isMessage(hello));
    tab.close();
    await goAway(max);

    // Away: oli becomes a contact (from the phone) and writes twice, between two floods from nia, so that oli's
    // messages are neither in the page the catch-up brings first nor in the latest page.
    const phone = await phoneOf("rc-max");
    await phone.link.iq("set", xml("query", { xmlns: "jabber:iq:roster" }, xml("item", { jid: "rc-oli@localhost" })));
    const oli = await peer("rc-oli");
    const tag = crypto.randomUUID().slice(0, 8);
    const first = await flood(nia, phone, max, `a ${tag}`, 100);
    const olis = [`oli 0 ${tag}`, `oli 1 ${tag}`];
    for (const body of olis) await oli.send(max, body);
    await until("oli's messages at the phone", () => (phone.bodies.includes(olis[1] ?? "") ? true : undefined));
    const second = await flood(nia, phone, max, `b ${tag}`, 100);
    await phone.close();

    const tab2 = await openTab(cookie);
    await tab2.waitFor(isMessage(second.at(-1) ?? ""), 30_000);
    const shown = await until(
      "oli's conversation",
      () => {
        const c = latest(tab2, "rc-oli@localhost");
        return c?.lastBody === olis[1] ? c : undefined;
      },
      15_000,
    );
    expect(shown.unread).toBe(2);
    expect(await holesOf(max)).toHaveLength(1);
    const db = drizzle(env.DB, { schema });
    let row: Conversation | undefined;
    for (let i = 0; i < 50 && row?.lastBody !== olis[1]; i++) {
      row = (await listConversations(db, max, 20)).find((c) => c.peer === "rc-oli@localhost");
      if (row?.lastBody !== olis[1]) await new Promise((r) => setTimeout(r, 100));
    }
    expect(row).toMatchObject({ lastBody: olis[1], unread: 2 });

    // Both conversations read back whole, in order, once: the hole is filled around what was looked up.
    expect(await readAll(tab2, "rc-oli@localhost")).toEqual(olis);
    const niaAll = await readAll(tab2, "rc-nia@localhost");
    // (The hello first: a caught-up message stamped in its second comes after it, restart or not.)
    expect(niaAll).toEqual([hello, ...first, ...second]);
    tab2.close();
    await nia.close();
    await oli.close();
  }, 120_000);
});
