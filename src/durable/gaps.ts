// History without holes (issue #7 §6): the holes the archive catch-up leaves are recorded here (the object's own
// storage: the list under "holes", each peer's progress under "gap:<hole>:<peer>"), and a conversation's hole is
// filled from the server's archive (XEP-0313 with the `with` filter, `start`/`end` and XEP-0059 `before` paging)
// when a tab reads the part of its history where it lies. The bookkeeping itself is ./ranges.ts.
import type { Db } from "../db/client.ts";
import { maxMessageId, newestUpTo, oldestAfter, lowerMessages } from "../db/gaps.ts";
import type { ParsedDisplayed } from "../xmpp/markers.ts";
import type { ParsedChat } from "../xmpp/message.ts";
import type { Archive, RoomParser } from "./archive.ts";
import type { KeyValue, Link } from "./features/context.ts";
import {
  addHole,
  fillWindow,
  initialGap,
  place,
  reaches,
  lowered,
  type ArchivePoint,
  type Hole,
  type PeerGap,
} from "./ranges.ts";

export interface GapsHost {
  owner: string;
  db: Db;
  storage: KeyValue;
  /** Writes what is buffered, so storage answers for everything seen. */
  flush(): Promise<void>;
  seen(key: string): boolean;
  /** An archive message from inside a hole: stored only (at `ts`), not pushed, not unread. */
  storeOlder(chat: ParsedChat, key: string, ts: number): void;
  /** The peer's stored messages from `upTo` down were moved down by `shift` ms: what is kept in memory follows. */
  lowered(peer: string, upTo: number, shift: number): void;
  /** XEP-0333 displayed markers met in a filled page (its messages stored): applied as live ones are. */
  displayed(markers: readonly ParsedDisplayed[]): Promise<void>;
  /** How `peer`'s archive reads when it is a room (issue #8): its holes are in the room's archive. */
  roomParser?(peer: string): RoomParser | null;
}

/** A peer's open part of a hole, with where it ends in timestamp order (`hi` null: above every stored message). */
export interface OpenGap {
  hole: Hole;
  gap: PeerGap;
  hi: number | null;
}

/** Messages per archive query while filling. */
const FILL_PAGE = 100;
const HOLES = "holes";
const gapKey = (hole: number, peer: string): string => `gap:${hole}:${peer}`;

export class Gaps {
  #holes: Hole[] | null = null;
  /** Single flight: one fill per peer at a time; a second asker waits for it and hears its progress. */
  readonly #filling = new Map<string, { job: Promise<void>; listeners: Set<(loaded: number) => void> }>();

  constructor(
    private readonly host: GapsHost,
    private readonly archive: Archive,
    /** Archive pages one fill brings at most: the tab asks again (reads on) for more. */
    private readonly maxPages: number,
  ) {}

  async #list(): Promise<Hole[]> {
    this.#holes ??= (await this.host.storage.get<Hole[]>(HOLES)) ?? [];
    return this.#holes;
  }

  /**
   * A hole between `from` (null: the archive's beginning) and `to`, made now: everything stored so far is below
   * it. Called before the messages after it are recorded.
   */
  async record(from: ArchivePoint | null, to: ArchivePoint, room?: string): Promise<void> {
    await this.host.flush();
    const cutId = await maxMessageId(this.host.db, this.host.owner);
    // A first login with nothing stored has no hole: paging past storage brings the older history.
    if (from === null && cutId === 0) return;
    this.#holes = addHole(await this.#list(), room === undefined ? { cutId, from, to } : { cutId, from, to, room });
    await this.host.storage.put(HOLES, this.#holes);
  }

  /** The peer's open gaps, each with its upper edge (a few index seeks per open gap, none without holes). */
  async open(peer: string): Promise<OpenGap[]> {
    const { db, owner, storage } = this.host;
    const out: OpenGap[] = [];
    const isRoom = (this.host.roomParser?.(peer) ?? null) !== null;
    for (const hole of await this.#list()) {
      // A room's holes are its own; our account's archive has none of a room's messages.
      if (hole.room !== undefined ? hole.room !== peer : isRoom) continue;
      let gap = await storage.get<PeerGap>(gapKey(hole.id, peer));
      if (!gap) {
        gap = initialGap(hole, await newestUpTo(db, owner, peer, hole.cutId));
        await storage.put(gapKey(hole.id, peer), gap);
      }
      if (gap.done) continue;
      out.push({ hole, gap, hi: gap.hi ?? (await oldestAfter(db, owner, peer, gap.lo)) });
    }
    return out;
  }

  /** The topmost open gap a page read at `cursorTs` (null: the newest page) reaches, or null. */
  async reached(
    peer: string,
    cursorTs: number | null,
    page: { oldestTs: number | null; hasMore: boolean },
  ): Promise<OpenGap | null> {
    let best: OpenGap | null = null;
    const top = (o: OpenGap): number => o.hi ?? Number.POSITIVE_INFINITY;
    for (const open of await this.open(peer)) {
      if (reaches(cursorTs, page, open.hi) && (!best || top(open) > top(best))) best = open;
    }
    return best;
  }

  /** Fills the top of `open` (at most maxPages archive pages), telling `progress` how many messages came. */
  async fill(link: Link, peer: string, open: OpenGap, progress: (loaded: number) => void): Promise<void> {
    const running = this.#filling.get(peer);
    if (running) {
      running.listeners.add(progress);
      return running.job;
    }
    const listeners = new Set([progress]);
    const job = this.#fill(link, peer, open, (loaded) => {
      for (const l of listeners) l(loaded);
    }).finally(() => this.#filling.delete(peer));
    this.#filling.set(peer, { job, listeners });
    return job;
  }

  async #fill(link: Link, peer: string, open: OpenGap, progress: (loaded: number) => void): Promise<void> {
    const { hole } = open;
    const gap: PeerGap = { ...open.gap };
    let hi = open.hi;
    let loaded = 0;
    const window = fillWindow(hole, gap);
    const room = hole.room === undefined ? null : (this.host.roomParser?.(peer) ?? null);
    for (let page = 0; page < this.maxPages && !gap.done; page++) {
      // XEP-0313 §4.1 with XEP-0059 §2.5: the page before the oldest we met, newest first from the hole's top
      // (a room's hole: the room's own archive, XEP-0313 §4 sent to the room).
      const { results, fin } = await this.archive.query(link, {
        ...(room ? { to: peer } : { with: peer }),
        ...window,
        before: gap.before ?? "",
        max: FILL_PAGE,
      });
      const { chats, keys, stored, markers } = await this.archive.unseen(results, false, room);
      const fresh: { chat: ParsedChat; key: string }[] = [];
      const taken = new Set<string>();
      chats.forEach((chat, i) => {
        const key = keys[i];
        if (key === undefined || chat.peer !== peer || stored.has(key) || taken.has(key) || this.host.seen(key)) return;
        taken.add(key);
        fresh.push({ chat, key });
      });
      const { ts, shift } = place(
        gap.lo,
        hi,
        fresh.map((f) => f.chat.ts),
      );
      if (shift > 0 && gap.lo !== null) {
        await this.#lower(peer, gap.lo, shift);
        gap.lo -= shift;
      }
      fresh.forEach((f, i) => this.host.storeOlder(f.chat, f.key, ts[i] ?? f.chat.ts));
      await this.host.flush();
      await this.host.displayed(markers.filter((m) => m.peer === peer));
      loaded += fresh.length;
      const lowest = ts[0];
      if (lowest !== undefined) {
        hi = lowest;
        gap.hi = lowest;
      }
      const first = fin.first ?? results[0]?.archiveId;
      if (first) gap.before = first;
      // XEP-0313 §4.3: `complete` on a backwards page means nothing older matches the query.
      if (fin.complete || results.length === 0 || !first) gap.done = true;
      await this.host.storage.put(gapKey(hole.id, peer), gap);
      progress(loaded);
    }
  }

  /** Makes room: the peer's messages from `upTo` down move down by `shift` ms, and so do holes' edges there. */
  async #lower(peer: string, upTo: number, shift: number): Promise<void> {
    const { db, owner, storage } = this.host;
    await this.host.flush();
    await lowerMessages(db, owner, peer, upTo, shift);
    this.host.lowered(peer, upTo, shift);
    for (const other of await this.#list()) {
      const gap = await storage.get<PeerGap>(gapKey(other.id, peer));
      if (gap) await storage.put(gapKey(other.id, peer), lowered(gap, upTo, shift));
    }
  }
}
