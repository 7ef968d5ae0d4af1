// The message actions in group chats (issue #8 §1): replies (XEP-0461), reactions (XEP-0444) and retractions
// (XEP-0424) name a room message by the room's stanza-id (XEP-0359, by = the room), corrections (XEP-0308) by the
// sender's own id of it, as in one-to-one chats; a moderator retracts anyone's message (XEP-0425). Received ones
// (live and from the room's archive) count only from the original's author: the same occupant id (XEP-0421), else
// the same real JID; a nickname alone only in rooms without occupant ids. Reactions are kept per occupant. The
// rows are the one-to-one ones (./actions.ts, db/schema.ts message_actions), made here and pushed the same way.
import type { Element } from "@xmpp/xml";
import { MODERATOR_ACTOR, type MessageRef } from "../../db/history.ts";
import { roomReads, roomTargets, storeRoomRead, type RoomTarget } from "../../db/room-actions.ts";
import type { StoredAction } from "../../db/store.ts";
import { MAX_ROOM_READS, type ClientFrame } from "../../protocol/index.ts";
import { TokenBucket } from "../rate.ts";
import { buildReplace } from "../../xmpp/correction.ts";
import { buildFallback, codePointLength } from "../../xmpp/fallback.ts";
import type { MamResult } from "../../xmpp/mam.ts";
import { messageKey, type ParsedChat } from "../../xmpp/message.ts";
import { buildModerate } from "../../xmpp/moderation.ts";
import { buildReply, NS_REPLY } from "../../xmpp/reply.ts";
import {
  buildRoomReactions,
  buildRoomRetraction,
  parseRoomAction,
  type RoomAction,
  type RoomActor,
} from "../../xmpp/room-actions.ts";
import type { ActionsFeature } from "./actions.ts";
import type { ChatFeature } from "./chat.ts";
import { conditionOf, linkOrRefuse, logFailure, refuse, type FeatureContext, type FrameHandlers } from "./context.ts";
import type { RoomEntry } from "./room-entry.ts";

/** Recent room messages remembered as targets (by stanza-id and by sender id), and our recent actions' ids. */
const MAX_RECENT = 5_000;
const MAX_SENT = 1_000;
/** Read markers acted on (each costs a flush and two statements; issue #6 §10: bounded work). */
const MARKER_RATE = { capacity: 30, perSecond: 5 } as const;

/** What the muc feature asks of the room actions (a no-op until the account wires this module in). */
export interface RoomActionsHook {
  /** A live groupchat stanza: true when it was an action or a marker (taken here). */
  live(entry: RoomEntry, el: Element): boolean;
  /**
   * A result of the room's archive: undefined when it is no action (read on as a message); null when it was one
   * (taken here); a message when the archive holds a tombstone in its place (stored, shown as moderated).
   */
  archived(entry: RoomEntry, result: MamResult): ParsedChat | null | undefined;
  /** A message of the room was read (live or archived): later actions may name it. */
  message(entry: RoomEntry, chat: ParsedChat): void;
}

export const NO_ROOM_ACTIONS: RoomActionsHook = {
  live: () => false,
  archived: () => undefined,
  message: () => undefined,
};

/** What sending a reply or a correction to a room adds to the message; or why it is refused. */
export type Composed = { elements: Element[]; edit: MessageRef | null } | { refusal: string };

type RoomFrame<K extends "message.retract" | "message.react" | "message.moderate" | "room.reads"> = Parameters<
  FrameHandlers[K]
>[1];

export class RoomActions implements RoomActionsHook {
  readonly #recent = new Map<string, RoomTarget>();
  readonly #sent = new Set<string>();
  readonly #markers = new TokenBucket(MARKER_RATE.capacity, MARKER_RATE.perSecond);

  constructor(
    private readonly ctx: FeatureContext,
    private readonly chat: ChatFeature,
    private readonly actions: ActionsFeature,
    private readonly rooms: { get(room: string): RoomEntry | undefined },
  ) {}

  // ---- received ------------------------------------------------------------------------------------------------

  live(entry: RoomEntry, el: Element): boolean {
    const action = parseRoomAction(el, entry.view.room, Date.now(), { occupantIds: entry.features.occupantIds });
    if (!action) return false;
    // A live message's real JID is the room's word only in presence (XEP-0045 §7.2.3), not in the message.
    if ("actor" in action) withRealJid(entry, action.actor);
    if (action.kind === "edit") withRealJid(entry, action.message.chat.sender);
    // After the stanzas before it (its target among them) are handled: in the object's serial queue.
    void this.ctx.exclusive(() => this.#apply(entry, action));
    return true;
  }

  archived(entry: RoomEntry, result: MamResult): ParsedChat | null | undefined {
    const action = parseRoomAction(result.message, entry.view.room, Date.now(), {
      archiveId: result.archiveId,
      delayHost: result.forwarded,
      occupantIds: entry.features.occupantIds,
    });
    if (!action) return undefined;
    // The page's messages are remembered as they are read (before this), so its targets are found in memory.
    void this.ctx.exclusive(() => this.#apply(entry, action));
    if (action.kind !== "tombstone") return null;
    // Nothing else is left of the message: stored empty, shown as removed by the moderator.
    const sender: NonNullable<ParsedChat["sender"]> = { ...action.actor };
    return {
      peer: entry.view.room,
      direction: this.#ours(entry, action.actor, undefined) ? "out" : "in",
      from: `${entry.view.room}/${action.actor.nick}`,
      to: this.ctx.info.jid,
      id: action.target,
      originId: undefined,
      archiveId: action.target,
      body: "",
      encrypted: null,
      ts: action.ts,
      requestsReceipt: false,
      markable: false,
      replyTo: undefined,
      fallback: undefined,
      sender,
    };
  }

  message(entry: RoomEntry, chat: ParsedChat): void {
    if (chat.id === undefined || !chat.sender) return;
    const jid = chat.sender.jid ?? entry.occupants.get(chat.sender.nick)?.realJid;
    const target: RoomTarget = {
      stanzaId: chat.id,
      originId: chat.senderId ?? null,
      direction: chat.direction,
      occupantId: chat.sender.occupantId ?? null,
      jid: jid ?? null,
      nick: chat.sender.nick,
    };
    this.#remember(`${entry.view.room}\u0000s\u0000${chat.id}`, target);
    if (chat.senderId !== undefined) this.#remember(`${entry.view.room}\u0000o\u0000${chat.senderId}`, target);
  }

  #remember(key: string, target: RoomTarget): void {
    this.#recent.delete(key);
    this.#recent.set(key, target);
    if (this.#recent.size > MAX_RECENT) {
      const first = this.#recent.keys().next();
      if (!first.done) this.#recent.delete(first.value);
    }
  }

  /** The room's messages `id` names (memory first, then storage); the author's is picked by the caller. */
  async #targets(room: string, by: "stanza" | "origin", id: string, author: (t: RoomTarget) => boolean) {
    const known = this.#recent.get(`${room}\u0000${by === "stanza" ? "s" : "o"}\u0000${id}`);
    if (known && author(known)) return known;
    await this.ctx.flush();
    const stored = await roomTargets(this.ctx.db, this.ctx.info.jid, room, by, id);
    return stored.find(author) ?? null;
  }

  /** Ours: one of our own actions reflected (its origin-id), or from our occupant (never by nickname alone). */
  #ours(entry: RoomEntry, actor: RoomActor, originId: string | undefined): boolean {
    if (originId !== undefined && this.#sent.has(originId)) return true;
    if (entry.selfOccupantId !== undefined && actor.occupantId !== undefined) {
      return actor.occupantId === entry.selfOccupantId;
    }
    if (actor.jid !== undefined) return actor.jid === this.ctx.info.jid;
    return !entry.features.occupantIds && actor.nick === entry.view.nick;
  }

  async #apply(entry: RoomEntry, action: RoomAction): Promise<void> {
    const room = entry.view.room;
    try {
      switch (action.kind) {
        case "moderate":
        case "tombstone": {
          const id = action.kind === "moderate" ? action.moderation.stanzaId : action.target;
          const details = action.kind === "moderate" ? action.moderation : action;
          const target = await this.#targets(room, "stanza", id, () => true);
          const body: { by?: string; reason?: string } = {};
          if (details.by !== undefined) body.by = details.by;
          if (details.reason !== undefined) body.reason = details.reason;
          this.#record({
            peer: room,
            target: id,
            kind: "retract",
            actor: MODERATOR_ACTOR,
            direction: target?.direction ?? "in",
            body: JSON.stringify(body),
            encrypted: null,
            ts: Date.now(),
          });
          return;
        }
        case "react": {
          const ours = this.#ours(entry, action.actor, action.originId);
          const actor = ours ? this.ctx.info.jid : identityOf(action.actor);
          this.#record({
            peer: room,
            target: action.target,
            kind: "react",
            actor,
            direction: ours ? "out" : "in",
            // The tabs name reactors by nickname; ours by our JID, as in one-to-one chats.
            body: ours
              ? JSON.stringify(action.emojis)
              : JSON.stringify({ emojis: action.emojis, name: action.actor.nick }),
            encrypted: null,
            ts: action.ts,
          });
          return;
        }
        case "retract": {
          const ours = this.#ours(entry, action.actor, action.originId);
          const target = await this.#targets(room, "stanza", action.target, (t) =>
            sameAuthor(entry, t, action.actor, ours),
          );
          if (!target) return; // not the author's (or unknown): XEP-0424 §5, issue #8 §1
          this.#record({
            peer: room,
            target: target.stanzaId,
            kind: "retract",
            actor: target.direction,
            direction: target.direction,
            body: "",
            encrypted: null,
            ts: action.ts,
          });
          return;
        }
        case "edit": {
          const { chat } = action.message;
          const ours = this.#ours(entry, chat.sender, action.message.originId);
          const target = await this.#targets(room, "origin", action.target, (t) =>
            sameAuthor(entry, t, chat.sender, ours),
          );
          if (!target) return; // XEP-0308 §5: only the original's sender corrects it
          if (chat.encrypted && !chat.encrypted.hasPayload) return;
          this.#record({
            peer: room,
            target: target.stanzaId,
            kind: "edit",
            actor: editKey(room, chat.senderId ?? chat.id),
            direction: target.direction,
            body: chat.encrypted ? "" : chat.body,
            encrypted: chat.encrypted?.xml ?? null,
            ts: chat.ts,
          });
          return;
        }
        case "displayed": {
          // "Read by" (issue #8 §1) is for group chats; our own markers (other clients of ours) are not readers.
          if (entry.view.kind !== "group" || this.#ours(entry, action.actor, undefined)) return;
          if (!this.#markers.take()) return;
          await this.ctx.flush();
          const read = { reader: identityOf(action.actor), nick: action.actor.nick, stanzaId: action.target };
          if (await storeRoomRead(this.ctx.db, this.ctx.info.jid, room, read)) await this.#sendReads(room);
          return;
        }
      }
    } catch (err) {
      logFailure(`a group chat action in ${room}`, err);
    }
  }

  async #sendReads(room: string, to?: { ws: WebSocket; requestId: string }): Promise<void> {
    const reads = await roomReads(this.ctx.db, this.ctx.info.jid, room, MAX_ROOM_READS);
    if (to) this.ctx.tabs.send(to.ws, { type: "room.reads", requestId: to.requestId, room, reads });
    else this.ctx.tabs.broadcast({ type: "room.reads", room, reads });
  }

  #record(stored: StoredAction): void {
    this.actions.recordStored(stored, true);
  }

  // ---- sent ----------------------------------------------------------------------------------------------------

  /** Notes the id of an action of ours, so that its reflection is known for ours. */
  #sending(id: string): void {
    this.#sent.add(id);
    if (this.#sent.size > MAX_SENT) {
      const first = this.#sent.values().next();
      if (!first.done) this.#sent.delete(first.value);
    }
  }

  /** The reply (XEP-0461 with `to` = the author's occupant JID, XEP-0428 quote) and correction parts of a send. */
  async compose(entry: RoomEntry, frame: Extract<ClientFrame, { type: "message.send" }>): Promise<Composed> {
    const room = entry.view.room;
    const elements: Element[] = [];
    let edit: MessageRef | null = null;
    if (frame.replyTo) {
      const target = await this.chat.find(room, frame.replyTo.key);
      if (!target?.stanzaId) return { refusal: "The message replied to is not known." };
      if (frame.replyTo.quoteLength > codePointLength(frame.body))
        return { refusal: "The quote is longer than the message." };
      const nick = target.direction === "out" ? entry.view.nick : (target.nick ?? "");
      elements.push(buildReply({ id: target.stanzaId, to: `${room}/${nick}` }));
      if (frame.replyTo.quoteLength > 0)
        elements.push(buildFallback(NS_REPLY, { start: 0, end: frame.replyTo.quoteLength }));
    }
    if (frame.replace) {
      edit = await this.chat.find(room, frame.replace);
      if (!edit?.stanzaId || !edit.originId || edit.direction !== "out")
        return { refusal: "Only your own messages can be edited." };
      elements.push(buildReplace(edit.originId));
    }
    return { elements, edit };
  }

  /** A correction of ours went out (id = its origin-id): stored at once, as in one-to-one chats. */
  edited(room: string, target: string, id: string, body: string): string {
    this.#sending(id);
    const actor = editKey(room, id);
    this.#record({ peer: room, target, kind: "edit", actor, direction: "out", body, encrypted: null, ts: Date.now() });
    return actor;
  }

  /** A message of ours to a room with `id` as origin-id: its reflection is ours. */
  sent(id: string): void {
    this.#sending(id);
  }

  readonly frames: {
    [K in "message.retract" | "message.react" | "message.moderate" | "room.reads"]: (
      ws: WebSocket,
      frame: RoomFrame<K>,
    ) => Promise<void>;
  } = {
    "message.retract": async (ws, frame) => {
      const entry = this.#joined(ws, frame.peer, frame.requestId);
      if (!entry) return;
      const target = await this.chat.find(frame.peer, frame.key);
      if (!target?.stanzaId || target.direction !== "out") {
        refuse(this.ctx.tabs, ws, "bad-frame", "Only your own messages can be deleted.", frame.requestId);
        return;
      }
      const id = crypto.randomUUID();
      if (!(await this.#send(ws, frame.requestId, id, buildRoomRetraction(frame.peer, id, target.stanzaId)))) return;
      this.#record({
        peer: frame.peer,
        target: target.stanzaId,
        kind: "retract",
        actor: "out",
        direction: "out",
        body: "",
        encrypted: null,
        ts: Date.now(),
      });
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    },
    "message.react": async (ws, frame) => {
      const entry = this.#joined(ws, frame.peer, frame.requestId);
      if (!entry) return;
      const target = await this.chat.find(frame.peer, frame.key);
      if (!target?.stanzaId) {
        refuse(this.ctx.tabs, ws, "bad-frame", "The message reacted to is not known.", frame.requestId);
        return;
      }
      const emojis = [...new Set(frame.emojis)];
      const id = crypto.randomUUID();
      const stanza = buildRoomReactions(frame.peer, id, target.stanzaId, emojis);
      if (!(await this.#send(ws, frame.requestId, id, stanza))) return;
      this.#record({
        peer: frame.peer,
        target: target.stanzaId,
        kind: "react",
        actor: this.ctx.info.jid,
        direction: "out",
        body: JSON.stringify(emojis),
        encrypted: null,
        ts: Date.now(),
      });
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    },
    "room.reads": async (ws, frame) => {
      try {
        await this.#sendReads(frame.room, { ws, requestId: frame.requestId });
      } catch (err) {
        logFailure("room.reads", err);
        refuse(this.ctx.tabs, ws, "internal", "Could not read who has read this group chat.", frame.requestId);
      }
    },
    "message.moderate": async (ws, frame) => {
      const entry = this.#joined(ws, frame.peer, frame.requestId);
      if (!entry) return;
      const version = entry.features.moderation;
      if (entry.view.role !== "moderator" || version === null) {
        const text = version === null ? "This group chat does not support moderation." : "Only moderators can do this.";
        refuse(this.ctx.tabs, ws, "bad-frame", text, frame.requestId);
        return;
      }
      const target = await this.chat.find(frame.peer, frame.key);
      if (!target?.stanzaId) {
        refuse(this.ctx.tabs, ws, "bad-frame", "The message is not known.", frame.requestId);
        return;
      }
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      try {
        // XEP-0425 §4: the room retracts it and tells everyone (the announcement makes the tombstone here too).
        await link.iq("set", buildModerate(version, target.stanzaId, frame.reason), frame.peer);
      } catch (err) {
        refuse(this.ctx.tabs, ws, "send-failed", conditionOf(err, "moderating a message"), frame.requestId);
        return;
      }
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    },
  };

  #joined(ws: WebSocket, room: string, requestId: string): RoomEntry | null {
    const entry = this.rooms.get(room);
    if (entry?.view.state === "joined") return entry;
    refuse(this.ctx.tabs, ws, "send-failed", "Not in this group chat.", requestId);
    return null;
  }

  /** Sends an action to a room (room sends skip the outbox: the reflection is the acknowledgement). */
  async #send(ws: WebSocket, requestId: string, id: string, stanza: Element): Promise<boolean> {
    const link = linkOrRefuse(this.ctx, ws, requestId);
    if (!link) return false;
    this.#sending(id);
    try {
      await link.send(stanza);
      return true;
    } catch (err) {
      logFailure("sending to a room", err);
      refuse(this.ctx.tabs, ws, "send-failed", "Not sent: the connection failed.", requestId);
      return false;
    }
  }
}

/** A correction's key (its row's actor): the one-to-one form, by the room and the corrector's own id. */
function editKey(room: string, id: string | undefined): string {
  return messageKey({ originId: id, id: undefined, archiveId: undefined, from: room });
}

/** How a reactor is told apart (issue #8 §1: per occupant): occupant id, else real JID, else nickname. */
export function identityOf(actor: RoomActor): string {
  if (actor.occupantId !== undefined) return `oid:${actor.occupantId}`;
  if (actor.jid !== undefined) return `jid:${actor.jid}`;
  return `nick:${actor.nick}`;
}

/**
 * Whether `actor` wrote `target` (XEP-0308 §5, XEP-0424 §5, issue #8 §1): ours with ours; else the same occupant
 * id, else the same real JID; the nickname only where the room gives no occupant ids.
 */
export function sameAuthor(
  entry: { features: { occupantIds: boolean } },
  target: Pick<RoomTarget, "direction" | "occupantId" | "jid" | "nick">,
  actor: RoomActor,
  ours: boolean,
): boolean {
  if (ours || target.direction === "out") return ours && target.direction === "out";
  if (actor.occupantId !== undefined && target.occupantId !== null) return actor.occupantId === target.occupantId;
  if (actor.jid !== undefined && target.jid !== null) return actor.jid === target.jid;
  if (entry.features.occupantIds) return false;
  return target.nick === actor.nick;
}

function withRealJid(entry: RoomEntry, actor: RoomActor): void {
  const real = entry.occupants.get(actor.nick)?.realJid;
  if (actor.jid === undefined && real !== undefined) actor.jid = real;
}
