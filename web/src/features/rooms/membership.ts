// Who came and went in a group chat (issue #8 §1: "membership changes shown in group chats"; joins and leaves are
// not shown in channels, where they are noise). Made from the object's participant deltas (at most one frame per
// flush, src/durable/features/room-participants.ts) while the tab is open: a line in the log, never a bubble, and
// kept for this tab only (the newest MAX_EVENTS per room). Pure.
import type { RoomView, ServerFrame } from "../../../../src/protocol/index.ts";

/** One line of the log about the room itself. */
export interface RoomEvent {
  readonly id: string;
  readonly ts: number;
  readonly text: string;
}

/** Lines kept per room (older ones drop off). */
export const MAX_EVENTS = 100;
/** A burst (a reconnect of many) is summed up rather than listed. */
const MAX_NAMED = 5;

type Delta = Extract<ServerFrame, { type: "room.participants.delta" }>["rooms"][number];

function names(nicks: readonly string[]): string {
  if (nicks.length > MAX_NAMED) return `${nicks.length} people`;
  if (nicks.length === 1) return nicks[0] ?? "";
  return `${nicks.slice(0, -1).join(", ")} and ${nicks[nicks.length - 1] ?? ""}`;
}

/** The lines one delta makes in `room` (none in channels, while joining, or for a replaced list). */
export function membershipLines(room: Pick<RoomView, "kind" | "state" | "nick">, d: Delta, now: number): RoomEvent[] {
  if (room.kind !== "group" || room.state !== "joined" || d.reset === true) return [];
  const came = d.added.map((p) => p.nick).filter((n) => n !== room.nick);
  const went = d.removed.filter((n) => n !== room.nick);
  const out: RoomEvent[] = [];
  if (came.length > 0) {
    out.push({ id: `${d.room}:${now}:j:${came.join(",")}`, ts: now, text: `${names(came)} joined` });
  }
  if (went.length > 0) {
    out.push({ id: `${d.room}:${now}:l:${went.join(",")}`, ts: now, text: `${names(went)} left` });
  }
  return out;
}

/** `events` with the lines of `deltas` added (the same map when nothing was added). */
export function withMembership(
  events: ReadonlyMap<string, readonly RoomEvent[]>,
  rooms: ReadonlyMap<string, RoomView>,
  deltas: readonly Delta[],
  now: number,
): ReadonlyMap<string, readonly RoomEvent[]> {
  let out: Map<string, readonly RoomEvent[]> | null = null;
  for (const d of deltas) {
    const room = rooms.get(d.room);
    const lines = room ? membershipLines(room, d, now) : [];
    if (lines.length === 0) continue;
    out ??= new Map(events);
    out.set(d.room, [...(out.get(d.room) ?? []), ...lines].slice(-MAX_EVENTS));
  }
  return out ?? events;
}
