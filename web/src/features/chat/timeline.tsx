// The message log of the open conversation: messages, day separators and device-change notices as one keyed list
// (features/timeline/items.ts), so a new message adds one element and renders that message alone. Scrolling: the
// log sticks to the bottom for new messages (always for one's own), keeps its place when an older page is
// prepended, and asks for the older page when scrolled near the top. A window opened at a search result (issue #7
// §5) does not reach the newest message: it asks for the newer page near the bottom instead of sticking to it, and
// the message it was opened at is scrolled to, highlighted for a moment and focused. A long log is mounted in stages
// (features/timeline/use-staged-mount.ts, issue #7 §7): the newest messages first, older ones one chunk per task,
// the view kept in place as they are added above; a message asked for (a search result, a reply's original, the
// first unread) is shown once its chunk is mounted.
import type { RoomEvent } from "../rooms/membership.ts";
import { useLayoutEffect, useRef } from "preact/hooks";
import type { ChatMessage, Conversation } from "../../../../src/protocol/index.ts";
import type { DeviceNotice } from "../../core/e2ee.ts";
import { withUnreadLine } from "../read/decide.ts";
import { JumpToUnread, ScrollToBottom } from "../read/log-controls.tsx";
import { useLogReading } from "../read/use-log-reading.ts";
import { dayKey } from "../timeline/days.ts";
import { timelineItems } from "../timeline/items.ts";
import { blocksOf } from "../timeline/stages.ts";
import { useStagedMount } from "../timeline/use-staged-mount.ts";
import type { ChatCrypto } from "./crypto.ts";
import { LogBlock, type LogRow } from "./log-block.tsx";
import { useStickToBottom } from "./stick-to-bottom.ts";
import type { MessageProps } from "./message.tsx";
import { quotedPlain } from "../actions/text.ts";
import { outgoingStatus } from "../../core/conversation-order.ts";
import { readByText } from "../rooms/read-by.ts";
import { mentions } from "../rooms/mentions.ts";
import { memo, shallowEqual } from "../../ui/memo.ts";

/** Within this many pixels of the top of the log, the next older page is requested. */
const TOP_THRESHOLD = 48;
const BOTTOM_STICKY = 64;
/** Within this many pixels of the bottom of a window that stops short of the newest, the newer page is asked. */
const BOTTOM_THRESHOLD = 48;
/** How long a found message stays highlighted (styles.css: .msg-found). */
const FOUND_MS = 2500;

export interface TimelineProps {
  peer: string;
  /** The contact as shown (in notices). */
  name: string;
  ownJid: string;
  messages: readonly ChatMessage[];
  /** The whole history is loaded (every notice is shown, not only those within the loaded part). */
  complete: boolean;
  crypto: ChatCrypto;
  /** Changes whenever what `crypto` returns changes (so the log renders again). */
  cryptoVersion: number;
  loadOlder(peer: string): void;
  /** The conversation's list entry (its read position and unread count come from the object). */
  conversation: Conversation | undefined;
  /** Reports reading up to `key` (features/read); false when it could not be sent. */
  markRead(peer: string, key: string, ts: number): boolean;
  /** The loaded messages stop short of the newest (a window around a search result). */
  hasNewer: boolean;
  loadNewer(peer: string): void;
  /** The message to scroll to, highlight and focus once (a chosen search result), if any. */
  target: { key: string; seq: number } | null;
  /** A group chat's read positions per participant ("Read by" under the user's messages). */
  reads?: readonly { nick: string; ts: number }[] | undefined;
  /** In a group chat: who came and went while this tab was open. */
  events?: readonly RoomEvent[] | undefined;
  /** In a room: the user's nickname there (messages naming it are highlighted). */
  ownNick?: string | undefined;
}

interface Rendered {
  first: string | undefined;
  last: string | undefined;
  /** Measured before the DOM changes: distance from the bottom, and whether the user was at the bottom. */
  fromBottom: number;
  atBottom: boolean;
  /** The log stopped short of the newest message: appended messages are a newer page, not new ones. */
  hasNewer: boolean;
}

/** The notices within the loaded part of the history (all of them once the history is complete). */
function visibleNotices<N extends { readonly ts: number }>(
  all: readonly N[],
  messages: readonly ChatMessage[],
  complete: boolean,
): N[] {
  const first = messages[0]?.ts;
  return all.filter((n) => complete || first === undefined || n.ts >= first);
}

function TimelineView(props: TimelineProps) {
  const { peer, messages, crypto } = props;
  const log = useRef<HTMLDivElement>(null);
  const shown = useRef<Rendered | null>(null);
  // Issue #7 §7: the messages from `staged.from` on are mounted; the older ones come in the next tasks.
  const staged = useStagedMount(messages);
  const mounted = staged.from === 0 ? messages : messages.slice(staged.from);
  const stick = useStickToBottom(log, BOTTOM_STICKY);
  // Issue #7 §2, §3: read tracking, the "Unread messages" line and the buttons over the log (features/read).
  const reading = useLogReading(log, {
    messages,
    mountedFrom: staged.from,
    reveal: staged.reveal,
    jumped: () => {
      if (log.current) stick.placed(log.current, false);
    },
    conversation: props.conversation,
    markRead: (key, ts) => props.markRead(peer, key, ts),
  });
  const found = useRef<number | null>(null);
  // Measure now, while the DOM still shows the previous render (the layout effect below runs after the change).
  const el = log.current;
  const before = el
    ? {
        fromBottom: el.scrollHeight - el.scrollTop,
        atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_STICKY,
        top: el.scrollTop,
      }
    : { fromBottom: 0, atBottom: true, top: 0 };
  const first = mounted[0]?.key;
  const last = messages.at(-1);

  useLayoutEffect(() => {
    const node = log.current;
    const prev = shown.current;
    shown.current = { first, last: last?.key, ...before, hasNewer: props.hasNewer };
    if (node) placeScroll(node, prev);
    staged.committed();
  });
  const placeScroll = (node: HTMLElement, prev: Rendered | null): void => {
    const target = props.target;
    if (target && found.current !== target.seq && mounted.some((m) => m.key === target.key)) {
      found.current = target.seq;
      // While older chunks are still mounted above, a smooth scroll would end where the message was before them.
      showFound(node, target.key, staged.from === 0);
      stick.placed(node, false);
      return;
    }
    // At the bottom, or pinned there (a block below may have just taken its real height, measured in this render).
    const pinned = stick.pinnedAt(before.top);
    const atBottom = before.atBottom || pinned;
    if (
      !prev ||
      prev.last === undefined ||
      (last?.key !== prev.last && !prev.hasNewer && (atBottom || last?.direction === "out"))
    ) {
      node.scrollTop = node.scrollHeight;
      stick.placed(node, true);
    } else if (first !== prev.first && pinned) {
      // Older messages mounted above a log pinned at the bottom: it stays there.
      node.scrollTop = node.scrollHeight;
      stick.placed(node, true);
    } else if (first !== prev.first) {
      // Older messages mounted above (a chunk, an older page): keep what the user was looking at in place. The
      // browser's scroll anchoring may have done it already: then it is left alone.
      const top = node.scrollHeight - before.fromBottom;
      if (Math.abs(node.scrollTop - top) > 1) node.scrollTop = top;
    } else if (atBottom) {
      // A message was decrypted (its text replaced a placeholder): stay at the bottom.
      node.scrollTop = node.scrollHeight;
      stick.placed(node, true);
    }
  };

  // Reply targets among the loaded messages (a quote shows its target as it now stands), indexed once if needed.
  let byKey: Map<string, ChatMessage> | null = null;
  const loaded = (): Map<string, ChatMessage> => (byKey ??= new Map(messages.map((m) => [m.key, m])));
  const plainOf = (key: string) => crypto.plaintext(key);
  const since = crypto.omemoSince(peer);
  // Notices within the mounted part (before its oldest message only when that is the oldest of all).
  // Device notices and, in a group chat, who came and went (features/rooms/membership.ts), by time.
  const all: (DeviceNotice | RoomEvent)[] =
    props.events && props.events.length > 0
      ? [...crypto.notices(peer), ...props.events].sort((a, b) => a.ts - b.ts)
      : [...crypto.notices(peer)];
  const notices = visibleNotices(all, mounted, props.complete && staged.from === 0);
  // What every row shows (cheap to compute for all; the blocks compare it and render only those that changed).
  const rows = withUnreadLine(timelineItems(mounted, notices), reading.firstUnread).map((item): LogRow => {
    switch (item.kind) {
      case "unread":
      case "day":
        return item;
      case "notice": {
        const n = item.notice;
        if ("text" in n) return { kind: "event", key: item.key, event: n };
        return { kind: "notice", key: item.key, notice: n, name: props.name, own: n.jid === props.ownJid };
      }
      case "message": {
        const m = item.message;
        const view: MessageProps = {
          m,
          plain: m.encrypted ? crypto.plaintext(m.key) : undefined,
          editPlain: m.edit?.encrypted ? crypto.plaintext(m.edit.key) : undefined,
          quotePlain: m.replyTo?.key
            ? quotedPlain(loaded().get(m.replyTo.key), m.replyTo.key, plainOf, m.replyTo.fallback)
            : undefined,
          sec: m.encrypted ? crypto.security(m.key, m.from?.jid ?? m.peer, m.direction) : null,
          clear: !m.encrypted && since !== null && m.ts >= since,
          continued: item.continued,
          status: outgoingStatus(m, props.conversation),
          mention:
            props.ownNick !== undefined && m.direction === "in" && m.from !== undefined && !m.retracted
              ? mentions(m.body, props.ownNick)
              : false,
          readBy: props.reads && m.direction === "out" && !m.retracted ? readByText(props.reads, m.ts) : null,
          peer,
          name: props.name,
        };
        return { kind: "message", key: item.key, props: view };
      }
    }
  });
  const today = dayKey(Date.now());
  return (
    <div
      ref={log}
      class="log"
      role="log"
      aria-label="Messages"
      aria-live="polite"
      // Older messages being mounted are not news (issue #7 §7).
      aria-busy={staged.from > 0}
      tabIndex={0}
      onScroll={(ev) => {
        const node = ev.currentTarget;
        // Loaded messages still to mount come first (they are being mounted), then the server's older page.
        if (node.scrollTop <= TOP_THRESHOLD && staged.from === 0) props.loadOlder(peer);
        if (props.hasNewer && node.scrollHeight - node.scrollTop - node.clientHeight <= BOTTOM_THRESHOLD) {
          props.loadNewer(peer);
        }
        stick.onScroll(node);
        reading.onScroll();
      }}
    >
      <JumpToUnread reading={reading} />
      <div class="log-list">
        {blocksOf(rows, rowMessage, staged.starts).map((block) => (
          <LogBlock key={block.key} rows={block.items} today={today} />
        ))}
      </div>
      <ScrollToBottom reading={reading} />
    </div>
  );
}

function rowMessage(row: LogRow): string | null {
  return row.kind === "message" ? row.props.m.key : null;
}

/** Scrolls the message `key` into the middle of the log, highlights it for a moment and focuses it. */
function showFound(log: HTMLElement, key: string, mayGlide: boolean): void {
  const item = [...log.querySelectorAll<HTMLElement>("li[data-key]")].find((li) => li.dataset.key === key);
  if (!item) return;
  const smooth = mayGlide && !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  item.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
  item.classList.add("msg-found");
  setTimeout(() => item.classList.remove("msg-found"), FOUND_MS);
  // Keyboard and screen reader users land on the message itself (its article holds its text).
  const article = item.querySelector<HTMLElement>("article") ?? item;
  article.tabIndex = -1;
  article.focus({ preventScroll: true });
}

/**
 * Rendered again only when one of its props changed (messages, crypto version, name): the scroll position is
 * adjusted after each of those renders, never on unrelated ones (typing in the header, the composer).
 */
export const Timeline = memo(TimelineView, shallowEqual);
