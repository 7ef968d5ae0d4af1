// Group chats and channels, the object's side (issue #8): joining (XEP-0045 §7.2: disco#info first, no legacy
// history, nick conflicts retried), the room's archive caught up after every join (XEP-0313 on the room,
// ../room-archive.ts), group chat messages in and out (./room-messages.ts), participants through the presence buffer
// (./room-participants.ts: batched, stored, searched), leaving (§7.14),
// staying joined (XEP-0410 self-ping after 5 minutes of silence and after every resumption) and never leaving
// silently: a kick, a ban or a shutdown shows in the room's state with its reason. Bookmarks: ./bookmarks.ts.
import type { Element } from "@xmpp/xml";
import { loadRooms, type StoredRoom } from "../../db/rooms.ts";
import { MAX_PARTICIPANTS_SENT, type ClientFrame, type ParticipantView, type RoomView } from "../../protocol/index.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { bare, resourceOf, splitJid } from "../../xmpp/jid.ts";
import { parseMamResult } from "../../xmpp/mam.ts";
import {
  buildJoin,
  buildLeave,
  buildSelfPing,
  isSelfPresence,
  nextNick,
  parseJoinError,
  parseOccupant,
  roomKind,
  selfPingVerdict,
  type Occupant,
} from "../../xmpp/muc.ts";
import type { Archive, RoomParser } from "../archive.ts";
import { catchUpRoom } from "../room-archive.ts";
import type { ArchivePoint } from "../ranges.ts";
import type { ChatFeature } from "./chat.ts";
import {
  conditionOf,
  linkOrRefuse,
  logFailure,
  refuse,
  type Feature,
  type FeatureContext,
  type FrameHandlers,
  type Link,
} from "./context.ts";
import { defaultRoom, roomRecord, RoomEntry } from "./room-entry.ts";
import type { EncryptedInfo } from "../../xmpp/omemo.ts";
import { refreshRoomInfo, reservedNick, roomInfo } from "./room-info.ts";
import { RoomMessages } from "./room-messages.ts";
import { RoomMembers } from "./room-members.ts";
import { NO_ROOM_ACTIONS, type RoomActionsHook } from "./room-actions.ts";
import { participantView, RoomParticipants } from "./room-participants.ts";
import { compareParticipants } from "../../protocol/participants.ts";

/** XEP-0410 §4: ping a room we have heard nothing from for this long. */
export const SILENCE_MS = 5 * 60_000;
/** How long a join waits for the room's self-presence. */
const JOIN_TIMEOUT_MS = 30_000;
/** Nicknames tried after a conflict (XEP-0045 §7.2.9): base, base_2, … */
const NICK_ATTEMPTS = 5;

/** What the bookmarks feature does when a room is joined or left by the user (XEP-0402: autojoin follows). */
export interface RoomBookmarks {
  joined(entry: RoomEntry): Promise<void>;
  left(entry: RoomEntry): Promise<void>;
}

export class MucFeature implements Feature {
  readonly #rooms = new Map<string, RoomEntry>();
  /** Single flight: one join per room at a time. */
  readonly #joining = new Map<string, Promise<void>>();
  readonly #messages: RoomMessages;
  /** Real address → affiliation per room (issue #8 §1 settings, §2 OMEMO recipients): ./room-members.ts. */
  readonly members = new RoomMembers((room) => this.#rooms.has(room));
  /** The presence buffer: participants applied at once, sent and stored in batches (issue #8 §3). */
  readonly participants: RoomParticipants;
  bookmarks: RoomBookmarks = { joined: async () => undefined, left: async () => undefined };
  /** Replies, reactions, corrections, retractions, moderation and markers in rooms (./room-actions.ts). */
  roomActions: RoomActionsHook = NO_ROOM_ACTIONS;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly chat: ChatFeature,
    private readonly archive: () => Archive,
    /** A message of the user went out to `room` (the drafts feature clears its draft). */
    private readonly onSent: (room: string) => Promise<void> = async () => undefined,
    /** A room's catch-up left a hole (the history feature records it) and how many pages it may read first. */
    private readonly holes: {
      record(room: string, from: ArchivePoint, to: ArchivePoint): Promise<void>;
      catchUpPages: number;
    } = { record: async () => undefined, catchUpPages: 20 },
  ) {
    this.participants = new RoomParticipants({
      owner: ctx.info.jid,
      db: ctx.db,
      tabs: ctx.tabs,
      room: (address) => this.#rooms.get(address),
    });
    this.#messages = new RoomMessages(ctx, chat, onSent, {
      changed: (entry) => this.changed(entry),
      archived: (entry, id) => this.#archived(entry, id),
      actions: () => this.roomActions,
    });
  }

  readonly frames: Pick<FrameHandlers, "room.join" | "room.leave" | "room.participants"> = {
    "room.participants": async (ws, frame) => {
      const entry = this.#rooms.get(frame.room);
      if (!entry) {
        refuse(this.ctx.tabs, ws, "room-failed", "item-not-found", frame.requestId);
        return;
      }
      const query = frame.query ?? "";
      const offset = frame.offset ?? 0;
      const page = this.participants.page(entry, query, offset, frame.limit ?? MAX_PARTICIPANTS_SENT);
      this.ctx.tabs.send(ws, {
        type: "room.participants",
        requestId: frame.requestId,
        room: frame.room,
        participants: page.participants,
        total: page.total,
        ...(query !== "" ? { query, matching: page.matching } : {}),
        ...(offset > 0 ? { offset } : {}),
      });
    },
    "room.join": async (ws, frame) => {
      if (!linkOrRefuse(this.ctx, ws, frame.requestId)) return;
      try {
        const opts: { nick?: string; password?: string } = {};
        if (frame.nick !== undefined) opts.nick = frame.nick;
        if (frame.password !== undefined) opts.password = frame.password;
        await this.join(frame.room, opts);
        this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
        const entry = this.#rooms.get(frame.room);
        if (entry) await this.bookmarks.joined(entry);
      } catch (err) {
        refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "joining a room"), frame.requestId);
      }
    },
    "room.leave": async (ws, frame) => {
      const entry = this.#rooms.get(frame.room);
      if (!entry) {
        refuse(this.ctx.tabs, ws, "room-failed", "item-not-found", frame.requestId);
        return;
      }
      await this.leave(frame.room);
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
      await this.bookmarks.left(entry);
    },
  };

  #loaded = false;

  /** Once per object: the rooms storage knows (state "left" until joined again). */
  async load(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    this.restore(await loadRooms(this.ctx.db, this.ctx.info.jid));
    await this.participants.load();
  }

  restore(rows: readonly StoredRoom[]): void {
    for (const row of rows) if (!this.#rooms.has(row.room)) this.#rooms.set(row.room, RoomEntry.fromStored(row));
  }

  rooms(): RoomView[] {
    return [...this.#rooms.values()].map((e) => ({ ...e.view }));
  }

  get(room: string): RoomEntry | undefined {
    return this.#rooms.get(room);
  }

  /** The room's entry, made (state "left") when it is new. */
  entry(room: string): RoomEntry {
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = new RoomEntry(defaultRoom(room, splitJid(this.ctx.info.jid).local));
      this.#rooms.set(room, entry);
    }
    return entry;
  }

  /** Tells every tab about the room and queues its row for storage. */
  changed(entry: RoomEntry): void {
    this.ctx.tabs.broadcast({ type: "room", room: { ...entry.view } });
    this.ctx.store({ kind: "room", room: roomRecord(entry) });
  }

  /** How a room's archive results read (null when `peer` is no room of ours). */
  roomParser(peer: string): RoomParser | null {
    const entry = this.#rooms.get(peer);
    return entry ? this.#messages.parser(entry) : null;
  }

  // ---- joining and leaving -------------------------------------------------------------------------------------

  /** Joins `room` (single flight), then catches up its archive. Throws XMPPError when the room refuses. */
  async join(room: string, opts: { nick?: string; password?: string } = {}): Promise<void> {
    const running = this.#joining.get(room);
    if (running) return running;
    const job = this.#join(room, opts).finally(() => this.#joining.delete(room));
    this.#joining.set(room, job);
    return job;
  }

  async #join(room: string, opts: { nick?: string; password?: string }): Promise<void> {
    const link = this.ctx.link();
    if (!link) throw new XMPPError("service-unavailable", "not connected");
    const entry = this.entry(room);
    entry.view.state = "joining";
    delete entry.view.error;
    entry.leaving = false;
    if (opts.password !== undefined) entry.password = opts.password;
    this.changed(entry);
    try {
      // XEP-0045 §6.4: what the room is (group chat or channel) and what it supports.
      const info = await roomInfo(link, room);
      // An address that answers but is no conference (a contact, a server): nothing to join there.
      if (info === "not-a-room") throw new XMPPError("item-not-found", "not a group chat");
      if (info) entry.applyInfo(info, roomKind(info));
      const base = opts.nick ?? entry.bookmarkNick ?? (await reservedNick(link, room)) ?? entry.view.nick;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#enter(link, entry, nextNick(base, attempt));
          break;
        } catch (err) {
          // §7.2.9: the nickname is taken; another one is tried.
          if (!(err instanceof XMPPError) || err.condition !== "conflict" || attempt >= NICK_ATTEMPTS) throw err;
        }
      }
    } catch (err) {
      entry.view.state = "error";
      entry.view.error = err instanceof XMPPError ? err.condition : "internal-server-error";
      this.changed(entry);
      throw err;
    }
    entry.view.state = "joined";
    entry.lastActivity = Date.now();
    this.changed(entry);
    this.participants.joined(entry);
    await catchUpRoom(link, this.archive(), entry, {
      owner: this.ctx.info.jid,
      db: this.ctx.db,
      flush: () => this.ctx.flush(),
      parse: this.roomParser(room),
      accept: (chat, countUnread) => void this.chat.accept(chat, undefined, countUnread),
      archived: (id) => this.#archived(entry, id),
      maxPages: this.holes.catchUpPages,
      hole: (from, to) => this.holes.record(room, from, to),
    }).catch((err: unknown) => logFailure(`catching up ${room}`, err));
  }

  /** Sends the join presence as `nick` and waits for the room's answer (self-presence, or an error). */
  #enter(link: Link, entry: RoomEntry, nick: string): Promise<Occupant> {
    return new Promise<Occupant>((resolve, reject) => {
      const timer = setTimeout(() => {
        entry.pending = undefined;
        reject(new XMPPError("remote-server-timeout", "the room did not answer"));
      }, JOIN_TIMEOUT_MS);
      entry.occupants.clear();
      entry.pending = {
        nick,
        settle: (result) => {
          clearTimeout(timer);
          entry.pending = undefined;
          if (result instanceof XMPPError) reject(result);
          else resolve(result);
        },
      };
      link.send(buildJoin(entry.view.room, nick, entry.password ?? undefined)).catch((err: unknown) => {
        clearTimeout(timer);
        entry.pending = undefined;
        reject(err);
      });
    });
  }

  /** XEP-0045 §7.14: leave; the room stays in the list, state "left". */
  async leave(room: string): Promise<void> {
    const entry = this.#rooms.get(room);
    if (!entry) return;
    const link = this.ctx.link();
    const wasIn = entry.view.state === "joined" || entry.view.state === "joining";
    entry.leaving = true;
    entry.view.state = "left";
    delete entry.view.error;
    this.participants.cleared(entry);
    this.changed(entry);
    if (wasIn && link) await link.send(buildLeave(room, entry.view.nick)).catch(() => undefined);
  }

  // ---- stanzas -------------------------------------------------------------------------------------------------

  onStanza(el: Element): boolean {
    const from = el.attrs.from;
    if (typeof from !== "string") return false;
    const entry = this.#rooms.get(bare(from));
    if (!entry) return false;
    if (el.name === "presence") return this.#onPresence(entry, el);
    if (el.name !== "message") return false;
    const result = parseMamResult(el, entry.view.room);
    if (result) {
      this.archive().collect(result);
      return true;
    }
    if (el.attrs.type === "error") return this.#messages.onError(el);
    // §7.5 private messages: group chats allow none (issue #8 §1) and a channel's are not supported yet; taken
    // here so that they never land in the room's conversation as the room's own words.
    if (el.attrs.type === "chat" && resourceOf(from) !== "") return true;
    if (el.attrs.type !== "groupchat") return false; // invitations (from the room itself): not this feature's
    entry.lastActivity = Date.now();
    if (this.participants.dropsNoise(entry, el)) return true;
    if (this.roomActions.live(entry, el)) return true;
    this.#messages.onGroupchat(entry, el);
    return true;
  }

  /**
   * Reads the room's disco#info again (after status 104, before an encrypted send) and applies it; true when it
   * answered (./room-info.ts).
   */
  async refreshInfo(entry: RoomEntry): Promise<boolean> {
    const link = this.ctx.link();
    if (!link) return false;
    const outcome = await refreshRoomInfo(link, entry);
    if (outcome === "changed") this.changed(entry);
    return outcome !== "failed";
  }

  /** The newest archive id of the room seen: where the next catch-up starts. */
  #archived(entry: RoomEntry, id: string): void {
    entry.lastArchiveId = id;
    this.ctx.store({ kind: "room", room: roomRecord(entry) });
  }

  #onPresence(entry: RoomEntry, el: Element): boolean {
    if (el.attrs.type === "error") {
      const error = parseJoinError(el) ?? new XMPPError("undefined-condition");
      entry.pending?.settle(error);
      return true;
    }
    const occupant = parseOccupant(el);
    if (!occupant) return true;
    this.members.observe(occupant);
    entry.lastActivity = Date.now();
    if (
      isSelfPresence(occupant) ||
      (entry.pending && occupant.nick === entry.pending.nick && occupant.codes.includes(110))
    ) {
      this.#onSelf(entry, occupant);
      return true;
    }
    // Batched: one delta frame per flush, the count in it (issue #8 §3), never a frame per presence.
    this.participants.presence(entry, occupant);
    return true;
  }

  #onSelf(entry: RoomEntry, occupant: Occupant): void {
    if (occupant.available) {
      entry.view.nick = occupant.nick; // §7.2.12 status 210: the room may have changed it
      entry.view.role = occupant.role;
      entry.view.affiliation = occupant.affiliation;
      if (occupant.occupantId !== undefined && entry.features.occupantIds) entry.selfOccupantId = occupant.occupantId;
      // §10.1.1 status 201: the join created the room (configured by whoever creates it: issue #8 §1).
      if (occupant.codes.includes(201)) entry.created = true;
      this.participants.presence(entry, occupant);
      if (entry.pending) entry.pending.settle(occupant);
      else if (entry.view.state === "joined") this.changed(entry);
      return;
    }
    if (occupant.codes.includes(303)) return; // §7.6: our nick changed; the new self-presence follows
    this.participants.cleared(entry);
    if (entry.leaving || entry.view.state === "left") return; // the answer to our own leave
    const why = removalReason(occupant);
    if (why) {
      // Removed by the room (§8.2 kick, §9.1 ban, §9.4 affiliation change, §10.9 destroyed, service shutdown):
      // shown with its reason, never silently; not rejoined behind the user's back.
      entry.view.state = "error";
      entry.view.error = occupant.reason ? `${why}: ${occupant.reason}` : why;
      entry.pending?.settle(new XMPPError("not-allowed", why));
      this.changed(entry);
      return;
    }
    // Out of the room without a reason we know (a ghost cleaned up, the room restarted): back in, and caught up.
    void this.#rejoin(entry);
  }

  async #rejoin(entry: RoomEntry): Promise<void> {
    try {
      await this.join(entry.view.room, { nick: entry.view.nick });
    } catch (err) {
      logFailure(`rejoining ${entry.view.room}`, err);
    }
  }

  /** A tab's message to a room (XEP-0045 §7.4): the room's reflection is what is stored and shown (once). */
  async send(ws: WebSocket, frame: Extract<ClientFrame, { type: "message.send" }>): Promise<void> {
    await this.#messages.send(ws, frame, this.#rooms.get(frame.to));
  }

  /** An OMEMO message to a group chat (room-omemo.ts checked the room): sent, and its reflection awaited. */
  async sendEncrypted(
    ws: WebSocket,
    frame: Extract<ClientFrame, { type: "message.send-encrypted" }>,
    encrypted: EncryptedInfo,
  ): Promise<void> {
    await this.#messages.send(ws, frame, this.#rooms.get(frame.to), encrypted);
  }

  // ---- staying joined (XEP-0410) --------------------------------------------------------------------------------

  /** After a fresh login every room is left (the old session's occupants are gone); bookmarks rejoin them. */
  async onLogin(): Promise<void> {
    for (const entry of this.#rooms.values()) {
      entry.pending?.settle(new XMPPError("service-unavailable", "the session ended"));
      if (entry.view.state === "joined" || entry.view.state === "joining") {
        entry.view.state = "left";
        this.participants.cleared(entry);
      }
    }
  }

  /** XEP-0410 §4: after a resumption, every room we are in is checked. */
  async onOnline(link: Link, resumed: boolean): Promise<void> {
    if (!resumed) return;
    for (const entry of this.#rooms.values()) {
      if (entry.view.state === "joined") void this.selfPing(link, entry);
      else if (entry.view.autojoin && entry.view.state === "left") void this.#rejoin(entry);
    }
  }

  /** Called by the object's alarm: rooms silent for SILENCE_MS are pinged (resolves when all have answered). */
  async tick(now = Date.now()): Promise<void> {
    const link = this.ctx.link();
    if (!link) return;
    const silent = [...this.#rooms.values()].filter(
      (e) => e.view.state === "joined" && now - e.lastActivity >= SILENCE_MS,
    );
    await Promise.all(silent.map((e) => this.selfPing(link, e)));
  }

  /** XEP-0410 §3: ping our own occupant; not joined any more: rejoin and catch up. */
  async selfPing(link: Link, entry: RoomEntry): Promise<void> {
    entry.lastActivity = Date.now();
    let error: XMPPError | null = null;
    try {
      await link.iq("get", buildSelfPing(), `${entry.view.room}/${entry.view.nick}`, 30_000);
    } catch (err) {
      if (!(err instanceof XMPPError)) {
        logFailure("self-ping", err);
        return;
      }
      error = err;
    }
    if (selfPingVerdict(error) === "not-joined" && entry.view.state === "joined") await this.#rejoin(entry);
  }
}

/** Why the room removed us (XEP-0045 §15.6 status codes on our unavailable presence), or null. */
export function removalReason(occupant: Occupant): string | null {
  if (occupant.destroyed) return "destroyed";
  if (occupant.codes.includes(301)) return "banned";
  if (occupant.codes.includes(307)) return "kicked";
  if (occupant.codes.includes(321)) return "affiliation-changed";
  if (occupant.codes.includes(322)) return "members-only";
  if (occupant.codes.includes(332)) return "shutdown";
  return null;
}

/** The present participants as tabs see them, in list order (moderators first, then by name). */
export function participantViews(occupants: Iterable<Occupant>): ParticipantView[] {
  return [...occupants]
    .filter((o) => o.available)
    .map(participantView)
    .sort(compareParticipants);
}
