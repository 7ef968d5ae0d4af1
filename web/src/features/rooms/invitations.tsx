// Invitations to group chats and channels (issue #8 §1), shown as requests above the contacts: who invites, to
// which room, their reason; "Join" enters it (the object uses the invitation's password) and opens it, "Decline"
// tells the inviter (through the room, when the invitation came that way). Remote text goes in text nodes only.
import { useState } from "preact/hooks";
import type { ClientFrame, Contact, InvitationView, RoomView } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import { chatHref } from "../../core/route.ts";
import { Alert } from "../../ui/alert.tsx";
import type { Settler } from "../session/session.ts";
import { usePending } from "./pending.ts";
import { roomErrorWords } from "./status-words.ts";
import "./rooms-create.css";

export interface InvitationsProps {
  invitations: readonly InvitationView[];
  roster: ReadonlyMap<string, Contact>;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
}

/** The invitations still to answer: those to rooms the user has since joined (another way) are not. */
export function pendingInvitations(
  invitations: readonly InvitationView[],
  rooms: ReadonlyMap<string, RoomView>,
): readonly InvitationView[] {
  const open = invitations.filter((i) => {
    const state = rooms.get(i.room)?.state;
    return state !== "joined" && state !== "joining";
  });
  return open.length === invitations.length ? invitations : open;
}

/** "Ann invites you to tea@conference.example.org" (the roster's name for the inviter when there is one). */
export function invitationText(invitation: InvitationView, roster: ReadonlyMap<string, Contact>): string {
  const who = roster.get(invitation.from)?.name.trim() || invitation.from;
  return `${who} invites you to ${invitation.room}`;
}

function Invitation(props: Omit<InvitationsProps, "invitations"> & { invitation: InvitationView; id: string }) {
  const { invitation, id, send, onSettle } = props;
  const [declined, setDeclined] = useState(false);
  const pending = usePending(
    onSettle,
    () => {
      location.hash = chatHref(invitation.room);
    },
    (err) => `Could not join: ${roomErrorWords(err)}.`,
  );
  const busy = pending.waiting !== null || declined;
  return (
    <li>
      <p id={id} class="invitation-text">
        {invitationText(invitation, props.roster)}
        {invitation.reason && <span class="invitation-reason">“{invitation.reason}”</span>}
      </p>
      <span class="request-actions">
        <button
          type="button"
          class="primary"
          aria-describedby={id}
          disabled={busy}
          onClick={() => {
            const requestId = newRequestId();
            pending.start(requestId, () =>
              send({ type: "invitation.answer", requestId, room: invitation.room, accept: true }),
            );
          }}
        >
          Join
        </button>
        <button
          type="button"
          aria-describedby={id}
          disabled={busy}
          onClick={() => {
            const requestId = newRequestId();
            if (send({ type: "invitation.answer", requestId, room: invitation.room, accept: false })) setDeclined(true);
          }}
        >
          Decline
        </button>
      </span>
      <Alert message={pending.error} />
    </li>
  );
}

export function Invitations(props: InvitationsProps) {
  const { invitations } = props;
  return (
    <section class="requests invitations" aria-labelledby="invitations-heading" hidden={invitations.length === 0}>
      <h2 id="invitations-heading">Invitations</h2>
      <ul class="request-list">
        {invitations.map((inv, i) => (
          <Invitation key={inv.room} {...props} invitation={inv} id={`invitation-${i}`} />
        ))}
      </ul>
    </section>
  );
}
