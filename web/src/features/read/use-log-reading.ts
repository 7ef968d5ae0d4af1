// The reading side of the message log (issue #7 §2, §3), as one hook the timeline calls: read tracking
// (features/read/tracker.ts), the "Unread messages" line placed when the conversation opened, and the state of the
// "Jump to first unread" and "Scroll to bottom" buttons (features/read/log-controls.tsx).
import type { RefObject } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Conversation } from "../../../../src/protocol/index.ts";
import { firstUnreadKey, newMessagesAfter, type ReadableMessage } from "./decide.ts";
import { ReadTracker } from "./tracker.ts";

/** As the timeline's own "at the bottom" (it keeps the log there for new messages within this distance). */
const AT_BOTTOM_PX = 64;
export const SEPARATOR_CLASS = "unread-separator";

export interface LogReadingOptions {
  messages: readonly ReadableMessage[];
  /** The index of the oldest mounted message (a long log is mounted in stages, issue #7 §7). */
  mountedFrom: number;
  /** Runs `andThen` once the message `key` is mounted. */
  reveal(key: string, andThen: () => void): void;
  /** The log was scrolled to the unread line (it is no longer at the bottom). */
  jumped(): void;
  conversation: Pick<Conversation, "readTs" | "unread"> | undefined;
  markRead(key: string, ts: number): boolean;
}

export interface LogReading {
  /** The message the "Unread messages" line goes before (decided once, when the conversation opened). */
  firstUnread: string | null;
  /** The line is above what the log shows and was not reached yet: offer to jump to it. */
  showJump: boolean;
  /** The user scrolled up from the bottom. */
  showScrollDown: boolean;
  /** Incoming messages that came while scrolled up. */
  newCount: number;
  onScroll(): void;
  jumpToFirstUnread(): void;
  scrollToBottom(): void;
}

export function useLogReading(log: RefObject<HTMLElement | null>, opts: LogReadingOptions): LogReading {
  const { messages, conversation } = opts;
  const markRead = useRef(opts.markRead);
  markRead.current = opts.markRead;
  const tracker = useMemo(() => new ReadTracker({ markRead: (key, ts) => markRead.current(key, ts) }), []);
  useEffect(() => (log.current ? tracker.attach(log.current) : undefined), []);
  // Also as older messages get mounted: unread ones among them are observed then.
  useEffect(() => tracker.update(messages, conversation), [messages, conversation, opts.mountedFrom]);

  // Placed once: reading moves the object's position on, the line stays where the unread messages began.
  const separator = useRef<{ key: string | null } | null>(null);
  const openedAt = useRef(Date.now());
  if (separator.current === null && messages.length > 0) {
    // Only for messages that came before the conversation was opened: one arriving live while it is open (an empty
    // conversation's first message, say) is being read, not waiting.
    const key = firstUnreadKey(messages, conversation);
    const first = key === null ? undefined : messages.find((m) => m.key === key);
    separator.current = { key: first && first.ts <= openedAt.current ? key : null };
  }
  const firstUnread = separator.current?.key ?? null;
  // The line's message is loaded but not mounted yet: it is above what the log shows.
  const lineWaiting =
    firstUnread !== null && opts.mountedFrom > 0 && messages.findIndex((m) => m.key === firstUnread) < opts.mountedFrom;

  const [atBottom, setAtBottom] = useState(true);
  /** The newest message when the user left the bottom: what came after it is "new". */
  const [mark, setMark] = useState<string | null>(null);
  const [separatorAbove, setSeparatorAbove] = useState(false);
  const [separatorReached, setSeparatorReached] = useState(false);
  const last = messages.at(-1)?.key ?? null;
  const lastRef = useRef(last);
  lastRef.current = last;

  const measure = (): void => {
    const el = log.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;
    setAtBottom(bottom);
    setMark((m) => (bottom ? null : (m ?? lastRef.current)));
    const line = el.querySelector(`.${SEPARATOR_CLASS}`);
    if (!line) return;
    const box = el.getBoundingClientRect();
    const at = line.getBoundingClientRect();
    const above = at.bottom <= box.top;
    setSeparatorAbove(above);
    if (!above && at.top < box.bottom) setSeparatorReached(true);
  };
  // After the timeline placed its scroll position (its layout effect), whenever messages come or more are mounted.
  useEffect(measure, [messages, firstUnread, opts.mountedFrom]);

  return {
    firstUnread,
    showJump: firstUnread !== null && (separatorAbove || lineWaiting) && !separatorReached,
    showScrollDown: !atBottom,
    newCount: newMessagesAfter(messages, mark),
    onScroll: measure,
    jumpToFirstUnread: () => {
      const jump = (): void => {
        const line = log.current?.querySelector<HTMLElement>(`.${SEPARATOR_CLASS}`);
        if (!line) return;
        line.scrollIntoView({ block: "start" });
        opts.jumped();
        // Keyboard and screen reader users land on the line (it is focusable from script only).
        line.focus({ preventScroll: true });
        setSeparatorReached(true);
      };
      // Its message may not be mounted yet (the log is mounted newest first): once it is.
      if (firstUnread !== null) opts.reveal(firstUnread, jump);
    },
    scrollToBottom: () => {
      const el = log.current;
      if (!el) return;
      el.scrollTop = el.scrollHeight;
      // The button goes away: focus stays in the log rather than falling back to the page.
      el.focus({ preventScroll: true });
      measure();
    },
  };
}
