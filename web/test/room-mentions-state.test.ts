// Mentions and "Read by" in the tab's state (issue #8 §1): a room's unread messages naming the user are counted
// apart until the room is read; read positions per room are kept as the object sends them.
import { describe, expect, it } from "vitest";
import type { ChatMessage, Conversation, RoomView } from "../../src/protocol/index.ts";
import { applyFrame, initialState, type AppState } from "../src/core/state.ts";
import { snapshot } from "./fixtures.ts";

const ROOM = "tea@muc.x";
const room: RoomView = {
  room: ROOM,
  kind: "group",
  nick: "ann",
  state: "joined",
  participants: 2,
  role: "participant",
  affiliation: "member",
  autojoin: true,
  notify: null,
};

function message(body: string, direction: "in" | "out" = "in"): ChatMessage {
  return { key: `k-${body}`, peer: ROOM, direction, body, ts: 1, receipt: null, from: { nick: "bo" } };
}

function arrive(state: AppState, m: ChatMessage, unread: number): AppState {
  const conversation: Conversation = { peer: ROOM, lastTs: 1, lastBody: m.body, unread, kind: "room" };
  return applyFrame(state, { type: "message", message: m, conversation });
}

describe("mentions in the tab's state", () => {
  it("counts unread messages naming the user's nickname, apart, until the room is read", () => {
    let state = applyFrame(initialState("ann@x"), snapshot({ conversations: [], roster: [], rooms: [room] }));
    state = arrive(state, message("hello all"), 1);
    expect(state.mentions.get(ROOM)).toBeUndefined();
    state = arrive(state, message("@ann look"), 2);
    state = arrive(state, message("Ann, and again"), 3);
    state = arrive(state, message("annual report"), 4);
    expect(state.mentions.get(ROOM)).toBe(2);
    state = arrive(state, message("ann wrote this", "out"), 4);
    expect(state.mentions.get(ROOM)).toBe(2);
    state = applyFrame(state, {
      type: "conversation",
      conversation: { peer: ROOM, lastTs: 1, lastBody: "", unread: 0, kind: "room" },
    });
    expect(state.mentions.get(ROOM)).toBeUndefined();
  });

  it("keeps each room's read positions", () => {
    let state = applyFrame(initialState("ann@x"), snapshot({ conversations: [], roster: [], rooms: [room] }));
    state = applyFrame(state, { type: "room.reads", room: ROOM, reads: [{ nick: "bo", ts: 5 }] });
    expect(state.roomReads.get(ROOM)).toEqual([{ nick: "bo", ts: 5 }]);
  });
});
