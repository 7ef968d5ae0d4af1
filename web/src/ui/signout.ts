// "Sign out" asks first: signing out ends the shared XMPP session for every tab and browser of the account, and
// may also delete what this deployment stored for it (issue #6 §12). The device's own OMEMO keys and decrypted
// texts stay in this browser (they are this browser's, not the deployment's).
import { h } from "./dom.ts";

export interface SignOutDialog {
  readonly el: HTMLDialogElement;
  open(): void;
}

export function createSignOutDialog(onConfirm: (deleteHistory: boolean) => void): SignOutDialog {
  const deleteHistory = h("input", { type: "checkbox", id: "signout-delete-history" });
  const confirm = h("button", { type: "submit", class: "primary" }, "Sign out everywhere");
  const cancel = h("button", { type: "button" }, "Cancel");
  const form = h(
    "form",
    { method: "dialog", class: "signout-form" },
    h("h2", { id: "signout-title" }, "Sign out?"),
    h(
      "p",
      { id: "signout-help" },
      "This ends your session in every tab and browser signed in to this account here. Your messages stay on " +
        "your XMPP server.",
    ),
    h(
      "p",
      { class: "check-row" },
      deleteHistory,
      h("label", { for: "signout-delete-history" }, "Also delete my history on this deployment"),
    ),
    h("div", { class: "dialog-actions" }, cancel, confirm),
  );
  const el = h(
    "dialog",
    { class: "signout-dialog", "aria-labelledby": "signout-title", "aria-describedby": "signout-help" },
    form,
  );
  cancel.addEventListener("click", () => el.close());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    el.close();
    onConfirm(deleteHistory.checked);
  });
  return {
    el,
    open() {
      deleteHistory.checked = false;
      el.showModal();
      cancel.focus();
    },
  };
}
