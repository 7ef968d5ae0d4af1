// Read tracking in the log of the open conversation (issue #7 §3): which incoming messages are on screen (an
// IntersectionObserver on the log's items), whether anybody looks at the tab (visibilityState and focus), and,
// READ_DEBOUNCE_MS after the last change, one `conversation.read` for the newest message really seen
// (features/read/decide.ts decides). Never from a hidden tab, never backwards.
import { readTarget, type ReadableMessage } from "./decide.ts";
import type { Conversation } from "../../../../src/protocol/index.ts";

/** Scrolling through a log fires many changes; the position is reported once things settle. */
export const READ_DEBOUNCE_MS = 500;
/** A message counts as seen when this share of it (or of the log's height, for a tall one) is on screen. */
const SEEN_SHARE = 0.5;

export interface ReadTrackerOptions {
  /** Reports the read position (session.markRead); false when it could not be sent (tried again later). */
  markRead(key: string, ts: number): boolean;
}

export class ReadTracker {
  readonly #markRead: (key: string, ts: number) => boolean;
  readonly #onScreen = new Set<string>();
  readonly #observed = new WeakSet<Element>();
  #observer: IntersectionObserver | null = null;
  #root: HTMLElement | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #messages: readonly ReadableMessage[] = [];
  #conversation: Pick<Conversation, "readTs" | "unread"> | undefined;
  #sentTs = 0;

  constructor(opts: ReadTrackerOptions) {
    this.#markRead = opts.markRead;
  }

  /** Starts watching `root` (the log); returns the function that stops it. */
  attach(root: HTMLElement): () => void {
    this.#root = root;
    this.#observer = new IntersectionObserver((entries) => this.#onIntersect(entries), {
      root,
      threshold: [0, 0.25, 0.5, 0.75, 1],
    });
    this.#observeNew();
    document.addEventListener("visibilitychange", this.#schedule);
    window.addEventListener("focus", this.#schedule);
    return () => {
      this.#observer?.disconnect();
      this.#observer = null;
      this.#root = null;
      document.removeEventListener("visibilitychange", this.#schedule);
      window.removeEventListener("focus", this.#schedule);
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
    };
  }

  /** After each render of the log: the messages and the object's read position as they are now. */
  update(messages: readonly ReadableMessage[], conversation: Pick<Conversation, "readTs" | "unread"> | undefined) {
    this.#messages = messages;
    this.#conversation = conversation;
    this.#observeNew();
    this.#schedule();
  }

  #observeNew(): void {
    const observer = this.#observer;
    if (!observer || !this.#root) return;
    for (const el of this.#root.querySelectorAll("li.msg-in[data-key]")) {
      if (this.#observed.has(el)) continue;
      this.#observed.add(el);
      observer.observe(el);
    }
  }

  #onIntersect(entries: readonly IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const key = entry.target instanceof HTMLElement ? entry.target.dataset.key : undefined;
      if (key === undefined) continue;
      const rootHeight = entry.rootBounds?.height ?? 0;
      const seen =
        entry.isIntersecting &&
        (entry.intersectionRatio >= SEEN_SHARE ||
          (rootHeight > 0 && entry.intersectionRect.height >= rootHeight * SEEN_SHARE));
      if (seen) this.#onScreen.add(key);
      else this.#onScreen.delete(key);
    }
    this.#schedule();
  }

  readonly #schedule = (): void => {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#report();
    }, READ_DEBOUNCE_MS);
  };

  #report(): void {
    if (!this.#root) return;
    const target = readTarget({
      // Decided when the timer fires, not when it was set: a tab hidden meanwhile reports nothing.
      attending: document.visibilityState === "visible" && document.hasFocus(),
      onScreen: this.#onScreen,
      messages: this.#messages,
      conversation: this.#conversation,
      sentTs: this.#sentTs,
    });
    if (!target) return;
    if (this.#markRead(target.key, target.ts)) this.#sentTs = target.ts;
  }
}
