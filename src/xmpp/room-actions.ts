// What a group chat message does to an earlier one (issue #8 §1): a correction (XEP-0308, by the sender's id of
// the original), a retraction (XEP-0424) or reactions (XEP-0444) by the room's stanza-id, a moderator's
// retraction announced by the room (XEP-0425) or left in its archive as a tombstone, and a read marker (XEP-0333
// displayed, by the room's stanza-id). Live or from the room's archive (XEP-0313 on the room); the builders of
// the same for sending to a room. Pure, no I/O; everything read is bounded.
import { xml, type Element } from "@xmpp/xml";
import { bare, resourceOf } from "./jid.ts";
import { NS_MARKERS, NS_SID, stampOf } from "./message.ts";
import { MAX_NICK, NS_OCCUPANT_ID } from "./muc.ts";
import { parseModeration, parseTombstone, type Moderation } from "./moderation.ts";
import { parseReplace } from "./correction.ts";
import { parseGroupchat, type GroupchatOptions, type ParsedGroupchat } from "./groupchat.ts";
import { buildReactions, parseReactions } from "./reactions.ts";
import { buildRetraction, parseRetract } from "./retraction.ts";

const MAX_ID = 256;

/** Who did it, as the room names them (the real JID only from the archive, like parseGroupchat). */
export interface RoomActor {
  nick: string;
  occupantId?: string;
  jid?: string;
}

export type RoomAction =
  /** XEP-0308: `target` is the sender's own id of the original (its origin-id, else its id attribute). */
  | { kind: "edit"; target: string; message: ParsedGroupchat }
  /** XEP-0424 / XEP-0444: `target` is the room's stanza-id of the message. */
  | {
      kind: "retract" | "react";
      target: string;
      actor: RoomActor;
      emojis: string[];
      ts: number;
      /** The action's own room stanza-id (the archive position it stands at). */
      archiveId: string | undefined;
      /** The actor's origin-id (our own reflected actions carry ours). */
      originId: string | undefined;
    }
  /** XEP-0425 announced live (or archived) by the room itself. */
  | { kind: "moderate"; moderation: Moderation; archiveId: string | undefined }
  /** XEP-0425: the room's archive holds this tombstone in place of the message `target` (its stanza-id). */
  | { kind: "tombstone"; target: string; actor: RoomActor; by?: string; reason?: string; ts: number }
  /** XEP-0333 §5 in a room: `actor` has seen the message with the room's stanza-id `target` and all before it. */
  | { kind: "displayed"; target: string; actor: RoomActor; ts: number };

function idOk(id: unknown): id is string {
  return typeof id === "string" && id !== "" && id.length <= MAX_ID;
}

/** The occupant who sent `stanza` (null: the room itself, or not from `room`). */
function actorOf(stanza: Element, room: string, options: GroupchatOptions): RoomActor | null {
  const from = stanza.attrs.from;
  if (typeof from !== "string" || bare(from) !== room) return null;
  const nick = resourceOf(from);
  if (nick === "" || nick.length > MAX_NICK) return null;
  const actor: RoomActor = { nick };
  if (options.occupantIds) {
    // XEP-0421 §4: the room puts its own occupant-id first (and strips any the sender made up).
    const oid = stanza.getChildren("occupant-id", NS_OCCUPANT_ID)[0]?.attrs.id;
    if (idOk(oid)) actor.occupantId = oid;
  }
  return actor;
}

function stanzaIdOf(stanza: Element, room: string, options: GroupchatOptions): string | undefined {
  if (options.archiveId !== undefined) return options.archiveId;
  const id = stanza.getChildren("stanza-id", NS_SID).find((s) => s.attrs.by === room)?.attrs.id;
  return idOk(id) ? id : undefined;
}

/**
 * A room message that acts on an earlier one, or a marker; null for anything else (a plain message, a subject).
 * Only groupchat messages from `room` count; the room's own (no nickname) only as moderation.
 */
export function parseRoomAction(
  stanza: Element,
  room: string,
  now: number,
  options: GroupchatOptions,
): RoomAction | null {
  if (stanza.attrs.type !== "groupchat" || typeof stanza.attrs.from !== "string") return null;
  if (bare(stanza.attrs.from) !== room) return null;
  const archiveId = stanzaIdOf(stanza, room, options);
  const moderation = parseModeration(stanza);
  if (moderation) return { kind: "moderate", moderation, archiveId };
  const actor = actorOf(stanza, room, options);
  if (!actor) return null;
  const ts = stampOf(options.delayHost ?? stanza, now);
  const tombstone = options.archiveId !== undefined ? parseTombstone(stanza) : null;
  if (tombstone) return { kind: "tombstone", target: options.archiveId ?? "", actor, ...tombstone, ts };
  const retracted = parseRetract(stanza);
  const reactions = retracted === null ? parseReactions(stanza) : null;
  if (retracted !== null || reactions) {
    const origin = stanza.getChild("origin-id", NS_SID)?.attrs.id;
    return {
      kind: reactions ? "react" : "retract",
      target: reactions ? reactions.id : (retracted ?? ""),
      actor,
      emojis: reactions ? reactions.emojis : [],
      ts,
      archiveId,
      originId: idOk(origin) ? origin : undefined,
    };
  }
  const replaces = parseReplace(stanza);
  if (replaces !== null) {
    const message = parseGroupchat(stanza, room, now, options);
    return message ? { kind: "edit", target: replaces, message } : null;
  }
  const displayed = stanza.getChild("displayed", NS_MARKERS)?.attrs.id;
  if (idOk(displayed) && stanza.getChildText("body") === null) {
    return { kind: "displayed", target: displayed, actor, ts };
  }
  return null;
}

/** Turns a one-to-one action stanza into its group chat form (XEP-0045 §7.4) with an origin-id = its id. */
function toRoom(stanza: Element, room: string, id: string): Element {
  stanza.attrs.type = "groupchat";
  stanza.attrs.to = room;
  stanza.append(xml("origin-id", { xmlns: NS_SID, id }));
  return stanza;
}

/** XEP-0424 in a room: retract our message with the room's stanza-id `target`. */
export function buildRoomRetraction(room: string, id: string, target: string): Element {
  return toRoom(buildRetraction(room, id, target), room, id);
}

/** XEP-0444 §3 in a room: our whole set of reactions to the message with the room's stanza-id `target`. */
export function buildRoomReactions(room: string, id: string, target: string, emojis: readonly string[]): Element {
  return toRoom(buildReactions(room, id, target, emojis), room, id);
}

/**
 * XEP-0333 §5 in a room: we have seen the message with the room's stanza-id `target` (and all before it). No
 * store hint: the room archives only messages with a body by default, and this is read state, not history.
 */
export function buildRoomDisplayed(room: string, target: string): Element {
  return xml(
    "message",
    { type: "groupchat", to: room, id: crypto.randomUUID() },
    xml("displayed", { xmlns: NS_MARKERS, id: target }),
  );
}
