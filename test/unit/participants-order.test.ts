// The participants list's order, search and delta application (src/protocol/participants.ts), shared by the object
// and the tabs (issue #8 §3).
import { describe, expect, it } from "vitest";
import type { ParticipantView } from "../../src/protocol/index.ts";
import {
  applyParticipantsDelta,
  compareParticipants,
  insertionIndex,
  isLargeRoom,
  LARGE_ROOM,
  matchesQuery,
} from "../../src/protocol/participants.ts";

const p = (nick: string, role: ParticipantView["role"] = "participant", jid?: string): ParticipantView => ({
  nick,
  role,
  affiliation: "none",
  show: "online",
  ...(jid ? { jid } : {}),
});

describe("participants order and search", () => {
  it("puts moderators first, then names case-insensitively", () => {
    const list = [p("bob"), p("Zed", "moderator"), p("amy", "visitor"), p("Ann")].sort(compareParticipants);
    expect(list.map((x) => x.nick)).toEqual(["Zed", "Ann", "bob", "amy"]);
    expect(insertionIndex(list, p("Bea"))).toBe(2);
  });

  it("matches nick or address, any case; empty matches all", () => {
    expect(matchesQuery(p("Alice"), " ali")).toBe(true);
    expect(matchesQuery(p("x", "participant", "carol@example.org"), "CAROL")).toBe(true);
    expect(matchesQuery(p("x"), "y")).toBe(false);
    expect(matchesQuery(p("x"), "")).toBe(true);
  });

  it("applies a delta: removed out, changed moved, added in place, the search kept", () => {
    const list = [p("mod", "moderator"), p("ann"), p("bob"), p("cy")];
    const next = applyParticipantsDelta(list, {
      added: [p("bea"), p("zz")],
      changed: [p("cy", "moderator")],
      removed: ["bob"],
    });
    expect(next.map((x) => x.nick)).toEqual(["cy", "mod", "ann", "bea", "zz"]);
    expect(applyParticipantsDelta(list, { added: [p("zz")], changed: [], removed: [] }, "an").length).toBe(4);
    expect(applyParticipantsDelta(list, { added: [], changed: [], removed: ["nobody"] })).toBe(list);
    const many = Array.from({ length: 100 }, (_, i) => p(`n${String(i).padStart(3, "0")}`));
    expect(applyParticipantsDelta([], { added: many.toReversed(), changed: [], removed: [] })).toEqual(many);
  });

  it("calls a room large above LARGE_ROOM participants", () => {
    expect(isLargeRoom(LARGE_ROOM)).toBe(false);
    expect(isLargeRoom(LARGE_ROOM + 1)).toBe(true);
  });
});
