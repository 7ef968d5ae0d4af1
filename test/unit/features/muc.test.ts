import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { Archive } from "../../../src/durable/archive.ts";
import { ChatFeature } from "../../../src/durable/features/chat.ts";
import { MucFeature, removalReason } from "../../../src/durable/features/muc.ts";
import type { RoomFrame } from "../../../src/protocol/index.ts";
import { XMPPError } from "../../../src/xmpp/errors.ts";
import { parseOccupant } from "../../../src/xmpp/muc.ts";
import { parseXml } from "../xml-helpers.ts";
import { harness, type Harness } from "./fakes.ts";

const ROOM = "tea@conference.example.org";

/** An archive with nothing in it: the catch-up after a join finds no message. */
const emptyArchive = {
  query: async () => ({ results: [], fin: { complete: true, first: undefined, last: undefined } }),
  unseen: async () => ({ chats: [], keys: [], stored: new Set<string>(), markers: [] }),
  collect: () => true,
} as unknown as Archive;

const roomInfo = (features: string[]) =>
  parseXml(`<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'>
    <identity category='conference' type='text' name='Tea room'/>
    ${features.map((f) => `<feature var='${f}'/>`).join("")}</query></iq>`);

function setup(answer?: (child: Element, to: string | undefined) => Element): { h: Harness; muc: MucFeature } {
  const h = harness();
  h.link.answer = (_type, child, to) => {
    if (answer) return answer(child, to);
    if (child.attrs.node === "x-roomuser-item") throw new XMPPError("item-not-found");
    if (child.name === "query") return roomInfo(["muc_open", "urn:xmpp:occupant-id:0", "urn:xmpp:mam:2"]);
    return xml("iq", { type: "result" });
  };
  const muc = new MucFeature(h.ctx, new ChatFeature(h.ctx), () => emptyArchive);
  return { h, muc };
}

const selfPresence = (nick: string, extra = "", type = "") =>
  parseXml(`<presence from='${ROOM}/${nick}' ${type ? `type='${type}'` : ""}>
    <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant'/>
    <status code='110'/>${extra}</x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='me-occ'/></presence>`);

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Waits until the link has sent `n` stanzas (the feature sends its join presence after a few awaits). */
async function sent(h: Harness, n: number): Promise<Element> {
  for (let i = 0; i < 50 && h.link.sent.length < n; i++) await tick();
  const el = h.link.sent[n - 1];
  if (!el) throw new Error(`nothing sent (${h.link.sent.length})`);
  return el;
}

/** The feature joins ROOM and the room answers with our self-presence as "me". */
async function joinAsMe(h: Harness, muc: MucFeature): Promise<void> {
  const joining = muc.join(ROOM);
  await sent(h, 1);
  muc.onStanza(selfPresence("me"));
  await joining;
}

const rooms = (h: Harness) => h.broadcast.filter((f): f is RoomFrame => f.type === "room").map((f) => f.room);

describe("MucFeature", () => {
  it("joins: disco#info first, no legacy history, the local part as nick, joined on the self-presence", async () => {
    const { h, muc } = setup();
    const joining = muc.join(ROOM);
    const join = await sent(h, 1);
    expect(h.link.iqs[0]?.to).toBe(ROOM);
    expect(join.attrs.to).toBe(`${ROOM}/me`);
    expect(join.getChild("x", "http://jabber.org/protocol/muc")?.getChild("history")?.attrs.maxchars).toBe("0");
    muc.onStanza(
      parseXml(`<presence from='${ROOM}/bo'><x xmlns='http://jabber.org/protocol/muc#user'>
      <item affiliation='owner' role='moderator'/></x></presence>`),
    );
    muc.onStanza(selfPresence("me"));
    await joining;
    expect(rooms(h).at(-1)).toMatchObject({
      room: ROOM,
      kind: "channel",
      name: "Tea room",
      state: "joined",
      participants: 2,
      role: "participant",
      affiliation: "member",
    });
    expect(muc.get(ROOM)?.selfOccupantId).toBe("me-occ");
    expect(h.stored.some((s) => s.kind === "room")).toBe(true);
  });

  it("retries with the next nickname after a conflict (XEP-0045 §7.2.9)", async () => {
    const { h, muc } = setup();
    const joining = muc.join(ROOM, { nick: "ann" });
    await sent(h, 1);
    muc.onStanza(
      parseXml(`<presence from='${ROOM}/ann' type='error'><error type='cancel'>
      <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`),
    );
    const second = await sent(h, 2);
    expect(second.attrs.to).toBe(`${ROOM}/ann_2`);
    muc.onStanza(selfPresence("ann_2"));
    await joining;
    expect(muc.get(ROOM)?.view.nick).toBe("ann_2");
  });

  it("a refused join shows as an error with the condition", async () => {
    const { h, muc } = setup();
    const joining = muc.join(ROOM);
    await sent(h, 1);
    muc.onStanza(
      parseXml(`<presence from='${ROOM}/me' type='error'><error type='auth'>
      <registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`),
    );
    await expect(joining).rejects.toMatchObject({ condition: "registration-required" });
    expect(rooms(h).at(-1)).toMatchObject({ state: "error", error: "registration-required" });
  });

  it("a kick is shown with its reason and not rejoined; an unexplained removal is rejoined", async () => {
    const { h, muc } = setup();
    await joinAsMe(h, muc);
    muc.onStanza(
      parseXml(`<presence from='${ROOM}/me' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>
        <item affiliation='none' role='none'><reason>spam</reason></item><status code='110'/><status code='307'/>
      </x></presence>`),
    );
    expect(rooms(h).at(-1)).toMatchObject({ state: "error", error: "kicked: spam" });
    expect(h.link.sent).toHaveLength(1);

    const again = muc.join(ROOM);
    await sent(h, 2);
    muc.onStanza(selfPresence("me"));
    await again;
    muc.onStanza(selfPresence("me", "", "unavailable"));
    const rejoin = await sent(h, 3);
    expect(rejoin.attrs.to).toBe(`${ROOM}/me`);
    expect(rooms(h).at(-1)?.state).toBe("joining");
  });

  it("XEP-0410: a silent room is self-pinged; not-acceptable means rejoin", async () => {
    let pings = 0;
    const { h, muc } = setup((child) => {
      if (child.name === "ping") {
        pings++;
        throw new XMPPError("not-acceptable");
      }
      if (child.attrs.node === "x-roomuser-item") throw new XMPPError("item-not-found");
      return roomInfo(["muc_open"]);
    });
    await joinAsMe(h, muc);
    await muc.tick(Date.now()); // not silent yet
    expect(pings).toBe(0);
    const ticking = muc.tick(Date.now() + 5 * 60_000);
    const rejoin = await sent(h, 2);
    expect(pings).toBe(1);
    expect(rejoin.attrs.to).toBe(`${ROOM}/me`);
    muc.onStanza(selfPresence("me"));
    await ticking;
    expect(rooms(h).at(-1)?.state).toBe("joined");
  });

  it("stores a live message with its sender, ours (by origin-id) once, with the tab's request id", async () => {
    const { h, muc } = setup();
    await joinAsMe(h, muc);
    muc.onStanza(
      parseXml(`<message type='groupchat' from='${ROOM}/bo'><body>hi</body>
      <stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s1'/></message>`),
    );
    await muc.send(h.ws, { type: "message.send", requestId: "r1", to: ROOM, body: "hello" });
    const out = await sent(h, 2);
    expect(out.attrs).toMatchObject({ type: "groupchat", to: ROOM });
    muc.onStanza(
      parseXml(`<message type='groupchat' from='${ROOM}/me'><body>hello</body>
      <origin-id xmlns='urn:xmpp:sid:0' id='${out.attrs.id}'/><stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s2'/></message>`),
    );
    const messages = h.broadcast.flatMap((f) => (f.type === "message" ? [f] : []));
    expect(messages.map((m) => [m.message.body, m.message.direction, m.message.from?.nick, m.requestId])).toEqual([
      ["hi", "in", "bo", undefined],
      ["hello", "out", "me", "r1"],
    ]);
    expect(messages[1]?.conversation).toMatchObject({ kind: "room", unread: 1 });
    expect(muc.get(ROOM)?.lastArchiveId).toBe("s2");
  });

  it("does not join an address that is no conference", async () => {
    const { h, muc } = setup(() =>
      parseXml(`<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'>
        <identity category='client' type='pc'/></query></iq>`),
    );
    await expect(muc.join(ROOM)).rejects.toMatchObject({ condition: "item-not-found" });
    expect(h.link.sent).toHaveLength(0);
    expect(rooms(h).at(-1)).toMatchObject({ state: "error", error: "item-not-found" });
  });

  it("refuses a message to a room it is not in", async () => {
    const { h, muc } = setup();
    muc.entry(ROOM);
    await muc.send(h.ws, { type: "message.send", requestId: "r2", to: ROOM, body: "x" });
    expect(h.sent[0]?.frame).toMatchObject({ type: "error", code: "send-failed", requestId: "r2" });
    expect(h.link.sent).toHaveLength(0);
  });

  it("names why the room removed us", () => {
    const occ = (codes: string) =>
      parseOccupant(
        parseXml(`<presence from='${ROOM}/me' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>
          <item affiliation='none' role='none'/>${codes}</x></presence>`),
      );
    const reason = (codes: string) => {
      const o = occ(codes);
      return o ? removalReason(o) : "unparsed";
    };
    expect(reason("<status code='110'/><status code='301'/>")).toBe("banned");
    expect(reason("<status code='321'/>")).toBe("affiliation-changed");
    expect(reason("<status code='332'/>")).toBe("shutdown");
    expect(reason("<destroy><reason>bye</reason></destroy>")).toBe("destroyed");
    expect(reason("<status code='110'/>")).toBeNull();
  });
});
