// The "Participants" list of a room (issue #8 §1, §3): asked of the object when opened, shown in a dialog as one
// virtualised `list` named "Participants" (a channel of 10,000 keeps a screenful of rows in the DOM), moderators
// first. Each row: the participant's colour and initial, their name, and their role in words. The first page
// paints at once; the rest comes page by page; batched deltas keep it live; the search runs in the object. Closed,
// the tab forgets the list.
import { useEffect, useRef, useState } from "preact/hooks";
import { MAX_PARTICIPANTS_SENT, type ClientFrame, type ParticipantView } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import type { RoomParticipants } from "../../core/state.ts";
import { Avatar } from "../../ui/avatar.tsx";
import { VirtualList } from "../../ui/virtual-list.tsx";

const ROW_PX = 44;
/** Participants a tab holds for one open list (the object keeps at most as many per room). */
const MAX_HELD = 10_000;
/** Pages after the first: big enough for few frames, small enough to parse in well under a frame's budget. */
const PAGE = MAX_PARTICIPANTS_SENT;
const FIRST = 200;
const SEARCH_DELAY_MS = 150;

function roleWords(p: ParticipantView): string {
  if (p.affiliation === "owner") return "owner";
  if (p.affiliation === "admin") return "admin";
  if (p.role === "moderator") return "moderator";
  if (p.role === "visitor") return "cannot write";
  return p.affiliation === "member" ? "member" : "";
}

export interface ParticipantsDialogProps {
  room: string;
  open: boolean;
  onClose(): void;
  participants: RoomParticipants | undefined;
  send(frame: ClientFrame): boolean;
}

export function ParticipantsDialog({ room, open, onClose, participants, send }: ParticipantsDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [query, setQuery] = useState("");
  const lastAsked = useRef("");
  const ask = (q: string, offset: number, limit: number): void => {
    lastAsked.current = `${room}|${q}|${offset}`;
    const frame: ClientFrame = { type: "room.participants", requestId: newRequestId(), room, offset, limit };
    send(q === "" ? frame : { ...frame, query: q });
  };
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      setQuery("");
      ask("", 0, FIRST);
    }
    if (!open && el.open) el.close();
  }, [open, room]);
  // The search runs in the object, a moment after the typing stops.
  const typed = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onSearch = (value: string): void => {
    setQuery(value);
    if (typed.current !== null) clearTimeout(typed.current);
    typed.current = setTimeout(() => ask(value.trim(), 0, FIRST), SEARCH_DELAY_MS);
  };
  useEffect(() => () => void (typed.current !== null && clearTimeout(typed.current)), []);
  // Page by page up to what matches; again from the start when the object replaced the list.
  useEffect(() => {
    if (!open || !participants || participants.query !== query.trim()) return;
    if (participants.stale) {
      ask(participants.query, 0, FIRST);
      return;
    }
    const have = participants.list.length;
    if (have >= Math.min(participants.matching, MAX_HELD)) return;
    if (lastAsked.current === `${room}|${participants.query}|${have}`) return;
    ask(participants.query, have, PAGE);
  }, [open, participants, query]);
  const list = participants?.list ?? [];
  const total = participants?.total ?? 0;
  return (
    <dialog ref={dialog} class="participants-dialog" aria-labelledby="participants-title" onClose={onClose}>
      <h2 id="participants-title">Participants</h2>
      <p class="participants-count" aria-live="polite">
        {participants === undefined
          ? "Loading…"
          : participants.query !== ""
            ? `${participants.matching} of ${total} participants match`
            : `${total} ${total === 1 ? "participant" : "participants"}`}
      </p>
      <input
        type="search"
        class="participants-search"
        aria-label="Search participants"
        placeholder="Search participants"
        value={query}
        onInput={(e) => onSearch(e.currentTarget.value)}
      />
      <div class="participants-scroll">
        {open && (
          <VirtualList
            count={list.length}
            rowHeight={ROW_PX}
            label="Participants"
            rowKey={(i) => list[i]?.occupantId ?? list[i]?.nick ?? String(i)}
            renderRow={(i) => {
              const p = list[i];
              if (!p) return null;
              const role = roleWords(p);
              return (
                <span class="participant">
                  <Avatar jid={`${room}/${p.occupantId ?? p.nick}`} name={p.nick} size="sm" />
                  <span class="participant-name">{p.nick}</span>
                  {role && <span class="participant-role">{role}</span>}
                </span>
              );
            }}
          />
        )}
      </div>
      <div class="dialog-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
