// Entry point: decide between the sign-in page and the app.
import "./styles.css";
import { render } from "preact";
import { fetchMe } from "./core/api.ts";
import { APP_NAME } from "./core/selectors.ts";
import { Login } from "./features/session/login.tsx";
import { Session } from "./features/session/session.ts";
import { App } from "./ui/app.tsx";

function mount(): HTMLElement {
  const existing = document.getElementById("app");
  if (existing) return existing;
  const el = document.createElement("div");
  el.id = "app";
  document.body.appendChild(el);
  return el;
}

const root = mount();

function showLogin(address?: string, error?: string | null): void {
  document.title = APP_NAME;
  // A new key for every sign-in page, so a second sign-out starts from a fresh form.
  render(<Login key={Date.now()} address={address} error={error} onSignedIn={showApp} />, root);
}

function showApp(jid: string): void {
  const session = new Session(jid, (message) => showLogin(jid, message));
  render(<App key={jid + Date.now()} session={session} />, root);
}

async function boot(): Promise<void> {
  const me = await fetchMe();
  if (me.kind === "ok") showApp(me.jid);
  else showLogin(undefined, me.kind === "error" ? me.message : null);
}

// The boot text ("Loading Parley…") goes once the first screen renders.
root.replaceChildren();
void boot();
