// Drafts from this tab to the object (issue #7 §4): an edit goes out DRAFT_DELAY_MS after the typing stops, or at
// once when the user leaves the conversation. In an encrypted conversation nothing goes out (the server only ever
// sees ciphertext), and a draft the object kept from when it was in clear is cleared. No DOM here.
import type { ClientFrame } from "../../../../src/protocol/index.ts";

/** A draft goes to the object this long after the last keystroke. */
export const DRAFT_DELAY_MS = 800;

export interface DraftSyncOptions {
  send(frame: ClientFrame): boolean;
  /** True when messages to `peer` go out in clear (only then may the server keep the draft). */
  inClear(peer: string): boolean;
  /** The draft the object has for `peer` (from the app state), if any. */
  known(peer: string): string | undefined;
}

export class DraftSync {
  readonly #opts: DraftSyncOptions;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #peer: string | null = null;
  #text = "";

  constructor(opts: DraftSyncOptions) {
    this.#opts = opts;
  }

  /** An edit waits to go out (the composer must not be overwritten by other tabs' drafts meanwhile). */
  get waiting(): boolean {
    return this.#peer !== null;
  }

  /** The composer of `peer` now holds `text`. */
  edited(peer: string, text: string): void {
    if (this.#peer !== null && this.#peer !== peer) this.flush();
    this.#peer = peer;
    this.#text = text;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.flush(), DRAFT_DELAY_MS);
  }

  /**
   * A message of `peer` went out: its waiting edit is the text just sent (the object clears the draft on a send),
   * so it must not reach the object after the send and bring the sent text back as a draft.
   */
  sent(peer: string): void {
    if (this.#peer !== peer) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#peer = null;
  }

  /** Sends the waiting edit now. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const peer = this.#peer;
    this.#peer = null;
    if (peer === null) return;
    const known = this.#opts.known(peer);
    if (!this.#opts.inClear(peer)) {
      if (known !== undefined) this.#opts.send({ type: "draft.set", peer, text: "" });
      return;
    }
    if ((known ?? "") !== this.#text) this.#opts.send({ type: "draft.set", peer, text: this.#text });
  }
}
