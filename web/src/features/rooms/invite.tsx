// "Invite" in a room's header (issue #8 §1): a dialog with the invitee's "Address" and "Send invitation"; the
// object invites through the room (XEP-0045 §7.8.2: in a group chat the invitee becomes a member) and directly
// (XEP-0249).
import { useRef, useState } from "preact/hooks";
import type { ClientFrame } from "../../../../src/protocol/index.ts";
import { parseBareJid } from "../../../../src/xmpp/jid.ts";
import { newRequestId } from "../../core/ids.ts";
import { Alert } from "../../ui/alert.tsx";
import type { Settler } from "../session/session.ts";
import { usePending, useModal } from "./pending.ts";
import { roomErrorWords } from "./status-words.ts";
import "./rooms-create.css";

export interface InviteDialogProps {
  room: string;
  /** The room's name, for the dialog's title. */
  name: string;
  open: boolean;
  onClose(): void;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
}

function inviteErrorWords(error: string): string {
  if (error === "not-joined") return "Join first, then invite.";
  return error.includes(" ") ? error : `Could not invite: ${roomErrorWords(error)}.`;
}

export function InviteDialog({ room, name, open, onClose, send, onSettle }: InviteDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useModal(dialog, open);
  const [address, setAddress] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const pending = usePending(
    onSettle,
    () => {
      setSent(`Invitation sent to ${address.trim()}.`);
      setAddress("");
    },
    inviteErrorWords,
  );
  return (
    <dialog
      ref={dialog}
      class="join-dialog invite-dialog"
      aria-labelledby="invite-title"
      onClose={() => {
        setSent(null);
        pending.setError(null);
        onClose();
      }}
    >
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          const jid = parseBareJid(address);
          if (!jid) {
            pending.setError("Enter an address, like someone@example.org.");
            return;
          }
          setSent(null);
          const requestId = newRequestId();
          pending.start(requestId, () => send({ type: "room.invite", requestId, room, jid }));
        }}
      >
        <h2 id="invite-title">Invite to {name}</h2>
        <label for="invite-address">Address</label>
        <input
          id="invite-address"
          type="text"
          autocomplete="off"
          spellcheck={false}
          value={address}
          onInput={(ev) => setAddress(ev.currentTarget.value)}
          aria-describedby="invite-feedback"
        />
        <div id="invite-feedback" class="feedback" aria-live="polite">
          <Alert message={pending.error} />
          {sent && <p class="sent">{sent}</p>}
        </div>
        <div class="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
          <button type="submit" class="primary" disabled={pending.waiting !== null}>
            Send invitation
          </button>
        </div>
      </form>
    </dialog>
  );
}
