// The top bar: own JID, own presence (show + status message), connection state, sign out.
import { SHOWS, stripXmlIllegal } from "../../../src/protocol/index.ts";
import type { ClientFrame, Show } from "../../../src/protocol/index.ts";
import { SHOW_LABELS } from "../core/format.ts";
import type { AppState } from "../core/state.ts";
import { h, setText } from "./dom.ts";

export interface HeaderDeps {
  send(frame: ClientFrame): boolean;
  signOut(): void;
}

export interface Header {
  readonly el: HTMLElement;
  update(state: AppState, connectionText: string): void;
}

function isShow(value: string): value is Show {
  return (SHOWS as readonly string[]).includes(value);
}

export function createHeader(deps: HeaderDeps): Header {
  const jid = h("span", { class: "self-jid", title: "Signed in as" });
  const select = h(
    "select",
    { id: "presence-show", class: "presence-select" },
    ...SHOWS.map((s) => h("option", { value: s }, SHOW_LABELS[s])),
  );
  const status = h("input", {
    id: "presence-status",
    type: "text",
    class: "status-input",
    maxlength: 1024,
    placeholder: "What’s up?",
    autocomplete: "off",
  });
  const conn = h("span", { role: "status", class: "conn-status", "aria-live": "polite" });
  const signOut = h("button", { type: "button", class: "signout" }, "Sign out");

  // What the object last confirmed (or what we last asked for), to avoid sending the same presence twice.
  let applied = { show: "online" as Show, status: "" };
  let lastSelf: AppState["self"] | null = null;
  const apply = (): void => {
    const show = isShow(select.value) ? select.value : "online";
    const next = { show, status: stripXmlIllegal(status.value).trim() };
    if (next.show === applied.show && next.status === applied.status) return;
    if (deps.send({ type: "presence.set", ...next })) applied = next;
  };
  select.addEventListener("change", apply);
  status.addEventListener("change", apply);
  status.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.isComposing) {
      ev.preventDefault();
      apply();
    } else if (ev.key === "Escape") {
      status.value = applied.status;
    }
  });
  signOut.addEventListener("click", () => deps.signOut());

  const el = h(
    "header",
    { class: "topbar" },
    h(
      "div",
      { class: "topbar-row identity-row" },
      h("span", { class: "brand", "aria-hidden": "true" }, "Parley"),
      jid,
      conn,
    ),
    h(
      "div",
      { class: "topbar-row presence-row" },
      h("label", { for: "presence-show", class: "inline-label" }, "Presence"),
      select,
      h("label", { for: "presence-status", class: "inline-label" }, "Status message"),
      status,
    ),
    signOut,
  );

  return {
    el,
    update(state, connectionText) {
      setText(jid, state.self.jid);
      setText(conn, connectionText);
      conn.classList.toggle("conn-bad", connectionText !== "");
      if (!state.ready || state.self === lastSelf) return;
      lastSelf = state.self;
      applied = { show: state.self.show, status: state.self.status };
      if (document.activeElement !== select && select.value !== state.self.show) select.value = state.self.show;
      if (document.activeElement !== status && status.value !== state.self.status) status.value = state.self.status;
    },
  };
}
