import { describe, expect, it } from "vitest";
import { identityOf, sameAuthor } from "../../src/durable/features/room-actions.ts";
import {
  buildRoomDisplayed,
  buildRoomReactions,
  buildRoomRetraction,
  parseRoomAction,
} from "../../src/xmpp/room-actions.ts";
import { parseXml } from "./xml-helpers.ts";

const ROOM = "tea@conference.example.org";
const NOW = Date.parse("2026-01-02T03:04:05Z");
const IDS = { occupantIds: true };
const oid = (id: string) => `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='${id}'/>`;
const sid = (id: string) => `<stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='${id}'/>`;

describe("group chat actions (issue #8 §1)", () => {
  it("reads a reaction and a retraction by the room's stanza-id, with the occupant id", () => {
    const react = parseXml(`<message type='groupchat' from='${ROOM}/bo'>${oid("o-bo")}${sid("s9")}
      <reactions xmlns='urn:xmpp:reactions:0' id='s1'><reaction>👍</reaction><reaction>x</reaction></reactions>
      <origin-id xmlns='urn:xmpp:sid:0' id='or1'/></message>`);
    expect(parseRoomAction(react, ROOM, NOW, IDS)).toEqual({
      kind: "react",
      target: "s1",
      actor: { nick: "bo", occupantId: "o-bo" },
      emojis: ["👍"],
      ts: NOW,
      archiveId: "s9",
      originId: "or1",
    });
    const retract = parseXml(`<message type='groupchat' from='${ROOM}/bo'>${oid("o-bo")}
      <retract xmlns='urn:xmpp:message-retract:1' id='s1'/><body>fallback</body></message>`);
    expect(parseRoomAction(retract, ROOM, NOW, IDS)).toMatchObject({ kind: "retract", target: "s1" });
  });

  it("ignores occupant ids where the room does not announce them (XEP-0421 §4)", () => {
    const react = parseXml(`<message type='groupchat' from='${ROOM}/bo'>${oid("made-up")}
      <reactions xmlns='urn:xmpp:reactions:0' id='s1'><reaction>👍</reaction></reactions></message>`);
    expect(parseRoomAction(react, ROOM, NOW, { occupantIds: false })).toMatchObject({ actor: { nick: "bo" } });
    expect(parseRoomAction(react, ROOM, NOW, { occupantIds: false })).not.toHaveProperty("actor.occupantId");
  });

  it("reads a correction by the sender's id, with the new text as a message", () => {
    const edit = parseXml(`<message type='groupchat' from='${ROOM}/bo' id='x2'>${oid("o-bo")}${sid("s2")}
      <body>fixed</body><replace xmlns='urn:xmpp:message-correct:0' id='or1'/>
      <origin-id xmlns='urn:xmpp:sid:0' id='or2'/></message>`);
    const action = parseRoomAction(edit, ROOM, NOW, IDS);
    expect(action?.kind).toBe("edit");
    if (action?.kind !== "edit") return;
    expect(action.target).toBe("or1");
    expect(action.message.chat).toMatchObject({ body: "fixed", id: "s2", senderId: "or2" });
  });

  it("reads moderation only from the room itself, and tombstones only from the archive", () => {
    const announce = `<apply-to xmlns='urn:xmpp:fasten:0' id='s1'><moderated xmlns='urn:xmpp:message-moderate:0'
      by='${ROOM}/mod'><retract xmlns='urn:xmpp:message-retract:0'/><reason>spam</reason></moderated></apply-to>`;
    const fromRoom = parseXml(`<message type='groupchat' from='${ROOM}'>${announce}</message>`);
    expect(parseRoomAction(fromRoom, ROOM, NOW, IDS)).toEqual({
      kind: "moderate",
      moderation: { stanzaId: "s1", by: "mod", reason: "spam" },
      archiveId: undefined,
    });
    const forged = parseXml(`<message type='groupchat' from='${ROOM}/mod'>${announce}</message>`);
    expect(parseRoomAction(forged, ROOM, NOW, IDS)).toBeNull();
    const tombstone = parseXml(`<message type='groupchat' from='${ROOM}/cy' id='x'>${oid("o-cy")}
      <moderated xmlns='urn:xmpp:message-moderate:0' by='${ROOM}/mod'>
      <retracted xmlns='urn:xmpp:message-retract:0' stamp='2026-01-02T00:00:00Z'/><reason>spam</reason></moderated></message>`);
    expect(parseRoomAction(tombstone, ROOM, NOW, IDS)).toBeNull();
    expect(parseRoomAction(tombstone, ROOM, NOW, { ...IDS, archiveId: "s7" })).toMatchObject({
      kind: "tombstone",
      target: "s7",
      actor: { nick: "cy", occupantId: "o-cy" },
      by: "mod",
      reason: "spam",
    });
  });

  it("reads a displayed marker by stanza-id; a plain message, another room's or a chat is none", () => {
    const marker = parseXml(`<message type='groupchat' from='${ROOM}/bo'>
      <displayed xmlns='urn:xmpp:chat-markers:0' id='s5'/></message>`);
    expect(parseRoomAction(marker, ROOM, NOW, { occupantIds: false })).toEqual({
      kind: "displayed",
      target: "s5",
      actor: { nick: "bo" },
      ts: NOW,
    });
    expect(
      parseRoomAction(
        parseXml(`<message type='groupchat' from='${ROOM}/bo'><body>hi</body></message>`),
        ROOM,
        NOW,
        IDS,
      ),
    ).toBeNull();
    expect(
      parseRoomAction(parseXml(`<message type='groupchat' from='x@y/bo'><body>hi</body></message>`), ROOM, NOW, IDS),
    ).toBeNull();
    expect(
      parseRoomAction(
        parseXml(`<message type='chat' from='${ROOM}/bo'>${sid("s")}
      <reactions xmlns='urn:xmpp:reactions:0' id='s1'/></message>`),
        ROOM,
        NOW,
        IDS,
      ),
    ).toBeNull();
  });

  it("builds retractions, reactions and markers as groupchat messages to the room", () => {
    const r = buildRoomRetraction(ROOM, "id1", "s1");
    expect(r.attrs).toMatchObject({ type: "groupchat", to: ROOM, id: "id1" });
    expect(r.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("s1");
    expect(r.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id).toBe("id1");
    const x = buildRoomReactions(ROOM, "id2", "s1", ["👍"]);
    expect(x.attrs.type).toBe("groupchat");
    expect(x.getChild("reactions", "urn:xmpp:reactions:0")?.attrs.id).toBe("s1");
    const d = buildRoomDisplayed(ROOM, "s3");
    expect(d.attrs).toMatchObject({ type: "groupchat", to: ROOM });
    expect(d.getChild("displayed", "urn:xmpp:chat-markers:0")?.attrs.id).toBe("s3");
  });
});

describe("who may act on a room message", () => {
  const withIds = { features: { occupantIds: true } };
  const without = { features: { occupantIds: false } };
  const bo = { direction: "in" as const, occupantId: "o-bo", jid: null, nick: "bo" };

  it("the same occupant id, never the nickname alone where the room gives ids", () => {
    expect(sameAuthor(withIds, bo, { nick: "bo", occupantId: "o-bo" }, false)).toBe(true);
    expect(sameAuthor(withIds, bo, { nick: "bo", occupantId: "o-cy" }, false)).toBe(false);
    expect(sameAuthor(withIds, { ...bo, occupantId: null }, { nick: "bo" }, false)).toBe(false);
  });

  it("else the real JID; the nickname where the room has no ids", () => {
    const real = { ...bo, occupantId: null, jid: "bo@x" };
    expect(sameAuthor(withIds, real, { nick: "other", jid: "bo@x" }, false)).toBe(true);
    expect(sameAuthor(withIds, real, { nick: "bo", jid: "cy@x" }, false)).toBe(false);
    expect(sameAuthor(without, { ...bo, occupantId: null }, { nick: "bo" }, false)).toBe(true);
  });

  it("ours with ours only", () => {
    const mine = { ...bo, direction: "out" as const };
    expect(sameAuthor(withIds, mine, { nick: "me" }, true)).toBe(true);
    expect(sameAuthor(withIds, mine, { nick: "bo", occupantId: "o-bo" }, false)).toBe(false);
    expect(sameAuthor(withIds, bo, { nick: "bo", occupantId: "o-bo" }, true)).toBe(false);
  });

  it("tells reactors apart by occupant id, else real JID, else nickname", () => {
    expect(identityOf({ nick: "bo", occupantId: "o", jid: "j@x" })).toBe("oid:o");
    expect(identityOf({ nick: "bo", jid: "j@x" })).toBe("jid:j@x");
    expect(identityOf({ nick: "bo" })).toBe("nick:bo");
  });
});
