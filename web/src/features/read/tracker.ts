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
  /** The observed items by message key (only incoming messages after the read position, see #observeNew). */
  readonly #observed = new Map<string, { el: Element; ts: number }>();
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
      this.#observed.clear();
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

  /**
   * Observes the incoming messages after the read position (the object's, or what this tab sent) and stops
   * observing those at or before it: readTarget never reports one of them, and an IntersectionObserver over every
   * message of a long log cost most of each frame (bench/render.mjs: 1,000 messages, issue #7 §7).
   */
  #observeNew(): void {
    const observer = this.#observer;
    const root = this.#root;
    if (!observer || !root) return;
    const floor = Math.max(this.#conversation?.readTs ?? 0, this.#sentTs);
    for (const [key, seen] of this.#observed) {
      if (seen.ts > floor && seen.el.isConnected) continue;
      observer.unobserve(seen.el);
      this.#observed.delete(key);
      this.#onScreen.delete(key);
    }
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const m = this.#messages[i];
      if (!m || m.ts <= floor) break;
      if (m.direction !== "in" || this.#observed.has(m.key)) continue;
      const el = root.querySelector(`li.msg-in[data-key="${CSS.escape(m.key)}"]`);
      if (!el) continue;
      this.#observed.set(m.key, { el, ts: m.ts });
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
    if (this.#markRead(target.key, target.ts)) {
      this.#sentTs = target.ts;
      this.#observeNew();
    }
  }
}
