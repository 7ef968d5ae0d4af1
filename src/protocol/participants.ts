// A room's participants list, the same in the object and in the tabs (issue #8 §3): one order (moderators first,
// then participants, visitors; by name within), one search rule, and how a tab applies the batched deltas of
// `room.participants.delta` to the part of the list it holds.
import type { ParticipantView } from "./models.ts";

/**
 * A room with more participants than this is a large one: its chat states and joins/leaves are not shown (a
 * channel of thousands would be all noise). Movim's "small channel" rule uses 10 for read markers; noise is
 * tolerated a little longer.
 */
export const LARGE_ROOM = 50;

export function isLargeRoom(participants: number): boolean {
  return participants > LARGE_ROOM;
}

/** Participants of the first page: what a join's snapshot carries, and what survives a restart (issue #8 §3). */
export const FIRST_PAGE = 100;
/** Entries (added + changed + removed) one delta frame carries at most, all rooms together. */
export const MAX_DELTA_ENTRIES = 500;

const ROLE_RANK: Readonly<Record<ParticipantView["role"], number>> = {
  moderator: 0,
  participant: 1,
  visitor: 2,
  none: 3,
};

/**
 * The list order: role, then the nick case-insensitively, then exactly. Code-unit comparison rather than a
 * locale's collation: the object and every tab sort alike, and 10,000 nicks sort in milliseconds.
 */
export function compareParticipants(
  a: Pick<ParticipantView, "role" | "nick">,
  b: Pick<ParticipantView, "role" | "nick">,
): number {
  const rank = ROLE_RANK[a.role] - ROLE_RANK[b.role];
  if (rank !== 0) return rank;
  const la = a.nick.toLowerCase();
  const lb = b.nick.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a.nick < b.nick ? -1 : a.nick > b.nick ? 1 : 0;
}

/** The search rule: the query (trimmed, any case) is in the nick or in the real address. Empty matches all. */
export function matchesQuery(p: Pick<ParticipantView, "nick" | "jid">, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === "") return true;
  return p.nick.toLowerCase().includes(q) || (p.jid?.toLowerCase().includes(q) ?? false);
}

/** Where `p` goes in a list sorted by compareParticipants (binary search). */
export function insertionIndex(list: readonly ParticipantView[], p: ParticipantView): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = list[mid];
    if (at !== undefined && compareParticipants(at, p) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ParticipantsDelta {
  readonly added: readonly ParticipantView[];
  readonly changed: readonly ParticipantView[];
  readonly removed: readonly string[];
}

/**
 * A tab's list after a delta: the removed and changed nicks out, then the added and changed ones that match
 * `query` back in at their place. Returns the same list when nothing in it changed.
 */
export function applyParticipantsDelta(
  list: readonly ParticipantView[],
  delta: ParticipantsDelta,
  query = "",
): readonly ParticipantView[] {
  const upserts = [...delta.added, ...delta.changed];
  const gone = new Set<string>(delta.removed);
  for (const p of upserts) gone.add(p.nick);
  const inserts = upserts.filter((p) => matchesQuery(p, query));
  if (inserts.length === 0 && !list.some((p) => gone.has(p.nick))) return list;
  const next = gone.size > 0 ? list.filter((p) => !gone.has(p.nick)) : [...list];
  // Few inserts (the usual delta): binary insertion; many: one sort.
  if (inserts.length > 64) {
    next.push(...inserts);
    next.sort(compareParticipants);
  } else {
    for (const p of inserts) next.splice(insertionIndex(next, p), 0, p);
  }
  return next;
}
