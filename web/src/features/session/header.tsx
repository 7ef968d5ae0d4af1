// The top bar: own JID, own presence (show + status message), connection state, sign out.
import { useEffect, useRef } from "preact/hooks";
import { SHOWS, stripXmlIllegal } from "../../../../src/protocol/index.ts";
import type { ClientFrame, Show } from "../../../../src/protocol/index.ts";
import { SHOW_LABELS } from "../../core/format.ts";
import type { AppState } from "../../core/state.ts";

export interface HeaderProps {
  state: AppState;
  /** "" when online. */
  connectionText: string;
  send(frame: ClientFrame): boolean;
  signOut(): void;
}

function isShow(value: string): value is Show {
  return (SHOWS as readonly string[]).includes(value);
}

export function Header({ state, connectionText, send, signOut }: HeaderProps) {
  const select = useRef<HTMLSelectElement>(null);
  const status = useRef<HTMLInputElement>(null);
  // What the object last confirmed (or what we last asked for), to avoid sending the same presence twice.
  const applied = useRef<{ show: Show; status: string }>({ show: "online", status: "" });

  // The fields follow the object's presence (another tab may change it), unless they are being edited.
  useEffect(() => {
    if (!state.ready) return;
    applied.current = { show: state.self.show, status: state.self.status };
    const s = select.current;
    const st = status.current;
    if (s && document.activeElement !== s && s.value !== state.self.show) s.value = state.self.show;
    if (st && document.activeElement !== st && st.value !== state.self.status) st.value = state.self.status;
  }, [state.ready, state.self]);

  const apply = (): void => {
    const value = select.current?.value ?? "online";
    const next = {
      show: isShow(value) ? value : "online",
      status: stripXmlIllegal(status.current?.value ?? "").trim(),
    };
    if (next.show === applied.current.show && next.status === applied.current.status) return;
    if (send({ type: "presence.set", ...next })) applied.current = next;
  };

  return (
    <header class="topbar">
      <div class="topbar-row identity-row">
        <span class="brand" aria-hidden="true">
          Parley
        </span>
        <span class="self-jid" title="Signed in as">
          {state.self.jid}
        </span>
        <span role="status" class={connectionText !== "" ? "conn-status conn-bad" : "conn-status"} aria-live="polite">
          {connectionText}
        </span>
      </div>
      <div class="topbar-row presence-row">
        <label for="presence-show" class="inline-label">
          Presence
        </label>
        <select ref={select} id="presence-show" class="presence-select" onChange={apply}>
          {SHOWS.map((s) => (
            <option key={s} value={s}>
              {SHOW_LABELS[s]}
            </option>
          ))}
        </select>
        <label for="presence-status" class="inline-label">
          Status message
        </label>
        <input
          ref={status}
          id="presence-status"
          type="text"
          class="status-input"
          maxLength={1024}
          placeholder="What’s up?"
          autocomplete="off"
          onChange={apply}
          onKeyDown={(ev) => {
            if (ev.key === "Enter" && !ev.isComposing) {
              ev.preventDefault();
              apply();
            } else if (ev.key === "Escape") {
              ev.currentTarget.value = applied.current.status;
            }
          }}
        />
      </div>
      <button type="button" class="signout" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}
