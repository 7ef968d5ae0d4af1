// Room search in the "Join or search" dialog (issue #8 §1): a searchbox named "Search group chats and channels" that
// asks the object (room.search) once the user pauses typing; the rooms found, most participants first, as list items
// with their name, kind in words, participant count and description, each with a "Join" button (one click joins
// and opens it: the dialog's join does that). Remote text is rendered as text nodes only.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ClientFrame, RoomListingView } from "../../../../src/protocol/index.ts";
import { MAX_ROOM_QUERY_CHARS } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import type { Settler } from "../session/session.ts";
import { onRoomAnswer } from "./answers.ts";
import { roomErrorWords } from "./status-words.ts";

/** Typing searches once the user pauses this long. */
export const ROOM_SEARCH_DEBOUNCE_MS = 250;

export interface RoomSearchProps {
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
  /** Joins `room` and opens it (the dialog's own join). */
  join(room: string): void;
  /** A join is in flight (the buttons wait). */
  busy: boolean;
}

type Status =
  | { kind: "idle" }
  | { kind: "searching" }
  | { kind: "done"; results: readonly RoomListingView[]; total: number }
  | { kind: "failed"; message: string };

/** "Channel · 3 participants": what the room is, in the user's words, and who is there. */
export function listingMeta(listing: Pick<RoomListingView, "kind" | "participants">): string {
  const kind = listing.kind === "channel" ? "Channel" : "Group chat";
  if (listing.participants === null) return kind;
  return `${kind} · ${listing.participants === 1 ? "1 participant" : `${listing.participants} participants`}`;
}

export function RoomSearch({ send, onSettle, join, busy }: RoomSearchProps) {
  const [text, setText] = useState("");
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  /** The request whose answer is shown; answers to older ones are dropped. */
  const current = useRef<string | null>(null);

  useEffect(
    () =>
      onRoomAnswer((frame) => {
        if (frame.type !== "room.search.results" || frame.requestId !== current.current) return;
        setStatus({ kind: "done", results: frame.results, total: frame.total });
      }),
    [],
  );
  useEffect(
    () =>
      onSettle((requestId, error) => {
        if (requestId !== current.current) return false;
        if (error !== null) setStatus({ kind: "failed", message: `The search failed: ${roomErrorWords(error)}.` });
        return true;
      }),
    [],
  );
  useEffect(() => {
    const query = text.trim().slice(0, MAX_ROOM_QUERY_CHARS);
    if (query === "") {
      current.current = null;
      setStatus({ kind: "idle" });
      return undefined;
    }
    const timer = setTimeout(() => {
      const requestId = newRequestId();
      current.current = requestId;
      if (send({ type: "room.search", requestId, query })) setStatus({ kind: "searching" });
      else setStatus({ kind: "failed", message: "Not connected. Try again in a moment." });
    }, ROOM_SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const said =
    status.kind === "searching"
      ? "Searching…"
      : status.kind === "failed"
        ? status.message
        : status.kind === "done"
          ? status.total === 0
            ? "Nothing found."
            : status.total > status.results.length
              ? `${status.total} found, the first ${status.results.length} shown. Type more to narrow it down.`
              : `${status.total} found.`
          : "Type to find the group chats and channels of this server.";
  return (
    <section class="room-search" aria-labelledby="room-search-label">
      <label id="room-search-label" for="room-search">
        Search group chats and channels
      </label>
      <input
        id="room-search"
        type="search"
        autocomplete="off"
        spellcheck={false}
        value={text}
        onInput={(ev) => setText(ev.currentTarget.value)}
        onKeyDown={(ev) => {
          // Enter in the searchbox searches; it must not submit the address form below.
          if (ev.key === "Enter") ev.preventDefault();
        }}
        aria-describedby="room-search-status"
      />
      <p id="room-search-status" class="room-search-status" aria-live="polite">
        {said}
      </p>
      {status.kind === "done" && status.results.length > 0 && (
        <ul class="room-results" aria-label="Group chats and channels found">
          {status.results.map((r) => (
            <li key={r.room} class="room-result">
              <div class="room-result-text">
                <span class="room-result-name" id={`room-result-${r.room}`}>
                  {r.name}
                </span>
                <span class="room-result-meta">{listingMeta(r)}</span>
                {r.description && <span class="room-result-description">{r.description}</span>}
                <span class="room-result-address">{r.room}</span>
              </div>
              <button
                type="button"
                disabled={busy}
                aria-describedby={`room-result-${r.room}`}
                onClick={() => join(r.room)}
              >
                Join
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
