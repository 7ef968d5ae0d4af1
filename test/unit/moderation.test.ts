// XEP-0425 moderation (src/xmpp/moderation.ts), with the stanzas Prosody's mod_muc_moderation sends and stores.
import { describe, expect, it } from "vitest";
import {
  buildModerate,
  NS_MODERATE,
  NS_MODERATE_0,
  parseModeration,
  parseTombstone,
} from "../../src/xmpp/moderation.ts";
import { NS_FASTEN, NS_RETRACT, NS_RETRACT_0 } from "../../src/xmpp/retraction.ts";
import { parseXml } from "./xml-helpers.ts";

const ROOM = "room@muc.example.org";

describe("moderation requests", () => {
  it("speaks :1 and :0", () => {
    const v1 = buildModerate(NS_MODERATE, "sid-1", "spam");
    expect(v1.attrs).toMatchObject({ xmlns: NS_MODERATE, id: "sid-1" });
    expect(v1.getChild("retract", NS_RETRACT)).toBeDefined();
    expect(v1.getChildText("reason")).toBe("spam");
    const v0 = buildModerate(NS_MODERATE_0, "sid-1");
    expect(v0.attrs).toMatchObject({ xmlns: NS_FASTEN, id: "sid-1" });
    expect(v0.getChild("moderate", NS_MODERATE_0)?.getChild("retract", NS_RETRACT_0)).toBeDefined();
  });
});

describe("moderation announcements", () => {
  // What mod_muc_moderation broadcasts: both forms in one message.
  const both =
    `<message from="${ROOM}" type="groupchat" id="m1">` +
    `<apply-to xmlns="${NS_FASTEN}" id="sid-9"><moderated xmlns="${NS_MODERATE_0}" by="${ROOM}/mod">` +
    `<occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-mod"/></moderated>` +
    `<retract xmlns="${NS_RETRACT_0}"/><reason>spam</reason></apply-to>` +
    `<retract xmlns="${NS_RETRACT}" id="sid-9"><moderated xmlns="${NS_MODERATE}">` +
    `<occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-mod"/></moderated><reason>spam</reason></retract></message>`;

  it("reads the :1 form first, the moderator's nickname from the :0 form beside it", () => {
    expect(parseModeration(parseXml(both))).toEqual({
      stanzaId: "sid-9",
      by: "mod",
      moderatorOccupantId: "oid-mod",
      reason: "spam",
    });
  });

  it("reads the :0 form alone (a room that speaks only :0)", () => {
    const v0 =
      `<message from="${ROOM}" type="groupchat"><apply-to xmlns="${NS_FASTEN}" id="sid-3">` +
      `<moderated xmlns="${NS_MODERATE_0}" by="${ROOM}/mod"><retract xmlns="${NS_RETRACT_0}"/><reason>off topic</reason>` +
      `</moderated></apply-to></message>`;
    expect(parseModeration(parseXml(v0))).toEqual({ stanzaId: "sid-3", by: "mod", reason: "off topic" });
  });

  it("refuses announcements from an occupant (a forgery), and what is not one", () => {
    expect(parseModeration(parseXml(both.replace(`from="${ROOM}"`, `from="${ROOM}/evil"`)))).toBeNull();
    expect(parseModeration(parseXml(`<message from="${ROOM}" type="groupchat"><body>x</body></message>`))).toBeNull();
    // A plain retraction (the sender's own) is not a moderation.
    expect(
      parseModeration(
        parseXml(`<message from="${ROOM}" type="groupchat"><retract xmlns="${NS_RETRACT}" id="s"/></message>`),
      ),
    ).toBeNull();
  });

  it("reads the archive's tombstone", () => {
    const tomb =
      `<message from="${ROOM}/bob" type="groupchat"><moderated xmlns="${NS_MODERATE_0}" by="${ROOM}/mod">` +
      `<retracted xmlns="${NS_RETRACT_0}" stamp="2026-01-01T00:00:00Z"/><reason>spam</reason></moderated></message>`;
    expect(parseTombstone(parseXml(tomb))).toEqual({ by: "mod", reason: "spam" });
    expect(
      parseTombstone(parseXml(`<message from="${ROOM}/bob" type="groupchat"><body>x</body></message>`)),
    ).toBeNull();
  });
});
