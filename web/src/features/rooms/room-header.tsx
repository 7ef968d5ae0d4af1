// The header of an open group chat or channel (issue #8 §1): its name, what it is and how many participants are in
// it (or why we are not: joining, left, refused, removed), the subject, and Join or Leave. Words are the user's:
// "group chat", "channel", "participants".
import type { ClientFrame, RoomView } from "../../../../src/protocol/index.ts";
import { useState } from "preact/hooks";
import { newRequestId } from "../../core/ids.ts";
import type { RoomParticipants } from "../../core/state.ts";
import { ParticipantsDialog } from "./participants.tsx";
import { canManage, GroupSettings } from "./group-settings.tsx";
import { InviteDialog } from "./invite.tsx";
import type { Settler } from "../session/session.ts";
import { roomErrorWords } from "./status-words.ts";
import { HeaderFrame } from "../chat/header-frame.tsx";

export interface RoomHeaderProps {
  room: RoomView;
  name: string;
  back(): void;
  send(frame: ClientFrame): boolean;
  participants: RoomParticipants | undefined;
  onSettle(settler: Settler): () => void;
  closeParticipants?(room: string): void;
}

function kindWord(kind: RoomView["kind"]): string {
  return kind === "channel" ? "Channel" : "Group chat";
}

/** The line under the name: what it is and who is there, or what keeps us out. */
export function roomSubtitle(room: RoomView): string {
  const kind = kindWord(room.kind);
  switch (room.state) {
    case "joining":
      return `${kind} · joining…`;
    case "joined":
      return `${kind} · ${room.participants === 1 ? "1 participant" : `${room.participants} participants`}`;
    case "left":
      return `${kind} · you left`;
    case "error":
      return `${kind} · ${roomErrorWords(room.error)}`;
  }
}

export function RoomHeader({ room, name, back, send, participants, onSettle, closeParticipants }: RoomHeaderProps) {
  const inside = room.state === "joined" || room.state === "joining";
  const [showing, setShowing] = useState(false);
  const [settings, setSettings] = useState(false);
  const [inviting, setInviting] = useState(false);
  return (
    <HeaderFrame name={name} subtitle={`${roomSubtitle(room)}${room.subject ? ` · ${room.subject}` : ""}`} back={back}>
      {room.state === "joined" && (
        <button type="button" class="room-participants" aria-haspopup="dialog" onClick={() => setShowing(true)}>
          Participants
        </button>
      )}
      {canManage(room) && (
        <button type="button" class="room-settings" aria-haspopup="dialog" onClick={() => setSettings(true)}>
          Group settings
        </button>
      )}
      <GroupSettings
        room={room}
        open={settings && canManage(room)}
        onClose={() => setSettings(false)}
        send={send}
        onSettle={onSettle}
        participants={participants}
      />
      {room.state === "joined" && (
        <button type="button" class="room-invite" aria-haspopup="dialog" onClick={() => setInviting(true)}>
          Invite
        </button>
      )}
      <InviteDialog
        room={room.room}
        name={name}
        open={inviting}
        onClose={() => setInviting(false)}
        send={send}
        onSettle={onSettle}
      />
      <ParticipantsDialog
        room={room.room}
        open={showing}
        onClose={() => {
          setShowing(false);
          closeParticipants?.(room.room);
        }}
        participants={participants}
        send={send}
      />
      <button
        type="button"
        class="room-membership"
        disabled={room.state === "joining"}
        onClick={() =>
          send(
            inside
              ? { type: "room.leave", requestId: newRequestId(), room: room.room }
              : { type: "room.join", requestId: newRequestId(), room: room.room },
          )
        }
      >
        {inside ? "Leave" : "Join"}
      </button>
    </HeaderFrame>
  );
}
