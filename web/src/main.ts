// Entry point: decide between the sign-in page and the app.
import "./styles.css";
import { fetchMe } from "./core/api.ts";
import { APP_NAME } from "./core/selectors.ts";
import { startApp } from "./ui/app.ts";
import { h } from "./ui/dom.ts";
import { renderLogin } from "./ui/login.ts";

function mount(): HTMLElement {
  const existing = document.getElementById("app");
  if (existing) return existing;
  const el = h("div", { id: "app" });
  document.body.appendChild(el);
  return el;
}

const root = mount();

function showLogin(address?: string, error?: string | null): void {
  document.title = APP_NAME;
  renderLogin(root, { address, error, onSignedIn: showApp });
}

function showApp(jid: string): void {
  startApp(root, jid, { onSignedOut: (message) => showLogin(jid, message) });
}

async function boot(): Promise<void> {
  const me = await fetchMe();
  if (me.kind === "ok") showApp(me.jid);
  else showLogin(undefined, me.kind === "error" ? me.message : null);
}

void boot();
