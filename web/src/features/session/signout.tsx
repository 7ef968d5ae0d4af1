// "Sign out" asks first: signing out ends the shared XMPP session for every tab and browser of the account, and
// may also delete what this deployment stored for it (issue #6 §12). The device's own OMEMO keys and decrypted
// texts stay in this browser (they are this browser's, not the deployment's).
import type { Signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

export interface SignOutDialogProps {
  /** Bumped to open the dialog. */
  open: Signal<number>;
  onConfirm(deleteHistory: boolean): void;
}

export function SignOutDialog({ open, onConfirm }: SignOutDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const deleteHistory = useRef<HTMLInputElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const request = open.value;
  useEffect(() => {
    const el = dialog.current;
    if (request === 0 || !el || el.open) return;
    if (deleteHistory.current) deleteHistory.current.checked = false;
    el.showModal();
    cancel.current?.focus();
  }, [request]);
  return (
    <dialog ref={dialog} class="signout-dialog" aria-labelledby="signout-title" aria-describedby="signout-help">
      <form
        method="dialog"
        class="signout-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          dialog.current?.close();
          onConfirm(deleteHistory.current?.checked ?? false);
        }}
      >
        <h2 id="signout-title">Sign out?</h2>
        <p id="signout-help">
          This ends your session in every tab and browser signed in to this account here. Your messages stay on your
          XMPP server.
        </p>
        <p class="check-row">
          <input ref={deleteHistory} type="checkbox" id="signout-delete-history" />
          <label for="signout-delete-history">Also delete my history on this deployment</label>
        </p>
        <div class="dialog-actions">
          <button ref={cancel} type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Sign out everywhere
          </button>
        </div>
      </form>
    </dialog>
  );
}
