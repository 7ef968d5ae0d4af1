// A room's settings for its owners (issue #8 §1) against a real Prosody, with independent peers as the room's
// creator and participants: name and description (seen in an outsider's disco#info), members added and removed,
// a participant removed (status 307) and banned (status 301) with the reason reaching them, the room destroyed;
// the object's affiliation map follows presences (321, 301), the room's announcements for absent people, and the
// lists fetched for the settings.
import { env, runInDurableObject } from "cloudflare:test";
import type { Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../src/protocol/index.ts";
import {
  buildConfigFetch,
  buildConfigSubmit,
  buildDiscoInfo,
  buildJoin,
  buildSetAffiliation,
  NS_MUC_USER,
  parseConfigFields,
  parseRoomInfo,
  roomConfig,
} from "../../src/xmpp/muc.ts";
import { peer, record, signedInTab, until, type Peer, type Tab } from "./helpers.ts";
import type { TestUserSession } from "./test-worker.ts";

const MUC = "conference.localhost";
const ANN = "set-ann@localhost";

function codesOf(s: Element): string[] {
  return (s.getChild("x", NS_MUC_USER)?.getChildren("status") ?? []).map((c) => String(c.attrs.code));
}

/** `p` joins `room` as `nick`; resolves with every stanza it receives from then on. */
async function enter(p: Peer, room: string, nick: string): Promise<Element[]> {
  const got = record(p);
  await p.link.send(buildJoin(room, nick));
  await until(`${nick} in ${room}`, () =>
    got.find((s) => s.name === "presence" && s.attrs.from === `${room}/${nick}` && codesOf(s).includes("110")),
  );
  return got;
}

/** bo makes the room and makes the user an owner. */
async function ownedBy(bo: Peer, room: string, kind: "group" | "channel"): Promise<void> {
  await enter(bo, room, "bo");
  const offered = parseConfigFields(await bo.link.iq("get", buildConfigFetch(), room));
  await bo.link.iq("set", buildConfigSubmit(roomConfig(kind, { name: "Before", description: "old" }), offered), room);
  await bo.link.iq("set", buildSetAffiliation(ANN, "owner"), room);
}

async function request(tab: Tab, frame: Record<string, unknown>): Promise<ServerFrame> {
  const requestId = `r-${crypto.randomUUID().slice(0, 8)}`;
  tab.send(JSON.stringify({ ...frame, requestId }));
  return tab.waitFor(
    (f) => (f.type === "ack" || f.type === "error" || f.type === "room.affiliations") && f.requestId === requestId,
    20_000,
  );
}

async function joinAs(tab: Tab, room: string): Promise<void> {
  expect(await request(tab, { type: "room.join", room, nick: "ann" })).toMatchObject({ type: "ack" });
}

/** The object's affiliation map of `room`. */
async function membersOf(room: string): Promise<[string, string][]> {
  const stub = env.USER_SESSION.getByName(ANN);
  return runInDurableObject(stub, (instance: TestUserSession) => instance.roomMembersForTests(room));
}

/** Polls the map until `pred` holds of it (the presence or message that changes it is on its way). */
async function membersUntil(room: string, pred: (m: [string, string][]) => boolean): Promise<[string, string][]> {
  for (let i = 0; i < 100; i++) {
    const m = await membersOf(room);
    if (pred(m)) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  return membersOf(room);
}

describe("room settings (XEP-0045 §8–§10)", () => {
  it("renames, lists and changes members, removes and bans a participant, tracking affiliations", async () => {
    const run = crypto.randomUUID().slice(0, 6);
    const room = `settings-${run}@${MUC}`;
    const [bo, cy, dee] = await Promise.all([peer("set-bo"), peer("set-cy"), peer("set-dee")]);
    await ownedBy(bo, room, "channel");
    const { tab } = await signedInTab("set-ann");
    await joinAs(tab, room);

    // Name and description: the owner's form; an outsider's disco#info shows them, and so do the tabs.
    expect(
      await request(tab, { type: "room.configure", room, name: `Renamed ${run}`, description: "All about it" }),
    ).toMatchObject({ type: "ack" });
    const info = parseRoomInfo(await dee.link.iq("get", buildDiscoInfo(), room));
    expect(info).toMatchObject({ name: `Renamed ${run}`, description: "All about it" });
    await tab.waitForRoom((r) => r.room === room && r.name === `Renamed ${run}`);
    // Another owner renames it (status 104 in the room): the header follows.
    const offered = parseConfigFields(await bo.link.iq("get", buildConfigFetch(), room));
    await bo.link.iq("set", buildConfigSubmit({ "muc#roomconfig_roomname": `By bo ${run}` }, offered), room);
    const renamed = await tab.waitForRoom((r) => r.room === room && r.name === `By bo ${run}`);
    expect(renamed.description).toBe("All about it");

    // Members: added, listed (with the owners), tracked, removed.
    expect(
      await request(tab, { type: "room.affiliate", room, jid: "set-dee@localhost", affiliation: "member" }),
    ).toMatchObject({ type: "ack" });
    const lists = await request(tab, { type: "room.affiliations", room });
    expect(lists.type === "room.affiliations" && lists.items).toEqual(
      expect.arrayContaining([
        { jid: "set-bo@localhost", affiliation: "owner" },
        { jid: ANN, affiliation: "owner" },
        { jid: "set-dee@localhost", affiliation: "member" },
      ]),
    );
    expect(await membersOf(room)).toEqual([
      [ANN, "owner"],
      ["set-bo@localhost", "owner"],
      ["set-dee@localhost", "member"],
    ]);
    expect(
      await request(tab, { type: "room.affiliate", room, jid: "set-dee@localhost", affiliation: "none" }),
    ).toMatchObject({ type: "ack" });
    expect((await membersOf(room)).map(([jid]) => jid)).not.toContain("set-dee@localhost");

    // An owner elsewhere (bo) makes someone absent a member: the room's announcement reaches the map.
    await bo.link.iq("set", buildSetAffiliation("set-dee@localhost", "member"), room);
    expect(await membersUntil(room, (m) => m.some(([j]) => j === "set-dee@localhost"))).toContainEqual([
      "set-dee@localhost",
      "member",
    ]);

    // A participant removed with a reason gets status 307 and the reason; then banned (301): tracked as outcast.
    let atCy = await enter(cy, room, "cy");
    expect(await request(tab, { type: "room.kick", room, nick: "cy", reason: "too loud" })).toMatchObject({
      type: "ack",
    });
    const kicked = await until("cy kicked", () =>
      atCy.find((s) => s.name === "presence" && s.attrs.from === `${room}/cy` && codesOf(s).includes("307")),
    );
    expect(kicked.getChild("x", NS_MUC_USER)?.getChild("item")?.getChildText("reason")).toBe("too loud");
    atCy = await enter(cy, room, "cy");
    expect(
      await request(tab, {
        type: "room.affiliate",
        room,
        jid: "set-cy@localhost",
        affiliation: "outcast",
        reason: "spam",
      }),
    ).toMatchObject({ type: "ack" });
    const banned = await until("cy banned", () =>
      atCy.find((s) => s.name === "presence" && s.attrs.from === `${room}/cy` && codesOf(s).includes("301")),
    );
    expect(banned.getChild("x", NS_MUC_USER)?.getChild("item")?.getChildText("reason")).toBe("spam");
    expect(
      await membersUntil(room, (m) => m.some(([j, a]) => j === "set-cy@localhost" && a === "outcast")),
    ).toContainEqual(["set-cy@localhost", "outcast"]);

    // Someone who is not the room's owner is refused by the room, and told by condition.
    const { tab: cyTab } = await signedInTab("set-cy");
    cyTab.send({ type: "room.join", requestId: "cyj", room });
    await cyTab.waitFor((f) => f.type === "error" && f.requestId === "cyj");
    const refused = await request(cyTab, { type: "room.configure", room, name: "Mine", description: "" });
    expect(refused).toMatchObject({ type: "error", code: "room-failed" });
    cyTab.close();
    tab.close();
    await Promise.all([bo.close(), cy.close(), dee.close()]);
  });

  it("tracks a member's removal from a group chat (321), then destroys it: the peers are told", async () => {
    const run = crypto.randomUUID().slice(0, 6);
    const room = `group-${run}@${MUC}`;
    const [bo, cy] = await Promise.all([peer("set-bo"), peer("set-cy")]);
    await ownedBy(bo, room, "group");
    await bo.link.iq("set", buildSetAffiliation("set-cy@localhost", "member"), room);
    const { tab } = await signedInTab("set-ann");
    await joinAs(tab, room);
    const atCy = await enter(cy, room, "cy");
    expect(await membersUntil(room, (m) => m.some(([j]) => j === "set-cy@localhost"))).toContainEqual([
      "set-cy@localhost",
      "member",
    ]);

    // bo takes cy's membership away: cy is removed with 321, and the map drops cy.
    await bo.link.iq("set", buildSetAffiliation("set-cy@localhost", "none"), room);
    await until("cy removed", () =>
      atCy.find((s) => s.name === "presence" && s.attrs.from === `${room}/cy` && codesOf(s).includes("321")),
    );
    const after = await membersUntil(room, (m) => !m.some(([j]) => j === "set-cy@localhost"));
    expect(after.map(([j]) => j)).not.toContain("set-cy@localhost");

    const atBo = record(bo);
    expect(await request(tab, { type: "room.destroy", room, reason: "done here" })).toMatchObject({ type: "ack" });
    const gone = await until("bo told", () =>
      atBo.find((s) => s.name === "presence" && s.getChild("x", NS_MUC_USER)?.getChild("destroy")),
    );
    expect(gone.getChild("x", NS_MUC_USER)?.getChild("destroy")?.getChildText("reason")).toBe("done here");
    const closed = await tab.waitForRoom((r) => r.room === room && r.state === "error");
    expect(closed.error).toMatch(/^destroyed/u);
    expect(await membersOf(room)).toEqual([]);
    tab.close();
    await Promise.all([bo.close(), cy.close()]);
  });
});
