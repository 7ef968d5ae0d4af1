// A request of a dialog waiting for the object's answer (ack, room.created, or error), with a time limit: the
// dialogs of features/rooms (create, invite, invitations) share it. The answer's handler is registered before the
// frame is sent: a quick answer (an invitation's ack) can arrive before the next render; it outlives the component.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Settler } from "../session/session.ts";

const ANSWER_MS = 30_000;

export interface Pending {
  /** The requestId waited for, null when none. */
  readonly waiting: string | null;
  readonly error: string | null;
  setError(message: string | null): void;
  /** Waits for `requestId`'s answer, then sends; false (with an error said) when `send` could not. */
  start(requestId: string, send: () => boolean): boolean;
}

/**
 * `done` runs when the object accepted the request; `words` says a refusal (the error frame's message: an XMPP
 * condition for room-failed) to the user.
 */
export function usePending(
  onSettle: (settler: Settler) => () => void,
  done: () => void,
  words: (error: string) => string,
): Pending {
  const [waiting, setWaiting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef({ done, words });
  latest.current = { done, words };
  // Not stopped when the component goes: an invitation's row leaves the list as soon as its room is being joined,
  // and the answer must still open the room (the time limit ends the wait in any case).
  const stop = useRef<() => void>(() => undefined);
  return {
    waiting,
    error,
    setError,
    start(requestId, send) {
      stop.current();
      const timer = setTimeout(() => {
        stop.current();
        setWaiting(null);
        setError("No answer from the server. Try again.");
      }, ANSWER_MS);
      const off = onSettle((id, err) => {
        if (id !== requestId) return false;
        stop.current();
        setWaiting(null);
        if (err === null) {
          setError(null);
          latest.current.done();
        } else setError(latest.current.words(err));
        return true;
      });
      stop.current = () => {
        clearTimeout(timer);
        off();
        stop.current = () => undefined;
      };
      if (!send()) {
        stop.current();
        setError("Not connected. Try again in a moment.");
        return false;
      }
      setError(null);
      setWaiting(requestId);
      return true;
    },
  };
}

/** Opens `dialog` modally while `open`, closes it otherwise. */
export function useModal(dialog: { current: HTMLDialogElement | null }, open: boolean): void {
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
}
