// The sign-in page.
import { login } from "../core/api.ts";
import { h, showAlert } from "./dom.ts";

export interface LoginOptions {
  address?: string;
  /** An error to show right away (e.g. the server could not be reached). */
  error?: string | null;
  onSignedIn(jid: string): void;
}

export function renderLogin(root: HTMLElement, opts: LoginOptions): void {
  const address = h("input", {
    id: "login-address",
    name: "address",
    type: "text",
    autocomplete: "username",
    autocapitalize: "none",
    spellcheck: "false",
    inputmode: "email",
    placeholder: "you@example.org",
    required: true,
  });
  address.value = opts.address ?? "";
  const password = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const feedback = h("div", { class: "feedback" });
  const form = h(
    "form",
    { class: "login-form", novalidate: true },
    h("h1", { class: "login-title" }, "Parley"),
    h("p", { class: "login-sub" }, "Sign in with your XMPP account."),
    h("div", { class: "field" }, h("label", { for: "login-address" }, "Address"), address),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
    feedback,
    button,
  );

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (button.disabled) return;
    const addr = address.value.trim();
    if (!addr || !password.value) {
      showAlert(feedback, !addr ? "Enter your address (like alice@example.org)." : "Enter your password.");
      (!addr ? address : password).focus();
      return;
    }
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    showAlert(feedback, null);
    void login(addr, password.value).then((result) => {
      if (result.ok) {
        opts.onSignedIn(result.jid);
        return;
      }
      button.disabled = false;
      form.removeAttribute("aria-busy");
      showAlert(feedback, result.error);
      password.focus();
      password.select();
    });
  });

  root.replaceChildren(h("main", { class: "login-page" }, form));
  if (opts.error) showAlert(feedback, opts.error);
  (address.value ? password : address).focus();
}
