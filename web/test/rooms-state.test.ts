// Rooms in the tab's state (web/src/core/state.ts): the snapshot's rooms, room updates, participants lists, and
// rooms in the conversation list before their first message (core/selectors.ts).
import { describe, expect, it } from "vitest";
import type { RoomView } from "../../src/protocol/index.ts";
import { applyFrame, initialState } from "../src/core/state.ts";
import { displayName, listedConversations } from "../src/core/selectors.ts";
import { snapshot } from "./fixtures.ts";

const view = (room: string, over: Partial<RoomView> = {}): RoomView => ({
  room,
  kind: "group",
  nick: "ann",
  state: "joined",
  participants: 2,
  role: "participant",
  affiliation: "member",
  autojoin: true,
  notify: null,
  ...over,
});

describe("rooms in the tab", () => {
  it("keeps the snapshot's rooms, follows updates, lists rooms without messages, names them", () => {
    let state = applyFrame(
      initialState("ann@x"),
      snapshot({ conversations: [], roster: [], rooms: [view("tea@muc.x", { name: "Tea" })] }),
    );
    expect(displayName(state, "tea@muc.x")).toBe("Tea");
    expect(listedConversations(state).map((c) => [c.peer, c.kind])).toEqual([["tea@muc.x", "room"]]);
    state = applyFrame(state, { type: "room", room: view("code@muc.x", { state: "joining" }) });
    expect(displayName(state, "code@muc.x")).toBe("code");
    expect(state.rooms.get("code@muc.x")?.state).toBe("joining");
    state = applyFrame(state, {
      type: "room.participants",
      requestId: "r1",
      room: "tea@muc.x",
      participants: [{ nick: "bo", role: "moderator", affiliation: "owner", show: "online" }],
      total: 1,
    });
    expect(state.participants.get("tea@muc.x")).toEqual({
      list: [{ nick: "bo", role: "moderator", affiliation: "owner", show: "online" }],
      total: 1,
      query: "",
      matching: 1,
      stale: false,
    });
  });

  it("lists a room that never notifies as muted: it does not climb for its unread messages", () => {
    const conv = { peer: "tea@muc.x", lastTs: 5, lastBody: "hi", unread: 3, kind: "room" as const };
    const state = applyFrame(
      initialState("ann@x"),
      snapshot({ conversations: [conv], roster: [], rooms: [view("tea@muc.x", { notify: "never" })] }),
    );
    expect(listedConversations(state)[0]).toMatchObject({ peer: "tea@muc.x", muted: true, unread: 3 });
  });
});
