// Which ranges of a conversation's history are complete (issue #7 §6): the bookkeeping of holes, pure (no I/O),
// so it is unit-tested on its own (test/unit/ranges.test.ts). ./gaps.ts keeps the records and fills the holes.
//
// A hole is made when the archive catch-up after a login cannot bring everything (the page cap, or the first
// login here, which seeds the latest page only). It is global: which conversations it touches is unknown until
// one is opened. It is recorded with `cutId`, the largest messages.id stored before it (ids only grow, SQLite
// AUTOINCREMENT), so that for each peer "stored before the hole" and "stored after it" stay separable however
// the timestamps of its two edges compare. Per peer, the hole sits in timestamp order between `lo` (the newest
// message of the peer stored before the hole) and `hi` (the oldest one stored above it, or the lowest message
// the fill has brought so far); it is filled from the top down, the way a tab reads.

/** Where a hole starts and ends in the server's archive: an archive id and its stamp (ms, whole seconds). */
export interface ArchivePoint {
  archiveId: string;
  stamp: number;
}

export interface Hole {
  id: number;
  /** The largest messages.id of the account when the hole was made (0: none stored). */
  cutId: number;
  /** The last archived message before the hole; null: the archive's beginning (a first login here). */
  from: ArchivePoint | null;
  /** The first archived message after the hole. */
  to: ArchivePoint;
  /**
   * A room's hole (issue #8): in that room's archive, for that conversation only. Absent: our account's archive,
   * for every one-to-one conversation.
   */
  room?: string;
}

/** One peer's part of a hole. */
export interface PeerGap {
  /** Timestamp of the peer's newest message stored before the hole; null: none. */
  lo: number | null;
  /** Nothing of this peer is missing in the hole any more. */
  done: boolean;
  /** The oldest archive id the fill has met: the next fill pages back from it (XEP-0059 `before`). */
  before?: string;
  /** Timestamp of the lowest message the fill has placed: the hole now ends below it. */
  hi?: number;
}

/** At most this many holes are remembered; more would mean some 250,000 messages missed in total. */
export const MAX_HOLES = 50;

/** A peer with nothing stored before a first-login hole has no hole there: paging past storage covers it. */
export function initialGap(hole: Hole, lo: number | null): PeerGap {
  return { lo, done: lo === null && hole.from === null };
}

/**
 * The time window of the archive query that fills `hole` for one peer (XEP-0313 §4.1.2 `start` and `end`,
 * inclusive, in whole seconds). Archive stamps are whole seconds while the server orders by finer times, so the
 * window takes the whole second of each edge, and the key dedupe drops what is stored already. A first-login
 * hole has no archived start: it starts a minute before the peer's newest stored message.
 */
export function fillWindow(hole: Hole, gap: PeerGap): { start?: number; end: number } {
  const end = Math.floor(hole.to.stamp / 1000) * 1000 + 1000;
  if (hole.from) return { start: Math.floor(hole.from.stamp / 1000) * 1000, end };
  if (gap.lo !== null) return { start: Math.floor(gap.lo / 1000) * 1000 - 60_000, end };
  return { end };
}

/**
 * Whether a page read with `cursorTs` (null: the newest page) reaches a hole that lies between `lo` and `hi`
 * (null `hi`: above every stored message of the peer). The page reaches it when the hole is below the cursor
 * and the page goes down to the hole's upper edge (or ends storage, or is not full).
 */
export function reaches(
  cursorTs: number | null,
  page: { oldestTs: number | null; hasMore: boolean },
  hi: number | null,
): boolean {
  if (hi === null) return cursorTs === null;
  if (cursorTs !== null && cursorTs < hi) return false;
  return !page.hasMore || page.oldestTs === null || page.oldestTs <= hi;
}

/** Where the newest of a hole's messages goes when its stamp is not above the lower edge and nothing is above it. */
const ROOM_ABOVE = 1_000;

/**
 * Timestamps for archive messages placed between `lo` and `hi` (exclusive; null: unbounded), given their stamps
 * in archive order, from the top down (the way holes are filled): each strictly before the one after it, at its
 * own stamp when that lies between the lower edge and the next message, else just below the next one. Whole-
 * second stamps put many messages on one second, the lower edge's among them: packed under the next message, they
 * leave the room below for what the following fills bring. When the room runs out (more messages than free
 * milliseconds), the stored messages from `lo` down are to be moved down by `shift` milliseconds: never those
 * above the hole, which tabs may hold, with their timestamps as cursors; nothing below an open hole reaches a
 * tab (see features/history.ts).
 */
export function place(
  lo: number | null,
  hi: number | null,
  stamps: readonly number[],
): { ts: number[]; shift: number } {
  const ts: number[] = Array.from({ length: stamps.length }, () => 0);
  let next = hi ?? Number.POSITIVE_INFINITY;
  for (let i = stamps.length - 1; i >= 0; i--) {
    const stamp = stamps[i] ?? next;
    if ((lo === null || stamp > lo) && stamp < next) next = stamp;
    else if (next === Number.POSITIVE_INFINITY) next = (lo ?? stamp) + ROOM_ABOVE;
    else next -= 1;
    ts[i] = next;
  }
  const bottom = ts[0];
  const shift = lo !== null && bottom !== undefined && bottom <= lo ? lo - bottom + 1 : 0;
  return { ts, shift };
}

/** After moving a peer's messages from `upTo` down by `shift`: a hole's edges that were among them move too. */
export function lowered(gap: PeerGap, upTo: number, shift: number): PeerGap {
  if (shift === 0) return gap;
  const out: PeerGap = { ...gap };
  if (gap.lo !== null && gap.lo <= upTo) out.lo = gap.lo - shift;
  if (gap.hi !== undefined && gap.hi <= upTo) out.hi = gap.hi - shift;
  return out;
}

/** Adds a hole to the list, keeping the newest MAX_HOLES (the ids only grow). */
export function addHole(holes: readonly Hole[], hole: Omit<Hole, "id">): Hole[] {
  const id = (holes.at(-1)?.id ?? 0) + 1;
  return [...holes, { ...hole, id }].slice(-MAX_HOLES);
}
