// Drafts (issue #7 §4): the composer's unsent text per conversation, kept by the object so that every tab and a
// reload show it. In the object's storage (`draft:<peer>`), bounded in count; a sent message clears its draft.
import type { FeatureContext, FrameHandlers } from "./context.ts";

const PREFIX = "draft:";
/** Conversations with a draft at once; the oldest-written draft gives way to a new one. */
export const MAX_DRAFTS = 200;

export class DraftsFeature {
  /** peer -> text, in write order (oldest first). */
  readonly #drafts = new Map<string, string>();

  constructor(private readonly ctx: FeatureContext) {}

  readonly frames: Pick<FrameHandlers, "draft.set"> = {
    "draft.set": async (_ws, frame) => {
      await this.set(frame.peer, frame.text);
    },
  };

  /** After a restart: the drafts storage holds. */
  async load(): Promise<void> {
    const stored = await this.ctx.storage.list({ prefix: PREFIX });
    for (const [key, value] of stored) if (typeof value === "string") this.#drafts.set(key.slice(PREFIX.length), value);
  }

  list(): { peer: string; text: string }[] {
    return [...this.#drafts].map(([peer, text]) => ({ peer, text }));
  }

  /** Sets (or, with empty text, clears) the draft of `peer` and tells every tab. */
  async set(peer: string, text: string): Promise<void> {
    const had = this.#drafts.get(peer);
    if (text.trim() === "") {
      if (had === undefined) return;
      this.#drafts.delete(peer);
      await this.ctx.storage.delete(PREFIX + peer);
    } else {
      if (had === text) return;
      this.#drafts.delete(peer); // re-inserted last: write order
      this.#drafts.set(peer, text);
      await this.ctx.storage.put(PREFIX + peer, text);
      while (this.#drafts.size > MAX_DRAFTS) {
        const oldest = this.#drafts.keys().next();
        if (oldest.done) break;
        this.#drafts.delete(oldest.value);
        await this.ctx.storage.delete(PREFIX + oldest.value);
      }
    }
    this.ctx.tabs.broadcast({ type: "draft", peer, text: text.trim() === "" ? "" : text });
  }
}
