// The "New conversation" button (issue #8 §1): its choices start a one-to-one chat (the "Add contact" field),
// create a group chat or a channel (./create-room.tsx), or join a group chat or channel by its address.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ClientFrame, Contact } from "../../../../src/protocol/index.ts";
import { parseBareJid } from "../../../../src/xmpp/jid.ts";
import { newRequestId } from "../../core/ids.ts";
import { chatHref } from "../../core/route.ts";
import { Alert } from "../../ui/alert.tsx";
import type { Settler } from "../session/session.ts";
import { RoomSearch } from "./room-search.tsx";
import { CreateChannelDialog, CreateGroupDialog } from "./create-room.tsx";
import { roomErrorWords } from "./status-words.ts";

const ANSWER_MS = 30_000;

export interface NewConversationProps {
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
  /** Focuses the field that starts a one-to-one chat. */
  newChat(): void;
  /** The contacts a new group chat may invite. */
  contacts?: ReadonlyMap<string, Contact>;
}

const NO_CONTACTS: ReadonlyMap<string, Contact> = new Map();

export function NewConversation({ send, onSettle, newChat, contacts = NO_CONTACTS }: NewConversationProps) {
  const [open, setOpen] = useState(false);
  const [joining, setJoining] = useState(false);
  const [creating, setCreating] = useState<"group" | "channel" | null>(null);
  const first = useRef<HTMLButtonElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  const close = (): void => {
    setOpen(false);
    toggle.current?.focus();
  };
  return (
    <div class="new-conversation">
      <button
        ref={toggle}
        type="button"
        class="new-conversation-button"
        aria-label="New conversation"
        title="New conversation"
        aria-expanded={open}
        aria-controls="new-conversation-choices"
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">+</span>
      </button>
      <div
        id="new-conversation-choices"
        class="new-conversation-choices"
        hidden={!open}
        onKeyDown={(ev) => {
          if (ev.key === "Escape") {
            ev.preventDefault();
            close();
          }
        }}
      >
        <button
          ref={first}
          type="button"
          onClick={() => {
            setOpen(false);
            newChat();
          }}
        >
          New chat
        </button>
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            setCreating("group");
          }}
        >
          New group chat
        </button>
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            setCreating("channel");
          }}
        >
          New channel
        </button>
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            setJoining(true);
          }}
        >
          Join or search
        </button>
      </div>
      <JoinDialog open={joining} onClose={() => setJoining(false)} send={send} onSettle={onSettle} />
      <CreateGroupDialog
        open={creating === "group"}
        onClose={() => setCreating(null)}
        send={send}
        onSettle={onSettle}
        contacts={contacts}
      />
      <CreateChannelDialog
        open={creating === "channel"}
        onClose={() => setCreating(null)}
        send={send}
        onSettle={onSettle}
      />
    </div>
  );
}

interface JoinDialogProps {
  open: boolean;
  onClose(): void;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
}

/** Joins a group chat or channel by its address; opens it once joined (the object acks the join). */
function JoinDialog({ open, onClose, send, onSettle }: JoinDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [address, setAddress] = useState("");
  const [pending, setPending] = useState<{ requestId: string; room: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  useEffect(() => {
    if (!pending) return undefined;
    const timer = setTimeout(() => {
      setPending(null);
      setError("No answer from the server. Try again.");
    }, ANSWER_MS);
    const off = onSettle((requestId, err) => {
      if (requestId !== pending.requestId) return false;
      setPending(null);
      if (err === null) {
        setAddress("");
        setError(null);
        onClose();
        location.hash = chatHref(pending.room);
      } else setError(`Could not join: ${roomErrorWords(err)}.`);
      return true;
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [pending]);

  const join = (room: string): void => {
    const requestId = newRequestId();
    if (!send({ type: "room.join", requestId, room })) {
      setError("Not connected. Try again in a moment.");
      return;
    }
    setError(null);
    setPending({ requestId, room });
  };

  return (
    <dialog ref={dialog} class="join-dialog" aria-labelledby="join-title" onClose={onClose}>
      <h2 id="join-title">Join a group chat or channel</h2>
      <RoomSearch send={send} onSettle={onSettle} join={join} busy={pending !== null} />
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          const room = parseBareJid(address);
          if (!room) {
            setError("Enter the address of a group chat or channel, like team@conference.example.org.");
            return;
          }
          join(room);
        }}
      >
        <label for="join-address">Address</label>
        <input
          id="join-address"
          type="text"
          autocomplete="off"
          spellcheck={false}
          value={address}
          onInput={(ev) => setAddress(ev.currentTarget.value)}
          aria-describedby="join-error"
        />
        <div id="join-error" class="feedback">
          <Alert message={error} />
        </div>
        <div class="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={pending !== null}>
            {pending ? "Joining…" : "Join"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
