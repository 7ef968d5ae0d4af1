// A room's participants in the tab (issue #8 §3): pages appended, batched deltas applied in list order, counts
// followed for every room, the list dropped when closed.
import { describe, expect, it } from "vitest";
import type { ParticipantView } from "../../src/protocol/index.ts";
import { applyFrame, initialState, reduce, type AppState } from "../src/core/state.ts";

const p = (nick: string, role: ParticipantView["role"] = "participant"): ParticipantView => ({
  nick,
  role,
  affiliation: "none",
  show: "online",
});

function withRoom(): AppState {
  return applyFrame(initialState("me@x"), {
    type: "room",
    room: {
      room: "big@muc.x",
      kind: "channel",
      nick: "me",
      state: "joined",
      participants: 3,
      role: "participant",
      affiliation: "none",
      autojoin: true,
      notify: null,
    },
  });
}

describe("participants in the tab", () => {
  it("appends later pages without doubles, applies deltas in order, follows counts, drops the list when closed", () => {
    let state = withRoom();
    state = applyFrame(state, {
      type: "room.participants",
      requestId: "r1",
      room: "big@muc.x",
      participants: [p("ann", "moderator"), p("bob")],
      total: 3,
    });
    state = applyFrame(state, {
      type: "room.participants",
      requestId: "r2",
      room: "big@muc.x",
      participants: [p("bob"), p("cy")],
      total: 3,
      offset: 2,
    });
    expect(state.participants.get("big@muc.x")?.list.map((x) => x.nick)).toEqual(["ann", "bob", "cy"]);
    state = applyFrame(state, {
      type: "room.participants.delta",
      rooms: [{ room: "big@muc.x", total: 3, added: [p("Bea")], changed: [], removed: ["cy"] }],
    });
    expect(state.participants.get("big@muc.x")?.list.map((x) => x.nick)).toEqual(["ann", "Bea", "bob"]);
    expect(state.rooms.get("big@muc.x")?.participants).toBe(3);
    state = applyFrame(state, {
      type: "room.participants.delta",
      rooms: [{ room: "big@muc.x", total: 9, reset: true, added: [p("zed")], changed: [], removed: [] }],
    });
    expect(state.participants.get("big@muc.x")).toMatchObject({ stale: true, total: 9 });
    expect(state.rooms.get("big@muc.x")?.participants).toBe(9);
    state = reduce(state, { kind: "participants.closed", room: "big@muc.x" });
    expect(state.participants.has("big@muc.x")).toBe(false);
    // A room whose list the tab does not hold: only its count follows.
    state = applyFrame(state, {
      type: "room.participants.delta",
      rooms: [{ room: "big@muc.x", total: 10, added: [p("new")], changed: [], removed: [] }],
    });
    expect(state.participants.has("big@muc.x")).toBe(false);
    expect(state.rooms.get("big@muc.x")?.participants).toBe(10);
  });
});
