// Who came and went in a group chat (web/src/features/rooms/membership.ts): lines from the object's participant
// deltas, only in group chats, never for a replaced list or our own nick, summed up for a burst, bounded.
import { describe, expect, it } from "vitest";
import type { RoomView } from "../../src/protocol/index.ts";
import { MAX_EVENTS, membershipLines, withMembership } from "../src/features/rooms/membership.ts";

const room = (over: Partial<RoomView> = {}): RoomView => ({
  room: "tea@muc.x",
  kind: "group",
  nick: "ann",
  state: "joined",
  participants: 3,
  role: "participant",
  affiliation: "member",
  autojoin: true,
  notify: null,
  ...over,
});
const p = (nick: string) => ({
  nick,
  role: "participant" as const,
  affiliation: "member" as const,
  show: "online" as const,
});
const delta = (added: string[], removed: string[], reset?: boolean) => ({
  room: "tea@muc.x",
  total: 3,
  added: added.map(p),
  changed: [],
  removed,
  ...(reset ? { reset } : {}),
});

describe("membership lines in group chats", () => {
  it("says who joined and who left, in words", () => {
    expect(membershipLines(room(), delta(["cy"], ["bo", "dee"]), 5).map((e) => e.text)).toEqual([
      "cy joined",
      "bo and dee left",
    ]);
    expect(membershipLines(room(), delta(["a", "b", "c", "d", "e", "f"], []), 5)[0]?.text).toBe("6 people joined");
  });

  it("says nothing in channels, while joining, for a replaced list, or about ourselves", () => {
    expect(membershipLines(room({ kind: "channel" }), delta(["cy"], []), 5)).toEqual([]);
    expect(membershipLines(room({ state: "joining" }), delta(["cy"], []), 5)).toEqual([]);
    expect(membershipLines(room(), delta(["cy"], [], true), 5)).toEqual([]);
    expect(membershipLines(room(), delta(["ann"], ["ann"]), 5)).toEqual([]);
  });

  it("keeps the newest lines per room, and the same map when nothing happened", () => {
    const rooms = new Map([["tea@muc.x", room()]]);
    const none = new Map();
    expect(withMembership(none, rooms, [delta([], [], true)], 1)).toBe(none);
    let events: ReturnType<typeof withMembership> = none;
    for (let i = 0; i < MAX_EVENTS + 10; i++) events = withMembership(events, rooms, [delta([`n${i}`], [])], i);
    const kept = events.get("tea@muc.x") ?? [];
    expect(kept).toHaveLength(MAX_EVENTS);
    expect(kept.at(-1)?.text).toBe(`n${MAX_EVENTS + 9} joined`);
  });
});
