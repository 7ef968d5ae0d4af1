// Creating group chats and channels, and invitations (issue #8 §1), against a real Prosody: the object creates and
// configures the room, invitees (independent XMPP clients) get both kinds of invitation and are members, what the
// room became is checked by someone else's disco#info; invitations from an independent client reach the tab once,
// survive a restart, are declined back to the inviter and joined with their password.
import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { InvitationView, ServerFrame } from "../../src/protocol/index.ts";
import { buildBookmarksFetch, parseBookmarksItems } from "../../src/xmpp/bookmarks.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import { buildMediatedInvite, NS_CONFERENCE, parseDecline, parseInvitation } from "../../src/xmpp/muc-invites.ts";
import {
  buildAffiliationList,
  buildConfigFetch,
  buildConfigSubmit,
  buildDiscoInfo,
  buildJoin,
  NS_MUC_USER,
  parseAffiliationList,
  parseConfigFields,
  parseRoomInfo,
  roomConfig,
} from "../../src/xmpp/muc.ts";
import { goAway, isMessage, openTab, peer, record, signedInTab, until, type Peer, type Tab } from "./helpers.ts";

const MUC = "conference.localhost";
const ANN = "mk-ann@localhost";

type Frame<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;
const answered =
  <T extends "room.created" | "ack" | "error">(type: T, requestId: string) =>
  (f: ServerFrame): f is Frame<T> =>
    f.type === type && "requestId" in f && f.requestId === requestId;
const settled = (requestId: string) => (f: ServerFrame) =>
  (f.type === "room.created" || f.type === "ack" || f.type === "error") && f.requestId === requestId;

/** `p` joins `room` as `nick`; the room's answer (self-presence or error). */
async function enter(p: Peer, got: Element[], room: string, nick: string, password?: string): Promise<Element> {
  const seen = got.length;
  await p.link.send(buildJoin(room, nick, password));
  return until(`${nick} answered by ${room}`, () =>
    got
      .slice(seen)
      .find(
        (s) =>
          s.name === "presence" &&
          s.attrs.from === `${room}/${nick}` &&
          (s.attrs.type === "error" ||
            (s.getChild("x", NS_MUC_USER)?.getChildren("status") ?? []).some((c) => c.attrs.code === "110")),
      ),
  );
}

async function roomInfo(p: Peer, room: string) {
  const info = parseRoomInfo(await p.link.iq("get", buildDiscoInfo(), room));
  if (!info) throw new Error(`${room} is no room`);
  return info;
}

async function create(tab: Tab, frame: { requestId: string } & Record<string, unknown>) {
  tab.send(JSON.stringify({ type: "room.create", ...frame }));
  return tab.waitFor(settled(frame.requestId), 30_000);
}

async function roundTrip(tab: Tab): Promise<void> {
  const before = tab.frames.length;
  tab.send({ type: "ping" });
  await tab.waitFor((f) => f.type === "pong" && tab.frames.indexOf(f) >= before);
}

const invitationsFrames = (tab: Tab): InvitationView[][] =>
  tab.frames.flatMap((f) => (f.type === "invitations" ? [f.invitations] : []));

describe("creating group chats and channels (XEP-0045 §10.1) and invitations", () => {
  it("creates a group chat: unique address, members-only, addresses visible; invitees are members, get both invitations", async () => {
    const [bo, cy, dee] = await Promise.all([peer("mk-bo"), peer("mk-cy"), peer("mk-dee")]);
    const atBo = record(bo);
    const atCy = record(cy);
    const { tab } = await signedInTab("mk-ann");

    const done = await create(tab, {
      requestId: "c1",
      kind: "group",
      name: "Book club",
      invite: ["mk-bo@localhost", "mk-cy@localhost"],
    });
    if (done.type !== "room.created") throw new Error(`not created: ${JSON.stringify(done)}`);
    const room = done.room;
    expect(room.endsWith(`@${MUC}`)).toBe(true);
    // Its last state before room.created: joined, a group chat, ours, bookmarked.
    const view = tab.rooms.filter((f) => f.room.room === room).at(-1)?.room;
    expect(view).toMatchObject({
      name: "Book club",
      state: "joined",
      kind: "group",
      affiliation: "owner",
      autojoin: true,
    });

    // What the room is, as anyone else asks it (XEP-0045 §6.4).
    const info = await roomInfo(dee, room);
    expect(info).toMatchObject({
      name: "Book club",
      membersOnly: true,
      nonAnonymous: true,
      persistent: true,
      public: false,
      archived: true,
      passwordProtected: false,
    });
    // Members only: someone not invited is kept out.
    const atDee = record(dee);
    const refused = await enter(dee, atDee, room, "dee");
    expect(refused.attrs.type).toBe("error");
    expect(refused.getChild("error")?.getChild("registration-required")).toBeDefined();

    // Each invitee: one invitation through the room, one directly; both name the room.
    for (const got of [atBo, atCy]) {
      const kinds = await until("both invitations", () => {
        const found = got.flatMap((s) => {
          const i = s.name === "message" ? parseInvitation(s) : null;
          return i?.room === room ? [i] : [];
        });
        return found.length >= 2 ? found : undefined;
      });
      expect(kinds.map((i) => i.kind).sort()).toEqual(["direct", "mediated"]);
      expect(kinds.every((i) => i.from === ANN)).toBe(true);
    }

    // The invitation made them members (Prosody, §7.8.2 in a members-only room): bo gets in, and the member list
    // the owner's room keeps names both.
    const inside = await enter(bo, atBo, room, "bo");
    expect(inside.attrs.type).toBeUndefined();
    const members = parseAffiliationList(await bo.link.iq("get", buildAffiliationList("member"), room));
    expect(members.map((m) => m.jid).sort()).toEqual(["mk-bo@localhost", "mk-cy@localhost"]);
    const owners = parseAffiliationList(await bo.link.iq("get", buildAffiliationList("owner"), room));
    expect(owners.map((m) => m.jid)).toEqual([ANN]);

    // bo writes; the tab has it.
    await bo.link.send(buildGroupchat(room, "hello book club", crypto.randomUUID()));
    const heard = await tab.waitFor(isMessage("hello book club"));
    expect(heard.message.from?.nick).toBe("bo");

    // "Invite" in the room: dee, kept out before, gets both invitations and is let in.
    tab.send({ type: "room.invite", requestId: "i1", room, jid: "mk-dee@localhost" });
    await tab.waitFor(answered("ack", "i1"));
    await until("dee's invitations", () =>
      atDee.filter((s) => s.name === "message" && parseInvitation(s)?.room === room).length >= 2 ? true : undefined,
    );
    expect((await enter(dee, atDee, room, "dee")).attrs.type).toBeUndefined();
    tab.send({ type: "room.invite", requestId: "i2", room: "nowhere@conference.localhost", jid: "mk-dee@localhost" });
    expect(await tab.waitFor(settled("i2"))).toMatchObject({ type: "error", message: "not-joined" });

    // Bookmarked with autojoin, as any joined room (XEP-0402).
    const phone = await peer("mk-ann");
    const marks = parseBookmarksItems(await phone.link.iq("get", buildBookmarksFetch()));
    expect(marks.find((b) => b.room === room)).toMatchObject({ autojoin: true, name: "Book club" });
    tab.close();
    await Promise.all([bo.close(), cy.close(), dee.close(), phone.close()]);
  });

  it("creates a channel at the address chosen: open, public, addresses hidden; the address again is taken", async () => {
    const dee = await peer("mk-dee");
    const { tab } = await signedInTab("mk-ann");
    const local = `news-${crypto.randomUUID().slice(0, 6)}`;
    const done = await create(tab, {
      requestId: "c2",
      kind: "channel",
      name: "News",
      address: local,
      description: "What happens",
      invite: [],
    });
    expect(done).toMatchObject({ type: "room.created", room: `${local}@${MUC}` });
    const room = `${local}@${MUC}`;
    await tab.waitForRoom((r) => r.room === room && r.state === "joined" && r.kind === "channel");
    expect(await roomInfo(dee, room)).toMatchObject({
      name: "News",
      description: "What happens",
      membersOnly: false,
      nonAnonymous: false,
      persistent: true,
      public: true,
      archived: true,
    });
    // Open: anyone joins.
    const inside = await enter(dee, record(dee), room, "dee");
    expect(inside.attrs.type).toBeUndefined();

    const again = await create(tab, { requestId: "c3", kind: "channel", name: "News 2", address: local, invite: [] });
    expect(again).toMatchObject({ type: "error", code: "room-failed", message: "conflict" });
    // A channel needs an address; a bad one is refused before anything is asked of the server.
    tab.send(JSON.stringify({ type: "room.create", requestId: "c4", kind: "channel", name: "x", invite: [] }));
    expect(await tab.waitFor(settled("c4"))).toMatchObject({ type: "error", code: "bad-frame" });
    const bad = await create(tab, { requestId: "c5", kind: "channel", name: "x", address: "a b", invite: [] });
    expect(bad).toMatchObject({ type: "error", message: "jid-malformed" });
    tab.close();
    await dee.close();
  });

  it("shows an invitation from an independent client once, keeps it across a restart, declines it to the inviter", async () => {
    const bo = await peer("mk-bo");
    const atBo = record(bo);
    const room = `club-${crypto.randomUUID().slice(0, 8)}@${MUC}`;
    await enter(bo, atBo, room, "bo");
    const offered = parseConfigFields(await bo.link.iq("get", buildConfigFetch(), room));
    await bo.link.iq("set", buildConfigSubmit(roomConfig("group", { name: "Club", description: "" }), offered), room);
    const { cookie, tab } = await signedInTab("mk-ann");
    // Both kinds, as a modern client sends them.
    await bo.link.send(buildMediatedInvite(room, ANN, "inv-1", "join us"));
    await bo.link.send(xml("message", { to: ANN, id: "inv-2" }, xml("x", { xmlns: NS_CONFERENCE, jid: room })));
    await until("the invitation in the tab", () =>
      invitationsFrames(tab).some((l) => l.some((i) => i.room === room)) ? true : undefined,
    );
    // Both have been handled once a stanza sent after them has come back, and the tab answered after that.
    await bo.link.iq("get", xml("ping", { xmlns: "urn:xmpp:ping" }), ANN);
    await roundTrip(tab);
    const last = invitationsFrames(tab).at(-1) ?? [];
    expect(last.filter((i) => i.room === room)).toEqual([
      { room, from: "mk-bo@localhost", reason: "join us", ts: expect.any(Number) },
    ]);

    // A restart: the invitation is still there.
    tab.close();
    await goAway(ANN);
    const again = await openTab(cookie);
    const snapshot = await again.waitFor(
      (f): f is Frame<"snapshot"> => f.type === "snapshot" && f.connection === "online",
    );
    expect(snapshot.invitations?.map((i) => i.room)).toContain(room);

    // Decline: through the room, back to bo (XEP-0045 §7.8.2); gone from the tab.
    again.send({ type: "invitation.answer", requestId: "d1", room, accept: false });
    await again.waitFor(answered("ack", "d1"));
    const decline = await until("bo hears the decline", () =>
      atBo.map((s) => (s.name === "message" ? parseDecline(s) : null)).find((d) => d?.room === room),
    );
    expect(decline?.from).toBe(ANN);
    await until("the invitation gone from the tab", () =>
      invitationsFrames(again)
        .at(-1)
        ?.some((i) => i.room === room) === false
        ? true
        : undefined,
    );
    again.close();
    await bo.close();
  });

  it("joins from an invitation with the password it carries", async () => {
    const bo = await peer("mk-bo");
    const atBo = record(bo);
    const room = `locked-${crypto.randomUUID().slice(0, 8)}@${MUC}`;
    await enter(bo, atBo, room, "bo");
    const offered = parseConfigFields(await bo.link.iq("get", buildConfigFetch(), room));
    await bo.link.iq(
      "set",
      buildConfigSubmit(
        {
          ...roomConfig("channel", { name: "Locked", description: "" }),
          "muc#roomconfig_passwordprotectedroom": true,
          "muc#roomconfig_roomsecret": "sesame",
        },
        offered,
      ),
      room,
    );
    expect((await roomInfo(bo, room)).passwordProtected).toBe(true);
    const { tab } = await signedInTab("mk-ann");
    await bo.link.send(
      xml("message", { to: ANN, id: "inv-3" }, xml("x", { xmlns: NS_CONFERENCE, jid: room, password: "sesame" })),
    );
    await until("the invitation", () =>
      invitationsFrames(tab).some((l) => l.some((i) => i.room === room)) ? true : undefined,
    );
    tab.send({ type: "invitation.answer", requestId: "a1", room, accept: true });
    await tab.waitFor(answered("ack", "a1"), 30_000);
    await tab.waitForRoom((r) => r.room === room && r.state === "joined");
    await until("ann in the room", () =>
      atBo.find((s) => s.name === "presence" && s.attrs.from === `${room}/mk-ann` && s.attrs.type === undefined),
    );
    await until("the invitation gone from the tab", () =>
      invitationsFrames(tab)
        .at(-1)
        ?.some((i) => i.room === room) === false
        ? true
        : undefined,
    );
    tab.close();
    await bo.close();
  });
});
