// The message actions in group chats (issue #8 §1) against a real Prosody: an independent client (the peer) replies
// and reacts by the room's stanza-id, corrects and retracts by its own ids; the same from another occupant is
// ignored; the user's own replies, reactions, corrections and retractions reach the peer by the room's ids; a
// moderator's retraction (XEP-0425 :1 where the room speaks it, :0 always) leaves a tombstone, live and in the
// archive.
import { createRoom, joinAs, newRoom } from "./rooms.ts";
import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { ChatMessage, ServerFrame } from "../../src/protocol/index.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import { buildMdsFetch, parseMdsItems } from "../../src/xmpp/mds.ts";
import { buildModerate, NS_MODERATE_0 } from "../../src/xmpp/moderation.ts";
import { buildDiscoInfo, buildSetAffiliation, buildSetRole, parseRoomInfo } from "../../src/xmpp/muc.ts";
import { isMessage, peer, signedInTab, until, type Peer, type Tab } from "./helpers.ts";

const NS_SID = "urn:xmpp:sid:0";

/** Says `body` with origin-id `id`; the room's stanza-id of it, from the sender's reflection. */
const createActions = (owner: Peer, room: string, nick: string, kind: "channel" | "group" = "channel") =>
  createRoom(owner, room, nick, kind, { name: "Actions", description: "" });

async function say(p: Peer, got: Element[], room: string, body: string, id = crypto.randomUUID()): Promise<string> {
  await p.link.send(buildGroupchat(room, body, id));
  const reflection = await until(`the reflection of ${body}`, () =>
    got.find((s) => s.name === "message" && s.getChild("origin-id", NS_SID)?.attrs.id === id),
  );
  const sid = reflection.getChildren("stanza-id", NS_SID).find((s) => s.attrs.by === room)?.attrs.id;
  if (!sid) throw new Error("no stanza-id from the room");
  return sid;
}

/** A raw groupchat stanza, as another client sends it. */
async function raw(p: Peer, room: string, ...children: Element[]): Promise<void> {
  await p.link.send(xml("message", { type: "groupchat", to: room, id: crypto.randomUUID() }, ...children));
}

const reply = (id: string, to: string) => xml("reply", { xmlns: "urn:xmpp:reply:0", id, to });
const reactions = (id: string, ...emojis: string[]) =>
  xml("reactions", { xmlns: "urn:xmpp:reactions:0", id }, ...emojis.map((e) => xml("reaction", {}, e)));
const replace = (id: string) => xml("replace", { xmlns: "urn:xmpp:message-correct:0", id });
const retract = (id: string) => xml("retract", { xmlns: "urn:xmpp:message-retract:1", id });
const body = (text: string) => xml("body", {}, text);

function updated(pred: (m: ChatMessage) => boolean) {
  return (f: ServerFrame): f is Extract<ServerFrame, { type: "message.update" }> =>
    f.type === "message.update" && pred(f.message);
}

const acked = (requestId: string) => (f: ServerFrame) =>
  (f.type === "ack" || f.type === "error" || f.type === "message") && f.requestId === requestId;

async function history(tab: Tab, room: string): Promise<ChatMessage[]> {
  const requestId = crypto.randomUUID();
  tab.send({ type: "history.load", requestId, peer: room, before: null });
  const page = await tab.waitFor((f) => f.type === "history" && f.requestId === requestId);
  return page.type === "history" ? page.messages : [];
}

async function roomHasOccupantIds(p: Peer, room: string): Promise<boolean> {
  return parseRoomInfo(await p.link.iq("get", buildDiscoInfo(), room))?.occupantIds ?? false;
}

describe("message actions in group chats", () => {
  it("replies, reactions, corrections and retractions by the room's ids, only from the original's author", async () => {
    const bo = await peer("ra-bo");
    const room = newRoom("act");
    const atBo = await createActions(bo, room, "bo");
    const cy = await peer("ra-cy");
    const atCy = await joinAs(cy, room, "cy");
    const { tab } = await signedInTab("ra-ann");
    tab.send({ type: "room.join", requestId: "j1", room, nick: "ann" });
    await tab.waitFor(acked("j1"));
    await tab.waitForRoom((r) => r.room === room && r.state === "joined");

    const originId = crypto.randomUUID();
    const sid = await say(bo, atBo, room, "original", originId);
    const original = (await tab.waitFor(isMessage("original"))).message;

    // A reply and a reaction from another client name the room's stanza-id.
    await raw(cy, room, body("an answer"), reply(sid, `${room}/bo`));
    const answer = (await tab.waitFor(isMessage("an answer"))).message;
    expect(answer.replyTo).toMatchObject({ key: original.key, body: "original" });
    await raw(cy, room, reactions(sid, "👍"), xml("store", { xmlns: "urn:xmpp:hints" }));
    const reacted = await tab.waitFor(updated((m) => m.key === original.key && (m.reactions?.length ?? 0) > 0));
    expect(reacted.message.reactions).toEqual([{ emoji: "👍", from: ["cy"] }]);

    // Another occupant's correction and retraction of bo's message count for nothing.
    await raw(cy, room, body("forged"), replace(originId));
    await raw(cy, room, retract(sid), body("fallback"));
    // bo's own correction counts.
    await raw(bo, room, body("corrected"), replace(originId));
    const fixed = await tab.waitFor(updated((m) => m.key === original.key && m.body === "corrected"));
    expect(fixed.message.retracted).toBeUndefined();
    expect(fixed.message.edit?.body).toBe("corrected");

    if (await roomHasOccupantIds(bo, room)) {
      // Prosody 13 gives occupant ids: cy taking bo's nickname after bo left is still not bo.
      await bo.link.send(xml("presence", { to: `${room}/bo`, type: "unavailable" }));
      await until("bo gone", () =>
        atCy.find((s) => s.name === "presence" && s.attrs.from === `${room}/bo` && s.attrs.type === "unavailable"),
      );
      await cy.link.send(xml("presence", { to: `${room}/bo` }));
      await until("cy now named bo", () =>
        atCy.find((s) => s.name === "presence" && s.attrs.from === `${room}/bo` && s.attrs.type === undefined),
      );
      await raw(cy, room, retract(sid), body("fallback"));
      await raw(cy, room, body("impostor"), replace(originId));
      await raw(cy, room, body("after the impostor"));
      await tab.waitFor(isMessage("after the impostor"));
    }
    const page = await history(tab, room);
    const stored = page.find((m) => m.key === original.key);
    expect(stored).toMatchObject({ body: "corrected", reactions: [{ emoji: "👍", from: ["cy"] }] });
    expect(stored?.retracted).toBeUndefined();
    expect(page.some((m) => m.body === "forged" || m.body === "impostor")).toBe(false);

    // The user's own: a reply and a reaction name the room's stanza-id; a correction names her origin-id.
    tab.send({
      type: "message.send",
      requestId: "r1",
      to: room,
      body: "my reply",
      replyTo: { key: original.key, quoteLength: 0 },
    });
    await tab.waitFor(acked("r1"));
    const sent = await until("ann's reply at cy", () =>
      atCy.find((s) => s.name === "message" && s.getChildText("body") === "my reply"),
    );
    expect(sent.getChild("reply", "urn:xmpp:reply:0")?.attrs.id).toBe(sid);
    tab.send({ type: "message.react", requestId: "r2", peer: room, key: original.key, emojis: ["🎉"] });
    await tab.waitFor(acked("r2"));
    const myReaction = await until("ann's reaction at cy", () =>
      atCy.find((s) => s.getChild("reactions", "urn:xmpp:reactions:0")?.getChildText("reaction") === "🎉"),
    );
    expect(myReaction.getChild("reactions", "urn:xmpp:reactions:0")?.attrs.id).toBe(sid);
    const mineShown = await tab.waitFor(
      updated((m) => m.key === original.key && (m.reactions ?? []).some((r) => r.emoji === "🎉")),
    );
    expect(mineShown.message.reactions).toContainEqual({ emoji: "🎉", from: ["ra-ann@localhost"] });

    const myReply = (await tab.waitFor(isMessage("my reply"))).message;
    tab.send({ type: "message.send", requestId: "e1", to: room, body: "my reply, fixed", replace: myReply.key });
    await tab.waitFor(acked("e1"));
    const correction = await until("ann's correction at cy", () =>
      atCy.find((s) => s.getChildText("body") === "my reply, fixed"),
    );
    const replacedId = correction.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id;
    expect(replacedId).toBe(sent.getChild("origin-id", NS_SID)?.attrs.id);
    await tab.waitFor(updated((m) => m.key === myReply.key && m.body === "my reply, fixed"));
    tab.send({ type: "message.retract", requestId: "d1", peer: room, key: myReply.key });
    await tab.waitFor(acked("d1"));
    const mySid = sent.getChildren("stanza-id", NS_SID).find((s) => s.attrs.by === room)?.attrs.id;
    await until("ann's retraction at cy", () =>
      atCy.find((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id === mySid),
    );
    await tab.waitFor(updated((m) => m.key === myReply.key && m.retracted === true));
    const after = await history(tab, room);
    expect(after.find((m) => m.key === myReply.key)).toMatchObject({ retracted: true, body: "" });
    // The reflections of the user's own actions changed nothing more: one message each, no extra ones.
    expect(after.filter((m) => m.body === "my reply, fixed")).toHaveLength(0);
    tab.close();
    await cy.close();
    await bo.close();
  });

  it("a moderator's retraction leaves a tombstone naming the moderator, live and in the room's archive", async () => {
    const bo = await peer("ra-bo");
    const room = newRoom("mod");
    const atBo = await createActions(bo, room, "bo");
    const cy = await peer("ra-cy");
    const atCy = await joinAs(cy, room, "cy");
    const { tab } = await signedInTab("ra-ann");
    tab.send({ type: "room.join", requestId: "j2", room, nick: "ann" });
    await tab.waitFor(acked("j2"));
    await tab.waitForRoom((r) => r.room === room && r.state === "joined");

    // bo (the owner, a moderator) removes cy's message with the :0 form, which every version of the module speaks.
    const spam = await say(cy, atCy, room, "spam one");
    const first = (await tab.waitFor(isMessage("spam one"))).message;
    await bo.link.iq("set", buildModerate(NS_MODERATE_0, spam, "off topic"), room);
    const gone = await tab.waitFor(updated((m) => m.key === first.key && m.retracted === true));
    expect(gone.message.moderated).toEqual({ by: "bo", reason: "off topic" });
    expect(gone.message.body).toBe("");

    // The user, made a moderator, removes cy's next one (the room's newest moderation version).
    await bo.link.iq("set", buildSetRole("ann", "moderator"), room);
    await tab.waitForRoom((r) => r.room === room && r.role === "moderator");
    await say(cy, atCy, room, "spam two");
    const second = (await tab.waitFor(isMessage("spam two"))).message;
    tab.send({ type: "message.moderate", requestId: "m1", peer: room, key: second.key, reason: "again" });
    const answer = await tab.waitFor(acked("m1"));
    expect(answer.type).toBe("ack");
    const removed = await tab.waitFor(updated((m) => m.key === second.key && m.retracted === true));
    expect(removed.message.moderated).toEqual({ by: "ann", reason: "again" });
    await until("cy told", () =>
      atCy.find((s) => s.getChild("apply-to", "urn:xmpp:fasten:0")?.getChild("moderated", NS_MODERATE_0) !== undefined),
    );
    // A participant cannot.
    await say(bo, atBo, room, "by the owner");
    const owners = (await tab.waitFor(isMessage("by the owner"))).message;
    tab.close();

    // Someone joining later reads tombstones from the room's archive.
    const { tab: dee } = await signedInTab("ra-dee");
    dee.send({ type: "room.join", requestId: "j3", room, nick: "dee" });
    await dee.waitFor(acked("j3"));
    await dee.waitFor(isMessage("by the owner"));
    const page = await history(dee, room);
    const tombstones = page.filter((m) => m.moderated !== undefined);
    expect(tombstones.map((m) => [m.body, m.retracted, m.moderated, m.from?.nick])).toEqual([
      ["", true, { by: "bo", reason: "off topic" }, "cy"],
      ["", true, { by: "ann", reason: "again" }, "cy"],
    ]);
    dee.send({ type: "message.moderate", requestId: "m2", peer: room, key: owners.key });
    const refused = await dee.waitFor(acked("m2"));
    expect(refused.type).toBe("error");
    dee.close();
    await cy.close();
    await bo.close();
  });

  it("read markers go by the room's stanza-id, both ways: sent when reading, kept as 'Read by'", async () => {
    const bo = await peer("ra-bo");
    const room = newRoom("read");
    await createActions(bo, room, "bo", "group");
    await bo.link.iq("set", buildSetAffiliation("ra-ann@localhost", "member"), room);
    await bo.link.iq("set", buildSetAffiliation("ra-cy@localhost", "member"), room);
    const cy = await peer("ra-cy");
    const atCy = await joinAs(cy, room, "cy");
    const { tab } = await signedInTab("ra-ann");
    tab.send({ type: "room.join", requestId: "j4", room, nick: "ann" });
    await tab.waitFor(acked("j4"));
    await tab.waitForRoom((r) => r.room === room && r.state === "joined" && r.kind === "group");

    // The user reads cy's message: a displayed marker to the room by its stanza-id, and her other clients learn
    // the position (XEP-0490, by the room's stanza-id).
    const sid = await say(cy, atCy, room, "read me");
    const read = (await tab.waitFor(isMessage("read me"))).message;
    tab.send({ type: "conversation.read", peer: room, key: read.key });
    const marker = await until("ann's marker at cy", () =>
      atCy.find((s) => s.attrs.from === `${room}/ann` && s.getChild("displayed", "urn:xmpp:chat-markers:0")),
    );
    expect(marker.attrs.type).toBe("groupchat");
    expect(marker.getChild("displayed", "urn:xmpp:chat-markers:0")?.attrs.id).toBe(sid);
    const phone = await peer("ra-ann");
    const positions = parseMdsItems(await phone.link.iq("get", buildMdsFetch()), "ra-ann@localhost");
    expect(positions).toContainEqual({ peer: room, archiveId: sid });

    // cy reads the user's message: "Read by" cy, live and on request.
    tab.send({ type: "message.send", requestId: "s4", to: room, body: "did you read this" });
    const mine = await until("ann's message at cy", () =>
      atCy.find((s) => s.name === "message" && s.getChildText("body") === "did you read this"),
    );
    const mineId = mine.getChildren("stanza-id", NS_SID).find((s) => s.attrs.by === room)?.attrs.id ?? "";
    await raw(cy, room, xml("displayed", { xmlns: "urn:xmpp:chat-markers:0", id: mineId }));
    const reads = await tab.waitFor((f) => f.type === "room.reads" && f.room === room && f.reads.length > 0);
    const myMessage = await tab.waitFor((f) => f.type === "message" && f.requestId === "s4");
    expect(reads.type === "room.reads" && reads.reads).toEqual([
      { nick: "cy", ts: myMessage.type === "message" ? myMessage.message.ts : 0 },
    ]);
    tab.send({ type: "room.reads", requestId: "q1", room });
    const asked = await tab.waitFor((f) => f.type === "room.reads" && f.requestId === "q1");
    expect(asked.type === "room.reads" && asked.reads.map((r) => r.nick)).toEqual(["cy"]);
    tab.close();
    await phone.close();
    await cy.close();
    await bo.close();
  });
});
