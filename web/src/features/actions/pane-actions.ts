// The chat pane's implementation of the message actions (features/actions/api.ts) for a 1:1 conversation:
// reply and edit go through the composer (features/chat/sender.ts), delete and react are frames to the object,
// copy uses the clipboard, and "show the original" scrolls to a message, or opens the page around it.
import { signal, type ReadonlySignal } from "@preact/signals";
import type { ChatMessage, ClientFrame } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import { displayName } from "../../core/selectors.ts";
import type { AppState } from "../../core/state.ts";
import type { ChatCrypto } from "../chat/crypto.ts";
import type { Sender } from "../chat/sender.ts";
import type { ActionsApi } from "./api.ts";
import { plainTextOf } from "./text.ts";

const HIGHLIGHT_MS = 2_000;

export interface PaneActionsDeps {
  self: string;
  peer(): string | null;
  peekState(): AppState;
  send(frame: ClientFrame): boolean;
  sender: Sender;
  crypto: ChatCrypto;
  /** Opens the conversation at a message that is not loaded (the page around it). */
  openAt(peer: string, key: string): void;
  focusComposer(): void;
}

export interface PaneActions extends ActionsApi {
  /** "Copied", or an error of an action, for a polite live region (null: nothing to say). */
  readonly status: ReadonlySignal<string | null>;
}

function articleOf(key: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`.log [data-key="${CSS.escape(key)}"] article`);
}

/** Scrolls a loaded message into view, highlights it briefly and gives it the focus (for keyboard users). */
function highlight(el: HTMLElement): void {
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  el.scrollIntoView({ block: "center", behavior: reduced ? "auto" : "smooth" });
  el.classList.add("bubble-highlight");
  el.focus({ preventScroll: true });
  setTimeout(() => el.classList.remove("bubble-highlight"), HIGHLIGHT_MS);
}

export function paneActions(deps: PaneActionsDeps): PaneActions {
  const status = signal<string | null>(null);
  let statusTimer: ReturnType<typeof setTimeout> | null = null;
  const say = (text: string) => {
    status.value = text;
    if (statusTimer !== null) clearTimeout(statusTimer);
    statusTimer = setTimeout(() => (status.value = null), 4_000);
  };
  const frame = (build: (peer: string, requestId: string) => ClientFrame) => {
    const peer = deps.peer();
    if (peer === null) return;
    if (!deps.send(build(peer, newRequestId()))) say("Not connected: try again in a moment.");
  };
  const textOf = (m: ChatMessage) => plainTextOf(m, (key) => deps.crypto.plaintext(key));

  return {
    self: deps.self,
    status,
    nameOf: (jid) => displayName(deps.peekState(), jid),
    reply(m) {
      const peer = deps.peer();
      if (peer === null) return;
      deps.sender.replyTo(peer, m, textOf(m));
      deps.focusComposer();
    },
    edit(m) {
      const peer = deps.peer();
      const text = textOf(m);
      if (peer === null || text === null || m.direction !== "out") return;
      deps.sender.edit(peer, m, text);
      deps.focusComposer();
    },
    remove(m) {
      frame((peer, requestId) => ({ type: "message.retract", requestId, peer, key: m.key }));
    },
    canModerate(m) {
      const peer = deps.peer();
      const room = peer === null ? undefined : deps.peekState().rooms.get(peer);
      return room?.role === "moderator" && m.from !== undefined && m.direction === "in";
    },
    moderate(m) {
      frame((peer, requestId) => ({ type: "message.moderate", requestId, peer, key: m.key }));
    },
    react(m, emojis) {
      frame((peer, requestId) => ({ type: "message.react", requestId, peer, key: m.key, emojis }));
    },
    copy(m) {
      const text = textOf(m);
      if (text === null) return;
      navigator.clipboard.writeText(text).then(
        () => say("Copied"),
        () => say("Could not copy: the browser refused access to the clipboard."),
      );
    },
    jumpTo(key) {
      const peer = deps.peer();
      if (peer === null) return;
      const el = articleOf(key);
      // Not loaded: the page around it replaces the log (as for a search result), which then shows it. Not mounted
      // yet, or the log still mounting older messages above it (aria-busy, issue #7 §7): the log shows it when it
      // can, and keeps it in place as the rest is mounted.
      if (el && el.closest(".log")?.getAttribute("aria-busy") !== "true") highlight(el);
      else deps.openAt(peer, key);
    },
  };
}
