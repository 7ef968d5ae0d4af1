// A room's settings, object side (src/durable/features/room-settings.ts), with a fake link: the configuration form
// fetched first and only its offered fields submitted (XEP-0045 §10.2), the four affiliation lists read (a list
// the room does not show us left out), the members map kept, refusals told by condition.
import { refreshRoomInfo } from "../../../src/durable/features/room-info.ts";
import type { Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { RoomEntry } from "../../../src/durable/features/room-entry.ts";
import { defaultRoom } from "../../../src/durable/features/room-entry.ts";
import { RoomMembers } from "../../../src/durable/features/room-members.ts";
import { RoomSettingsFeature } from "../../../src/durable/features/room-settings.ts";
import { XMPPError } from "../../../src/xmpp/errors.ts";
import { parseForm } from "../../../src/xmpp/forms.ts";
import { NS_MUC_ADMIN, NS_MUC_OWNER } from "../../../src/xmpp/muc.ts";
import { parseXml } from "../xml-helpers.ts";
import { harness } from "./fakes.ts";

const ROOM = "tea@conference.example.org";

function setup() {
  const h = harness();
  const entry = new RoomEntry(defaultRoom(ROOM, "me"));
  const changed: RoomEntry[] = [];
  const members = new RoomMembers((r) => r === ROOM);
  const feature = new RoomSettingsFeature(h.ctx, {
    get: (r) => (r === ROOM ? entry : undefined),
    changed: (e) => changed.push(e),
    // As the rooms feature does (muc.ts refreshInfo).
    refreshInfo: async (e) => {
      const outcome = await refreshRoomInfo(h.link, e);
      if (outcome === "changed") changed.push(e);
      return outcome !== "failed";
    },
    members,
  });
  return { h, entry, changed, members, feature };
}

describe("RoomSettingsFeature", () => {
  it("submits name and description as the room's form offers them, and tells the tabs", async () => {
    const { h, entry, changed, feature } = setup();
    const submitted: Element[] = [];
    h.link.answer = (type, child) => {
      if (type === "get") {
        return parseXml(
          `<iq type="result"><query xmlns="${NS_MUC_OWNER}"><x xmlns="jabber:x:data" type="form">` +
            `<field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#roomconfig</value></field>` +
            `<field var="muc#roomconfig_roomname"/></x></query></iq>`,
        );
      }
      submitted.push(child);
      return parseXml(`<iq type="result"/>`);
    };
    await feature.frames["room.configure"](h.ws, {
      type: "room.configure",
      requestId: "c1",
      room: ROOM,
      name: "Tea",
      description: "about tea",
    });
    expect(h.sent.at(-1)?.frame).toEqual({ type: "ack", requestId: "c1" });
    const x = submitted[0]?.getChild("x", "jabber:x:data");
    expect([...(x ? parseForm(x).fields.keys() : [])]).toEqual(["FORM_TYPE", "muc#roomconfig_roomname"]);
    expect(entry.view.name).toBe("Tea");
    expect(changed).toHaveLength(1);
  });

  it("reads the lists it may see and keeps them; leaves out a forbidden one", async () => {
    const { h, feature, members } = setup();
    h.link.answer = (_type, child) => {
      const affiliation = child.getChild("item")?.attrs.affiliation;
      if (affiliation === "outcast") throw new XMPPError("forbidden");
      const jid = affiliation === "owner" ? "boss@example.org" : affiliation === "member" ? "m@example.org" : null;
      const item = jid ? `<item jid="${jid}/phone" affiliation="${affiliation}" nick="n"/>` : "";
      return parseXml(`<iq type="result"><query xmlns="${NS_MUC_ADMIN}">${item}</query></iq>`);
    };
    await feature.frames["room.affiliations"](h.ws, { type: "room.affiliations", requestId: "a1", room: ROOM });
    expect(h.sent.at(-1)?.frame).toEqual({
      type: "room.affiliations",
      requestId: "a1",
      room: ROOM,
      items: [
        { jid: "boss@example.org", affiliation: "owner", nick: "n" },
        { jid: "m@example.org", affiliation: "member", nick: "n" },
      ],
    });
    expect([...members.of(ROOM)]).toEqual([
      ["boss@example.org", "owner"],
      ["m@example.org", "member"],
    ]);
  });

  it("bans and kicks through the room, tells a refusal by its condition, refuses an unknown room", async () => {
    const { h, feature, members } = setup();
    const asked: Element[] = [];
    h.link.answer = (_type, child) => {
      asked.push(child);
      if (child.getChild("item")?.attrs.role === "none") throw new XMPPError("not-allowed");
      return parseXml(`<iq type="result"/>`);
    };
    await feature.frames["room.affiliate"](h.ws, {
      type: "room.affiliate",
      requestId: "b1",
      room: ROOM,
      jid: "cy@example.org",
      affiliation: "outcast",
      reason: "spam",
    });
    expect(h.sent.at(-1)?.frame).toEqual({ type: "ack", requestId: "b1" });
    expect(asked[0]?.getChild("item")?.getChildText("reason")).toBe("spam");
    expect(members.of(ROOM).get("cy@example.org")).toBe("outcast");
    await feature.frames["room.kick"](h.ws, { type: "room.kick", requestId: "k1", room: ROOM, nick: "cy" });
    expect(h.sent.at(-1)?.frame).toEqual({
      type: "error",
      code: "room-failed",
      message: "not-allowed",
      requestId: "k1",
    });
    await feature.frames["room.destroy"](h.ws, { type: "room.destroy", requestId: "d1", room: "other@x.org" });
    expect(h.sent.at(-1)?.frame).toMatchObject({ type: "error", message: "item-not-found", requestId: "d1" });
  });

  it("reads the room again after its status 104 notice, and lets the rooms feature have the message", async () => {
    const { h, entry, changed, feature } = setup();
    h.link.answer = () =>
      parseXml(
        `<iq type="result"><query xmlns="http://jabber.org/protocol/disco#info">` +
          `<identity category="conference" type="text" name="Renamed"/><feature var="muc_open"/></query></iq>`,
      );
    entry.view.description = "old";
    const notice = parseXml(
      `<message from="${ROOM}" type="groupchat"><x xmlns="http://jabber.org/protocol/muc#user"><status code="104"/></x></message>`,
    );
    expect(feature.onStanza(notice)).toBe(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(entry.view).toMatchObject({ name: "Renamed", kind: "channel" });
    expect(entry.view.description).toBeUndefined();
    expect(changed).toEqual([entry]);
    // From an occupant, or without 104: nothing is read.
    const before = h.link.iqs.length;
    feature.onStanza(
      parseXml(
        `<message from="${ROOM}/bo" type="groupchat"><x xmlns="http://jabber.org/protocol/muc#user"><status code="104"/></x></message>`,
      ),
    );
    feature.onStanza(
      parseXml(
        `<message from="${ROOM}" type="groupchat"><x xmlns="http://jabber.org/protocol/muc#user"><status code="170"/></x></message>`,
      ),
    );
    expect(h.link.iqs.length).toBe(before);
  });
});
