// XEP-0085 from this tab: "composing" while the user types (sent again at most every RESEND_MS), "paused" after
// PAUSE_MS without typing, "active" when the composer is emptied; a sent message itself means "active" (the object
// adds it). Nothing is sent from a hidden tab. No DOM here: the chat pane calls it.
import type { ClientFrame } from "../../../../src/protocol/index.ts";

export const RESEND_MS = 5_000;
export const PAUSE_MS = 5_000;

type State = "active" | "composing" | "paused";

export interface TypingNotifierOptions {
  send(frame: ClientFrame): boolean;
  /** False for a hidden tab (document.visibilityState), which never tells anyone it is typing. */
  visible(): boolean;
  now?: () => number;
}

export class TypingNotifier {
  readonly #opts: TypingNotifierOptions;
  #peer: string | null = null;
  #state: State = "active";
  #sentAt = Number.NEGATIVE_INFINITY;
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: TypingNotifierOptions) {
    this.#opts = opts;
  }

  /** The composer of `peer` changed to `text`. */
  input(peer: string, text: string): void {
    if (this.#peer !== peer) this.leave();
    this.#peer = peer;
    if (text.trim() === "") {
      this.#clearPause();
      if (this.#state !== "active") this.#tell("active");
      return;
    }
    const now = (this.#opts.now ?? Date.now)();
    if (this.#state !== "composing" || now - this.#sentAt >= RESEND_MS) this.#tell("composing");
    this.#clearPause();
    this.#pauseTimer = setTimeout(() => {
      this.#pauseTimer = null;
      if (this.#state === "composing") this.#tell("paused");
    }, PAUSE_MS);
  }

  /** A message went out: the contact's client reads it as "active" (XEP-0085 §5.1). */
  sent(): void {
    this.#clearPause();
    this.#state = "active";
  }

  /** The user left the conversation (another chat, sign-out): a "composing" must not stay up there. */
  leave(): void {
    this.#clearPause();
    if (this.#peer !== null && this.#state === "composing") this.#tell("paused");
    this.#peer = null;
    this.#state = "active";
  }

  #tell(state: State): void {
    const peer = this.#peer;
    if (peer === null || !this.#opts.visible()) return;
    if (this.#opts.send({ type: "chatstate", to: peer, state })) {
      this.#state = state;
      this.#sentAt = (this.#opts.now ?? Date.now)();
    }
  }

  #clearPause(): void {
    if (this.#pauseTimer !== null) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
  }
}
