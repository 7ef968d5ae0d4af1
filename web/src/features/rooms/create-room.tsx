// "New group chat" and "New channel" (issue #8 §1), the dialogs behind the "New conversation" choices. A group
// chat: its name ("Group name") and the contacts to invite, as checkboxes named by their display names. A channel:
// "Channel name", "Address" (filled from the name until edited) and "Description". "Create" asks the object
// (room.create), which answers with room.created: the session then opens the new room in this tab.
import { useRef, useState } from "preact/hooks";
import type { ClientFrame, Contact } from "../../../../src/protocol/index.ts";
import { MAX_INVITEES } from "../../../../src/protocol/index.ts";
import { isRoomAddressInput, slugOf } from "../../../../src/xmpp/room-address.ts";
import { newRequestId } from "../../core/ids.ts";
import { Alert } from "../../ui/alert.tsx";
import type { Settler } from "../session/session.ts";
import { usePending, useModal } from "./pending.ts";
import { roomErrorWords } from "./status-words.ts";
import "./rooms-create.css";

export interface CreateDialogProps {
  open: boolean;
  onClose(): void;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
}

/** Why creating failed, in words (the error's message: an XMPP condition, or the object's own sentence). */
export function createErrorWords(error: string): string {
  switch (error) {
    case "conflict":
      return "That address is taken. Choose another one.";
    case "jid-malformed":
      return "That address cannot be used: letters, digits and . _ - only.";
    case "service-unavailable":
      return "This server has no group chats or channels.";
    case "not-allowed":
    case "forbidden":
      return "This server does not let you create one.";
    default:
      return error.includes(" ") ? error : `Could not create it: ${roomErrorWords(error)}.`;
  }
}

/** A contact's display name: the name the user gave, else the address. */
export function contactName(c: Contact): string {
  return c.name.trim() || c.jid;
}

/** Contacts in the order the dialog offers them: by display name. */
export function offeredContacts(contacts: ReadonlyMap<string, Contact>): Contact[] {
  return [...contacts.values()].sort(
    (a, b) => contactName(a).localeCompare(contactName(b)) || a.jid.localeCompare(b.jid),
  );
}

function Actions({ waiting, cancel }: { waiting: boolean; cancel(): void }) {
  return (
    <div class="dialog-actions">
      <button type="button" onClick={cancel}>
        Cancel
      </button>
      <button type="submit" class="primary" disabled={waiting}>
        {waiting ? "Creating…" : "Create"}
      </button>
    </div>
  );
}

export function CreateGroupDialog(props: CreateDialogProps & { contacts: ReadonlyMap<string, Contact> }) {
  const { open, onClose, send, onSettle } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  useModal(dialog, open);
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const pending = usePending(
    onSettle,
    () => {
      setName("");
      setPicked(new Set());
      onClose();
    },
    createErrorWords,
  );
  const people = open ? offeredContacts(props.contacts) : [];
  const toggle = (jid: string, on: boolean): void => {
    const next = new Set(picked);
    if (on) next.add(jid);
    else next.delete(jid);
    setPicked(next);
  };
  return (
    <dialog ref={dialog} class="join-dialog create-dialog" aria-labelledby="create-group-title" onClose={onClose}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (name.trim() === "") {
            pending.setError("Give the group chat a name.");
            return;
          }
          if (picked.size > MAX_INVITEES) {
            pending.setError(`Pick at most ${MAX_INVITEES} contacts; invite more from the group chat.`);
            return;
          }
          const requestId = newRequestId();
          const frame: ClientFrame = {
            type: "room.create",
            requestId,
            kind: "group",
            name: name.trim(),
            invite: [...picked],
          };
          pending.start(requestId, () => send(frame));
        }}
      >
        <h2 id="create-group-title">New group chat</h2>
        <label for="create-group-name">Group name</label>
        <input
          id="create-group-name"
          type="text"
          autocomplete="off"
          maxLength={256}
          value={name}
          onInput={(ev) => setName(ev.currentTarget.value)}
          aria-describedby="create-group-error"
        />
        <fieldset class="create-people">
          <legend>Invite contacts</legend>
          {people.length === 0 ? (
            <p class="empty">No contacts yet. You can invite people from the group chat later.</p>
          ) : (
            <ul>
              {people.map((c) => (
                <li key={c.jid}>
                  <label title={c.jid}>
                    <input
                      type="checkbox"
                      checked={picked.has(c.jid)}
                      onChange={(ev) => toggle(c.jid, ev.currentTarget.checked)}
                    />
                    {contactName(c)}
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <div id="create-group-error" class="feedback">
          <Alert message={pending.error} />
        </div>
        <Actions waiting={pending.waiting !== null} cancel={() => dialog.current?.close()} />
      </form>
    </dialog>
  );
}

export function CreateChannelDialog({ open, onClose, send, onSettle }: CreateDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useModal(dialog, open);
  const [name, setName] = useState("");
  const [address, setAddress] = useState("");
  const [addressEdited, setAddressEdited] = useState(false);
  const [description, setDescription] = useState("");
  const pending = usePending(
    onSettle,
    () => {
      setName("");
      setAddress("");
      setAddressEdited(false);
      setDescription("");
      onClose();
    },
    createErrorWords,
  );
  return (
    <dialog ref={dialog} class="join-dialog create-dialog" aria-labelledby="create-channel-title" onClose={onClose}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (name.trim() === "") {
            pending.setError("Give the channel a name.");
            return;
          }
          if (!isRoomAddressInput(address)) {
            pending.setError("Choose an address: letters, digits and . _ - (like team-news).");
            return;
          }
          const requestId = newRequestId();
          const frame: ClientFrame = {
            type: "room.create",
            requestId,
            kind: "channel",
            name: name.trim(),
            address: address.trim(),
            description: description.trim(),
            invite: [],
          };
          pending.start(requestId, () => send(frame));
        }}
      >
        <h2 id="create-channel-title">New channel</h2>
        <label for="create-channel-name">Channel name</label>
        <input
          id="create-channel-name"
          type="text"
          autocomplete="off"
          maxLength={256}
          value={name}
          onInput={(ev) => {
            const value = ev.currentTarget.value;
            setName(value);
            if (!addressEdited) setAddress(slugOf(value));
          }}
          aria-describedby="create-channel-error"
        />
        <label for="create-channel-address">Address</label>
        <input
          id="create-channel-address"
          type="text"
          autocomplete="off"
          spellcheck={false}
          maxLength={1023}
          value={address}
          onInput={(ev) => {
            setAddress(ev.currentTarget.value);
            setAddressEdited(true);
          }}
          aria-describedby="create-channel-address-hint create-channel-error"
        />
        <p id="create-channel-address-hint" class="hint">
          Letters, digits and . _ - ; anyone can find and join the channel by it.
        </p>
        <label for="create-channel-description">Description</label>
        <textarea
          id="create-channel-description"
          rows={3}
          maxLength={1024}
          value={description}
          onInput={(ev) => setDescription(ev.currentTarget.value)}
        />
        <div id="create-channel-error" class="feedback">
          <Alert message={pending.error} />
        </div>
        <Actions waiting={pending.waiting !== null} cancel={() => dialog.current?.close()} />
      </form>
    </dialog>
  );
}
