// The presence buffer of rooms (issue #8 §3). Prosody sends one presence per participant on join, all at once
// (XEP-0045 §7.2.3), and more as people come and go. They are applied to the room's list in memory at once, and
// collected: at most one `room.participants.delta` frame and one storage batch per flush, whatever their number.
// A completed join sends tabs one snapshot (the count and the first page) and stores the whole list in bulk
// (../../db/room-participants.ts). The list is searched and paged here, for the tabs, in one order
// (../../protocol/participants.ts). After a restart the stored count and first page are what tabs are shown
// until the room is joined again.
import type { Element } from "@xmpp/xml";
import type { Db } from "../../db/client.ts";
import { runBatch } from "../../db/store.ts";
import {
  loadParticipantSummaries,
  participantStatements,
  type ParticipantWrite,
  type StoredParticipants,
} from "../../db/room-participants.ts";
import type { ParticipantView, ServerFrame } from "../../protocol/index.ts";
import {
  compareParticipants,
  FIRST_PAGE,
  isLargeRoom,
  matchesQuery,
  MAX_DELTA_ENTRIES,
} from "../../protocol/participants.ts";
import type { Occupant } from "../../xmpp/muc.ts";
import { FlushBuffer } from "../buffer.ts";
import type { TabsOut } from "./context.ts";
import { MAX_OCCUPANTS, type RoomEntry } from "./room-entry.ts";

type DeltaFrame = Extract<ServerFrame, { type: "room.participants.delta" }>;
type RoomDelta = DeltaFrame["rooms"][number];

/** One item of the buffer: a participant changed, or the room's list was replaced (`tabs`: tell them too). */
type Change = { room: string; nick: string; had: boolean } | { room: string; reset: "storage" | "tabs" };

export interface ParticipantsOptions {
  /** At most one flush per interval (default 1 s, as the object's other writes). */
  intervalMs?: number;
  /** Flush at once at this many waiting changes. */
  maxItems?: number;
}

export interface ParticipantsPage {
  participants: ParticipantView[];
  total: number;
  matching: number;
}

/** A participant as tabs see it. */
export function participantView(o: Occupant): ParticipantView {
  const view: ParticipantView = { nick: o.nick, role: o.role, affiliation: o.affiliation, show: o.show };
  if (o.realJid) view.jid = o.realJid;
  if (o.occupantId) view.occupantId = o.occupantId;
  return view;
}

/** XEP-0085 §5.5: a groupchat message that is only a chat state (no body), which large rooms do not pass on. */
function isChatStateOnly(el: Element): boolean {
  return (
    el.getChild("body") === undefined &&
    el.children.some((c) => typeof c !== "string" && c.attrs.xmlns === "http://jabber.org/protocol/chatstates")
  );
}

export class RoomParticipants {
  readonly #buffer: FlushBuffer<Change>;
  /** Each room's list in order, made when asked for and dropped at every change. */
  readonly #sorted = new WeakMap<RoomEntry, ParticipantView[]>();
  /** What storage knew after a restart, per room, until the room is joined again. */
  #stored = new Map<string, StoredParticipants>();

  constructor(
    private readonly deps: {
      owner: string;
      db: Db;
      tabs: TabsOut;
      room(address: string): RoomEntry | undefined;
    },
    options: ParticipantsOptions = {},
  ) {
    this.#buffer = new FlushBuffer<Change>({
      intervalMs: options.intervalMs ?? 1_000,
      maxItems: options.maxItems ?? 5_000,
      flush: (items) => this.#flush(items),
      onError: (err) => console.error("parley: storing participants failed", err),
    });
  }

  /** After a restart: the stored count and first page of each room (two queries). */
  async load(): Promise<void> {
    this.#stored = await loadParticipantSummaries(this.deps.db, this.deps.owner, FIRST_PAGE);
  }

  /** An occupant's presence (ours included): applied to the room's list (bounded), and buffered once joined. */
  presence(entry: RoomEntry, occupant: Occupant): void {
    const had = entry.occupants.has(occupant.nick);
    if (occupant.available) {
      if (!had && entry.occupants.size >= MAX_OCCUPANTS) return;
      entry.occupants.set(occupant.nick, occupant);
    } else {
      if (!had) return;
      entry.occupants.delete(occupant.nick);
    }
    this.#sorted.delete(entry);
    entry.view.participants = entry.occupants.size;
    // During a join the whole list comes first (§7.2.3): it goes out as one snapshot when our own presence ends it.
    if (entry.view.state === "joined") this.#buffer.push({ room: entry.view.room, nick: occupant.nick, had });
  }

  /** A join completed: tabs get the count and first page now; storage gets the whole list at the next flush. */
  joined(entry: RoomEntry): void {
    this.#stored.delete(entry.view.room);
    const list = this.list(entry);
    this.#send([
      {
        room: entry.view.room,
        total: list.length,
        reset: true,
        added: list.slice(0, FIRST_PAGE),
        changed: [],
        removed: [],
      },
    ]);
    this.#buffer.push({ room: entry.view.room, reset: "storage" });
  }

  /** The room's list was emptied (left, removed, a new session): tabs and storage follow at the next flush. */
  cleared(entry: RoomEntry): void {
    entry.occupants.clear();
    entry.view.participants = 0;
    this.#sorted.delete(entry);
    this.#buffer.push({ room: entry.view.room, reset: "tabs" });
  }

  /** XEP-0085 in a large room (issue #8 §3): chat states are dropped as noise. True when `el` is dropped. */
  dropsNoise(entry: RoomEntry, el: Element): boolean {
    return isLargeRoom(entry.occupants.size) && isChatStateOnly(el);
  }

  /** The room's present participants in list order. */
  list(entry: RoomEntry): ParticipantView[] {
    let sorted = this.#sorted.get(entry);
    if (!sorted) {
      sorted = [];
      for (const o of entry.occupants.values()) if (o.available) sorted.push(participantView(o));
      sorted.sort(compareParticipants);
      this.#sorted.set(entry, sorted);
    }
    return sorted;
  }

  /** One page of those matching `query` (the stored first page when the room is not joined since a restart). */
  page(entry: RoomEntry, query: string, offset: number, limit: number): ParticipantsPage {
    const stored = entry.occupants.size === 0 ? this.#stored.get(entry.view.room) : undefined;
    const all = stored ? stored.first : this.list(entry);
    const total = stored ? stored.total : all.length;
    const matching = query.trim() === "" ? all : all.filter((p) => matchesQuery(p, query));
    return {
      participants: matching.slice(offset, offset + limit),
      total,
      matching: stored && query.trim() === "" ? total : matching.length,
    };
  }

  /** Everything buffered goes out now (tests, sign-out). */
  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  #send(rooms: RoomDelta[]): void {
    if (rooms.length === 0) return;
    this.deps.tabs.broadcast({ type: "room.participants.delta", rooms });
  }

  async #flush(items: Change[]): Promise<void> {
    // Per room, in order: a reset forgets the changes before it (the list it sends or stores has them).
    const perRoom = new Map<string, { reset: "storage" | "tabs" | null; had: Map<string, boolean> }>();
    for (const item of items) {
      let state = perRoom.get(item.room);
      if (!state) {
        state = { reset: null, had: new Map() };
        perRoom.set(item.room, state);
      }
      if ("reset" in item) {
        state.reset = item.reset === "tabs" || state.reset === "tabs" ? "tabs" : "storage";
        state.had.clear();
      } else if (!state.had.has(item.nick)) {
        state.had.set(item.nick, item.had);
      }
    }
    const deltas: RoomDelta[] = [];
    const writes: ParticipantWrite[] = [];
    let budget = MAX_DELTA_ENTRIES;
    for (const [room, state] of perRoom) {
      const entry = this.deps.room(room);
      if (!entry) continue;
      const delta: RoomDelta = { room, total: entry.occupants.size, added: [], changed: [], removed: [] };
      for (const [nick, had] of state.had) {
        const now = entry.occupants.get(nick);
        if (now?.available) (had ? delta.changed : delta.added).push(participantView(now));
        else if (had) delta.removed.push(nick);
      }
      const size = delta.added.length + delta.changed.length + delta.removed.length;
      if (state.reset === "tabs" || size > budget) {
        // More than a frame carries (or a new list): the first page, and tabs that show the list ask again.
        deltas.push({ ...delta, reset: true, added: this.list(entry).slice(0, FIRST_PAGE), changed: [], removed: [] });
      } else if (size > 0) {
        budget -= size;
        deltas.push(delta);
      }
      writes.push(
        state.reset
          ? { room, reset: true, upserts: this.list(entry), removed: [] }
          : { room, reset: false, upserts: [...delta.added, ...delta.changed], removed: delta.removed },
      );
    }
    this.#send(deltas);
    await runBatch(this.deps.db, participantStatements(this.deps.owner, writes));
  }
}
