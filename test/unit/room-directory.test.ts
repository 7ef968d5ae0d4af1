// The room search's pure parts (src/xmpp/room-directory.ts): disco#items and disco#info as Prosody 13 answers them
// (XEP-0030 §4.2, XEP-0045 §6.1–§6.4), listings, the case-folded filter and the order.
import { describe, expect, it } from "vitest";
import { parseRoomInfo } from "../../src/xmpp/muc.ts";
import {
  filterListings,
  isMucService,
  listingFromInfo,
  parseDiscoItems,
  sortListings,
  type RoomListing,
} from "../../src/xmpp/room-directory.ts";
import { parseXml } from "./xml-helpers.ts";

const ITEMS = "http://jabber.org/protocol/disco#items";
const INFO = "http://jabber.org/protocol/disco#info";

describe("disco#items and the group chat service", () => {
  it("reads items as bare addresses, skips nodes, full JIDs and duplicates, and stops at the bound", () => {
    const iq = parseXml(
      `<iq type="result" from="localhost"><query xmlns="${ITEMS}">` +
        `<item jid="conference.localhost" name="Chatrooms"/><item jid="upload.localhost"/>` +
        `<item jid="localhost" node="announce"/><item jid="a@conference.localhost/x"/>` +
        `<item jid="Tea@Conference.localhost" name="Tea"/><item jid="tea@conference.localhost"/>` +
        `<item jid="bad@@x"/></query></iq>`,
    );
    expect(parseDiscoItems(iq)).toEqual([
      { jid: "conference.localhost", name: "Chatrooms" },
      { jid: "upload.localhost" },
      { jid: "tea@conference.localhost", name: "Tea" },
    ]);
    expect(parseDiscoItems(iq, 1)).toEqual([{ jid: "conference.localhost", name: "Chatrooms" }]);
    expect(parseDiscoItems(parseXml(`<iq type="result"/>`))).toEqual([]);
  });

  it("knows a group chat service by its identity and feature", () => {
    const muc = parseXml(
      `<iq type="result"><query xmlns="${INFO}"><identity category="conference" type="text" name="Chatrooms"/>` +
        `<feature var="http://jabber.org/protocol/muc"/></query></iq>`,
    );
    const upload = parseXml(
      `<iq type="result"><query xmlns="${INFO}"><identity category="store" type="file"/>` +
        `<feature var="urn:xmpp:http:upload:0"/></query></iq>`,
    );
    expect(isMucService(muc)).toBe(true);
    expect(isMucService(upload)).toBe(false);
  });
});

describe("listings", () => {
  it("takes name, description, participants and kind from the room's disco#info", () => {
    const info = parseRoomInfo(
      parseXml(
        `<iq type="result"><query xmlns="${INFO}"><identity category="conference" type="text" name="Tea room"/>` +
          `<feature var="muc_open"/><feature var="muc_public"/><feature var="muc_semianonymous"/>` +
          `<x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden">` +
          `<value>http://jabber.org/protocol/muc#roominfo</value></field>` +
          `<field var="muc#roominfo_description"><value>All about tea</value></field>` +
          `<field var="muc#roominfo_occupants"><value>7</value></field></x></query></iq>`,
      ),
    );
    expect(listingFromInfo("tea@conference.localhost", info)).toEqual({
      room: "tea@conference.localhost",
      name: "Tea room",
      description: "All about tea",
      participants: 7,
      kind: "channel",
    });
    // A room that did not answer: the item's name, else its local part; count unknown.
    expect(listingFromInfo("x@c.org", null, "Item name")).toMatchObject({ name: "Item name", participants: null });
    expect(listingFromInfo("x@c.org", null).name).toBe("x");
  });

  const rooms: RoomListing[] = [
    { room: "a@c.org", name: "Straße", description: "", participants: 2, kind: "channel" },
    { room: "b@c.org", name: "Books", description: "Reading GROUP", participants: 9, kind: "channel" },
    { room: "c@c.org", name: "Cooking", description: "", participants: null, kind: "other" },
    { room: "d@c.org", name: "Art", description: "group of painters", participants: 9, kind: "group" },
  ];

  it("filters case-folded on name, address and description, every word; empty keeps all", () => {
    expect(filterListings(rooms, "STRASSE").map((r) => r.room)).toEqual(["a@c.org"]);
    expect(filterListings(rooms, "group").map((r) => r.room)).toEqual(["b@c.org", "d@c.org"]);
    expect(filterListings(rooms, "group painters").map((r) => r.room)).toEqual(["d@c.org"]);
    expect(filterListings(rooms, "c@c.org").map((r) => r.room)).toEqual(["c@c.org"]);
    expect(filterListings(rooms, "  ")).toHaveLength(4);
  });

  it("orders by participants (unknown last), then name", () => {
    expect(sortListings([...rooms]).map((r) => r.name)).toEqual(["Art", "Books", "Straße", "Cooking"]);
  });
});
