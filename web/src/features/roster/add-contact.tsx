// "Add contact": a roster add with a subscription request (RFC 6121 §3.1.1). Done when the object acks it or the
// contact shows up in the roster; an error (or no answer in ANSWER_MS) is shown next to the field.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ClientFrame, Contact } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import { Alert } from "../../ui/alert.tsx";
import type { Settler } from "../session/session.ts";

const ANSWER_MS = 20_000;

export interface AddContactProps {
  roster: ReadonlyMap<string, Contact>;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
}

interface Pending {
  requestId: string;
  jid: string;
}

export function AddContact({ roster, send, onSettle }: AddContactProps) {
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState("");

  const finish = (done: Pending, err: string | null): void => {
    setPending(null);
    setError(err);
    if (err === null) {
      setValue("");
      setNote(`Asked ${done.jid} to share presence.`);
    }
  };

  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => finish(pending, "No answer from the server. Try again."), ANSWER_MS);
    const off = onSettle((requestId, err) => {
      if (requestId !== pending.requestId) return false;
      finish(pending, err);
      return true;
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [pending]);
  // The contact in the roster is an answer too (a roster push can come before the ack).
  useEffect(() => {
    if (pending && roster.has(pending.jid)) finish(pending, null);
  }, [pending, roster]);

  return (
    <form
      class="add-contact"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (pending) return;
        const jid = value.trim();
        setNote("");
        if (jid.length < 3 || /\s/u.test(jid)) {
          setError("Enter an address like bob@example.org.");
          input.current?.focus();
          return;
        }
        const requestId = newRequestId();
        if (!send({ type: "roster.add", requestId, jid })) {
          setError("Not connected. Try again in a moment.");
          return;
        }
        setError(null);
        setPending({ requestId, jid });
      }}
    >
      <label for="add-contact-jid">Contact address</label>
      <div class="inline-form">
        <input
          ref={input}
          id="add-contact-jid"
          type="text"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          inputMode="email"
          placeholder="bob@example.org"
          value={value}
          onInput={(ev) => setValue(ev.currentTarget.value)}
        />
        <button type="submit" disabled={pending !== null}>
          Add contact
        </button>
      </div>
      <div class="feedback">
        <Alert message={error} />
      </div>
      <p class="note" aria-live="polite">
        {note}
      </p>
    </form>
  );
}
