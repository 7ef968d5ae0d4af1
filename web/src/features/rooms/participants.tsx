// The "Participants" list of a room (issue #8 §1, §3): asked of the object when opened, shown in a dialog as one
// virtualised `list` named "Participants" (a channel of 10,000 keeps a screenful of rows in the DOM), moderators
// first. Each row: the participant's colour and initial, their name, and their role in words.
import { useEffect, useRef } from "preact/hooks";
import type { ClientFrame, ParticipantView } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import type { RoomParticipants } from "../../core/state.ts";
import { Avatar } from "../../ui/avatar.tsx";
import { VirtualList } from "../../ui/virtual-list.tsx";

const ROW_PX = 44;

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
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      send({ type: "room.participants", requestId: newRequestId(), room });
    }
    if (!open && el.open) el.close();
  }, [open, room]);
  const list = participants?.list ?? [];
  const total = participants?.total ?? 0;
  return (
    <dialog ref={dialog} class="participants-dialog" aria-labelledby="participants-title" onClose={onClose}>
      <h2 id="participants-title">Participants</h2>
      <p class="participants-count" aria-live="polite">
        {participants === undefined
          ? "Loading…"
          : total === list.length
            ? `${total} ${total === 1 ? "participant" : "participants"}`
            : `${total} participants, the first ${list.length} shown`}
      </p>
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
