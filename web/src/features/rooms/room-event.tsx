// A line of a group chat's log about the room itself ("cy joined", "bo left"): a system line, not a bubble.
import { formatTime } from "../../core/format.ts";
import type { RoomEvent } from "./membership.ts";

export function RoomEventLine({ event }: { event: RoomEvent }) {
  const date = new Date(event.ts);
  return (
    <li class="room-event">
      {event.text}{" "}
      <time datetime={Number.isNaN(date.getTime()) ? undefined : date.toISOString()}>
        {formatTime(event.ts, Date.now())}
      </time>
    </li>
  );
}
