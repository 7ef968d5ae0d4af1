// XEP-0045 builders and parsers (src/xmpp/muc.ts), with stanzas as XEP-0045's examples and Prosody 13 send them.
import { describe, expect, it } from "vitest";
import { XMPPError } from "../../src/xmpp/errors.ts";
import { parseForm } from "../../src/xmpp/forms.ts";
import {
  buildAffiliationList,
  buildConfigSubmit,
  buildDestroy,
  buildJoin,
  buildSetAffiliation,
  isSelfPresence,
  nextNick,
  NS_MUC,
  NS_MUC_OWNER,
  parseAffiliationList,
  parseConfigFields,
  parseJoinError,
  parseOccupant,
  parseReservedNick,
  parseRoomInfo,
  parseSubject,
  roomConfig,
  roomKind,
  selfPingVerdict,
} from "../../src/xmpp/muc.ts";
import { parseXml } from "./xml-helpers.ts";

const ROOM = "coven@chat.shakespeare.lit";

describe("joining", () => {
  it("joins without legacy history (the archive is read instead), with a password when given", () => {
    const join = buildJoin(ROOM, "thirdwitch");
    expect(join.attrs.to).toBe(`${ROOM}/thirdwitch`);
    expect(join.getChild("x", NS_MUC)?.getChild("history")?.attrs.maxchars).toBe("0");
    expect(buildJoin(ROOM, "w", "cauldronburn").getChild("x", NS_MUC)?.getChildText("password")).toBe("cauldronburn");
  });

  it("tries other nicknames after a conflict", () => {
    expect([1, 2, 3].map((n) => nextNick("ann", n))).toEqual(["ann", "ann_2", "ann_3"]);
    expect(nextNick("x".repeat(300), 2).length).toBeLessThanOrEqual(256);
  });

  it("reads a refusal as its condition", () => {
    const error = parseJoinError(
      parseXml(
        `<presence from="${ROOM}/thirdwitch" type="error"><x xmlns="${NS_MUC}"/><error type="cancel">` +
          `<conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
      ),
    );
    expect(error?.condition).toBe("conflict");
    const odd = parseJoinError(
      parseXml(
        `<presence from="${ROOM}/x" type="error"><error type="cancel"><made-up xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
      ),
    );
    expect(odd?.condition).toBe("undefined-condition");
    expect(parseJoinError(parseXml(`<presence from="${ROOM}/x"/>`))).toBeNull();
  });
});

describe("occupants", () => {
  it("reads an occupant with real address, occupant id and status codes (self, non-anonymous)", () => {
    const o = parseOccupant(
      parseXml(
        `<presence from="${ROOM}/thirdwitch" to="hag66@shakespeare.lit/pda"><show>away</show><status>brewing</status>` +
          `<x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="member" role="participant" ` +
          `jid="Hag66@shakespeare.lit/pda"/><status code="100"/><status code="110"/><status code="bogus"/></x>` +
          `<occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-1"/></presence>`,
      ),
    );
    expect(o).toMatchObject({
      room: ROOM,
      nick: "thirdwitch",
      available: true,
      show: "away",
      status: "brewing",
      affiliation: "member",
      role: "participant",
      realJid: "hag66@shakespeare.lit",
      occupantId: "oid-1",
      codes: [100, 110],
    });
    expect(o && isSelfPresence(o)).toBe(true);
  });

  it("reads leaving, nick changes, kicks with actor and reason, and destruction", () => {
    const nick = parseOccupant(
      parseXml(
        `<presence from="${ROOM}/thirdwitch" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user">` +
          `<item affiliation="member" nick="oldhag" role="participant"/><status code="303"/></x></presence>`,
      ),
    );
    expect(nick).toMatchObject({ available: false, newNick: "oldhag", codes: [303] });
    const kick = parseOccupant(
      parseXml(
        `<presence from="${ROOM}/pistol" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user">` +
          `<item affiliation="none" role="none"><actor nick="Fluellen"/><reason>Avaunt</reason></item>` +
          `<status code="307"/></x></presence>`,
      ),
    );
    expect(kick).toMatchObject({ codes: [307], actor: "Fluellen", reason: "Avaunt", role: "none" });
    const gone = parseOccupant(
      parseXml(
        `<presence from="${ROOM}/x" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user">` +
          `<item affiliation="none" role="none"/><destroy jid="heath@chat.shakespeare.lit"><reason>Macbeth doth come</reason></destroy></x></presence>`,
      ),
    );
    expect(gone?.destroyed).toEqual({ reason: "Macbeth doth come", alternate: "heath@chat.shakespeare.lit" });
  });

  it("is not an occupant without muc#user, without a nickname, or with an unknown type", () => {
    expect(parseOccupant(parseXml(`<presence from="${ROOM}/x"/>`))).toBeNull();
    expect(
      parseOccupant(parseXml(`<presence from="${ROOM}"><x xmlns="http://jabber.org/protocol/muc#user"/></presence>`)),
    ).toBeNull();
    expect(
      parseOccupant(
        parseXml(`<presence from="${ROOM}/x" type="probe"><x xmlns="http://jabber.org/protocol/muc#user"/></presence>`),
      ),
    ).toBeNull();
    const odd = parseOccupant(
      parseXml(
        `<presence from="${ROOM}/x"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="king" role="god"/></x></presence>`,
      ),
    );
    expect(odd).toMatchObject({ affiliation: "none", role: "none" });
  });
});

describe("room info", () => {
  const info = (features: string[], fields = "", name = "A Dark Cave") =>
    parseRoomInfo(
      parseXml(
        `<iq type="result" from="${ROOM}"><query xmlns="http://jabber.org/protocol/disco#info">` +
          `<identity category="conference" type="text" name="${name}"/>` +
          features.map((f) => `<feature var="${f}"/>`).join("") +
          `<x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden">` +
          `<value>http://jabber.org/protocol/muc#roominfo</value></field>${fields}</x></query></iq>`,
      ),
    );

  it("tells a group chat from a channel, and reads description, count and capabilities", () => {
    const group = info(
      [
        "http://jabber.org/protocol/muc",
        "muc_membersonly",
        "muc_nonanonymous",
        "muc_persistent",
        "muc_hidden",
        "urn:xmpp:mam:2",
        "urn:xmpp:occupant-id:0",
        "urn:xmpp:message-moderate:0",
        "urn:xmpp:message-moderate:1",
        "urn:xmpp:sid:0",
      ],
      `<field var="muc#roominfo_description"><value>Witches only</value></field>` +
        `<field var="muc#roominfo_occupants"><value>3</value></field>` +
        `<field var="muc#roominfo_avatarhash"><value>${"a".repeat(40)}</value><value>nothex</value></field>`,
    );
    expect(group).toMatchObject({
      name: "A Dark Cave",
      description: "Witches only",
      occupants: 3,
      avatarHashes: ["a".repeat(40)],
      membersOnly: true,
      nonAnonymous: true,
      persistent: true,
      public: false,
      archived: true,
      occupantIds: true,
      moderation: "urn:xmpp:message-moderate:1",
      stableIds: true,
    });
    expect(group && roomKind(group)).toBe("group");
    const channel = info(["muc_open", "muc_semianonymous", "muc_public", "urn:xmpp:message-moderate:0"]);
    expect(channel && roomKind(channel)).toBe("channel");
    expect(channel?.moderation).toBe("urn:xmpp:message-moderate:0");
    const other = info(["muc_membersonly", "muc_semianonymous"]);
    expect(other && roomKind(other)).toBe("other");
  });

  it("is null for something that is not a room", () => {
    expect(
      parseRoomInfo(
        parseXml(
          `<iq type="result"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="client" type="pc"/></query></iq>`,
        ),
      ),
    ).toBeNull();
  });
});

describe("owners and admins", () => {
  it("configures the two kinds as the Modern XMPP recommendations say, only with offered fields", () => {
    const offered = parseConfigFields(
      parseXml(
        `<iq type="result"><query xmlns="${NS_MUC_OWNER}"><x xmlns="jabber:x:data" type="form">` +
          [
            "FORM_TYPE",
            "muc#roomconfig_roomname",
            "muc#roomconfig_membersonly",
            "muc#roomconfig_whois",
            "muc#roomconfig_publicroom",
          ]
            .map((v) => `<field var="${v}"/>`)
            .join("") +
          `</x></query></iq>`,
      ),
    );
    const group = buildConfigSubmit(roomConfig("group", { name: "Cave", description: "d" }), offered);
    const x = group.getChild("x", "jabber:x:data");
    const form = x ? parseForm(x) : null;
    expect(form?.formType).toBe("http://jabber.org/protocol/muc#roomconfig");
    expect(Object.fromEntries(form?.fields ?? [])).toEqual({
      FORM_TYPE: ["http://jabber.org/protocol/muc#roomconfig"],
      "muc#roomconfig_roomname": ["Cave"],
      "muc#roomconfig_membersonly": ["1"],
      "muc#roomconfig_whois": ["anyone"],
      "muc#roomconfig_publicroom": ["0"],
    });
    const channel = roomConfig("channel", { name: "Open", description: "" });
    expect(channel).toMatchObject({
      "muc#roomconfig_membersonly": false,
      "muc#roomconfig_publicroom": true,
      "muc#roomconfig_whois": "moderators",
      "muc#roomconfig_persistentroom": true,
      "muc#roomconfig_enablearchiving": true,
    });
  });

  it("lists and sets affiliations, destroys", () => {
    expect(buildAffiliationList("member").getChild("item")?.attrs.affiliation).toBe("member");
    const set = buildSetAffiliation("bob@x.org", "outcast", "spam");
    expect(set.getChild("item")?.attrs).toMatchObject({ jid: "bob@x.org", affiliation: "outcast" });
    expect(set.getChild("item")?.getChildText("reason")).toBe("spam");
    const items = parseAffiliationList(
      parseXml(
        `<iq type="result"><query xmlns="http://jabber.org/protocol/muc#admin">` +
          `<item affiliation="member" jid="Hag66@shakespeare.lit" nick="thirdwitch"/>` +
          `<item affiliation="member" jid="not a jid"/><item affiliation="member"/></query></iq>`,
      ),
    );
    expect(items).toEqual([{ jid: "hag66@shakespeare.lit", affiliation: "member", nick: "thirdwitch" }]);
    const destroy = buildDestroy("gone", "heath@chat.shakespeare.lit").getChild("destroy");
    expect(destroy?.attrs.jid).toBe("heath@chat.shakespeare.lit");
    expect(destroy?.getChildText("reason")).toBe("gone");
  });

  it("reads a subject change (no body), the reserved nick", () => {
    expect(
      parseSubject(
        parseXml(`<message from="${ROOM}/wiccarocks" type="groupchat"><subject>Fire Burn</subject></message>`),
      ),
    ).toEqual({ subject: "Fire Burn", by: "wiccarocks" });
    expect(
      parseSubject(
        parseXml(`<message from="${ROOM}/w" type="groupchat"><subject>x</subject><body>hi</body></message>`),
      ),
    ).toBeNull();
    expect(
      parseReservedNick(
        parseXml(
          `<iq type="result"><query xmlns="http://jabber.org/protocol/disco#info" node="x-roomuser-item">` +
            `<identity category="conference" name="thirdwitch" type="text"/></query></iq>`,
        ),
      ),
    ).toBe("thirdwitch");
  });
});

describe("self-ping (XEP-0410)", () => {
  it("tells joined, not joined and unknown apart", () => {
    expect(selfPingVerdict(null)).toBe("joined");
    expect(selfPingVerdict(new XMPPError("service-unavailable"))).toBe("joined");
    expect(selfPingVerdict(new XMPPError("feature-not-implemented"))).toBe("joined");
    expect(selfPingVerdict(new XMPPError("not-acceptable"))).toBe("not-joined");
    expect(selfPingVerdict(new XMPPError("item-not-found"))).toBe("not-joined");
    expect(selfPingVerdict(new XMPPError("remote-server-timeout"))).toBe("unknown");
    expect(selfPingVerdict(new XMPPError("timeout"))).toBe("unknown");
  });
});
