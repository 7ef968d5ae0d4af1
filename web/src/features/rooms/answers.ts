// Answers only a room dialog reads (the room search's results, a room's affiliation lists): the session hands them
// here (features/session/session.ts) and the open dialog listens, so they travel without threading a callback
// through the app's layout. One tab has one session at a time; a dialog unsubscribes when it closes.
import type { ServerFrame } from "../../../../src/protocol/index.ts";

export type RoomAnswer = Extract<ServerFrame, { type: "room.search.results" | "room.affiliations" }>;
export type RoomAnswerListener = (frame: RoomAnswer) => void;

const listeners = new Set<RoomAnswerListener>();

export function onRoomAnswer(listener: RoomAnswerListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitRoomAnswer(frame: RoomAnswer): void {
  for (const listener of listeners) listener(frame);
}
