// Invitations (src/xmpp/muc-invites.ts): XEP-0045 §7.8.2 mediated, XEP-0249 direct, declines.
import { describe, expect, it } from "vitest";
import {
  buildDecline,
  buildDirectInvite,
  buildMediatedInvite,
  NS_CONFERENCE,
  parseDecline,
  parseInvitation,
} from "../../src/xmpp/muc-invites.ts";
import { NS_MUC_USER } from "../../src/xmpp/muc.ts";
import { parseXml } from "./xml-helpers.ts";

const ROOM = "coven@chat.shakespeare.lit";

describe("invitations", () => {
  it("builds both kinds and a decline", () => {
    const mediated = buildMediatedInvite(ROOM, "hecate@shakespeare.lit", "i1", "Hey Hecate");
    expect(mediated.attrs.to).toBe(ROOM);
    expect(mediated.getChild("x", NS_MUC_USER)?.getChild("invite")?.attrs.to).toBe("hecate@shakespeare.lit");
    const direct = buildDirectInvite("hecate@shakespeare.lit", ROOM, "i2", "join us");
    expect(direct.getChild("x", NS_CONFERENCE)?.attrs).toMatchObject({ jid: ROOM, reason: "join us" });
    const decline = buildDecline(ROOM, "crone1@shakespeare.lit", "d1", "Sorry");
    expect(decline.getChild("x", NS_MUC_USER)?.getChild("decline")?.attrs.to).toBe("crone1@shakespeare.lit");
  });

  it("reads a mediated invitation only from the room itself", () => {
    const stanza = (from: string) =>
      parseXml(
        `<message from="${from}" to="hecate@shakespeare.lit"><x xmlns="${NS_MUC_USER}">` +
          `<invite from="Crone1@shakespeare.lit/desktop"><reason>Hey Hecate, this is the place for all good witches!</reason></invite>` +
          `<password>cauldronburn</password></x></message>`,
      );
    expect(parseInvitation(stanza(ROOM))).toEqual({
      room: ROOM,
      from: "crone1@shakespeare.lit",
      reason: "Hey Hecate, this is the place for all good witches!",
      password: "cauldronburn",
      kind: "mediated",
    });
    expect(parseInvitation(stanza(`${ROOM}/someone`))).toBeNull();
  });

  it("reads a direct invitation, bounded, and ignores what is neither", () => {
    const direct = parseInvitation(
      parseXml(
        `<message from="Crone1@shakespeare.lit/desktop"><x xmlns="${NS_CONFERENCE}" jid="${ROOM}" reason="${"r".repeat(5000)}"/></message>`,
      ),
    );
    expect(direct).toMatchObject({ room: ROOM, from: "crone1@shakespeare.lit", kind: "direct" });
    expect(direct?.reason?.length).toBe(1024);
    expect(
      parseInvitation(parseXml(`<message from="a@b.c"><x xmlns="${NS_CONFERENCE}" jid="not a room"/></message>`)),
    ).toBeNull();
    expect(parseInvitation(parseXml(`<message from="a@b.c"><body>hi</body></message>`))).toBeNull();
    expect(
      parseDecline(
        parseXml(
          `<message from="${ROOM}"><x xmlns="${NS_MUC_USER}"><decline from="hecate@shakespeare.lit"><reason>Sorry</reason></decline></x></message>`,
        ),
      ),
    ).toEqual({ room: ROOM, from: "hecate@shakespeare.lit", reason: "Sorry" });
  });
});
