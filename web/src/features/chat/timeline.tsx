// The message log of the open conversation: messages, day separators and device-change notices as one keyed list
// (features/timeline/items.ts), so a new message adds one element and renders that message alone. Scrolling: the
// log sticks to the bottom for new messages (always for one's own), keeps its place when an older page is
// prepended, and asks for the older page when scrolled near the top.
import { useLayoutEffect, useRef } from "preact/hooks";
import type { ChatMessage, Conversation } from "../../../../src/protocol/index.ts";
import type { DeviceNotice } from "../../core/e2ee.ts";
import { Notice } from "../omemo/notice.tsx";
import { withUnreadLine } from "../read/decide.ts";
import { JumpToUnread, ScrollToBottom, UnreadSeparator } from "../read/log-controls.tsx";
import { useLogReading } from "../read/use-log-reading.ts";
import { DaySeparator } from "../timeline/day-separator.tsx";
import { timelineItems } from "../timeline/items.ts";
import type { ChatCrypto } from "./crypto.ts";
import { Message } from "./message.tsx";
import { outgoingStatus } from "../../core/conversation-order.ts";
import { memo, shallowEqual } from "../../ui/memo.ts";

/** Within this many pixels of the top of the log, the next older page is requested. */
const TOP_THRESHOLD = 48;
const BOTTOM_STICKY = 64;

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
}

interface Rendered {
  first: string | undefined;
  last: string | undefined;
  /** Measured before the DOM changes: distance from the bottom, and whether the user was at the bottom. */
  fromBottom: number;
  atBottom: boolean;
}

/** The notices within the loaded part of the history (all of them once the history is complete). */
function visibleNotices(all: readonly DeviceNotice[], messages: readonly ChatMessage[], complete: boolean) {
  const first = messages[0]?.ts;
  return all.filter((n) => complete || first === undefined || n.ts >= first);
}

function TimelineView(props: TimelineProps) {
  const { peer, messages, crypto } = props;
  const log = useRef<HTMLDivElement>(null);
  const shown = useRef<Rendered | null>(null);
  // Issue #7 §2, §3: read tracking, the "Unread messages" line and the buttons over the log (features/read).
  const reading = useLogReading(log, {
    messages,
    conversation: props.conversation,
    markRead: (key, ts) => props.markRead(peer, key, ts),
  });
  // Measure now, while the DOM still shows the previous render (the layout effect below runs after the change).
  const el = log.current;
  const before = el
    ? {
        fromBottom: el.scrollHeight - el.scrollTop,
        atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_STICKY,
      }
    : { fromBottom: 0, atBottom: true };
  const first = messages[0]?.key;
  const last = messages.at(-1);

  useLayoutEffect(() => {
    const node = log.current;
    const prev = shown.current;
    shown.current = { first, last: last?.key, ...before };
    if (!node) return;
    if (
      !prev ||
      prev.last === undefined ||
      (last?.key !== prev.last && (before.atBottom || last?.direction === "out"))
    ) {
      node.scrollTop = node.scrollHeight;
    } else if (first !== prev.first) {
      // Older page prepended: keep what the user was looking at in place.
      node.scrollTop = node.scrollHeight - before.fromBottom;
    } else if (before.atBottom) {
      // A message was decrypted (its text replaced a placeholder): stay at the bottom.
      node.scrollTop = node.scrollHeight;
    }
  });

  const since = crypto.omemoSince(peer);
  const notices = visibleNotices(crypto.notices(peer), messages, props.complete);
  return (
    <div
      ref={log}
      class="log"
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
      onScroll={(ev) => {
        if (ev.currentTarget.scrollTop <= TOP_THRESHOLD) props.loadOlder(peer);
        reading.onScroll();
      }}
    >
      <JumpToUnread reading={reading} />
      <ol class="log-list">
        {withUnreadLine(timelineItems(messages, notices), reading.firstUnread).map((item) => {
          switch (item.kind) {
            case "unread":
              return <UnreadSeparator key={item.key} />;
            case "day":
              return <DaySeparator key={item.key} ts={item.ts} />;
            case "notice":
              return (
                <Notice key={item.key} notice={item.notice} name={props.name} own={item.notice.jid === props.ownJid} />
              );
            case "message": {
              const m = item.message;
              return (
                <Message
                  key={item.key}
                  m={m}
                  plain={m.encrypted ? crypto.plaintext(m.key) : undefined}
                  editPlain={m.edit?.encrypted ? crypto.plaintext(m.edit.key) : undefined}
                  quotePlain={m.replyTo?.key ? crypto.plaintext(m.replyTo.key) : undefined}
                  sec={m.encrypted ? crypto.security(m.key, m.peer, m.direction) : null}
                  clear={!m.encrypted && since !== null && m.ts >= since}
                  continued={item.continued}
                  status={outgoingStatus(m, props.conversation)}
                  peer={peer}
                  name={props.name}
                />
              );
            }
          }
        })}
      </ol>
      <ScrollToBottom reading={reading} />
    </div>
  );
}

/**
 * Rendered again only when one of its props changed (messages, crypto version, name): the scroll position is
 * adjusted after each of those renders, never on unrelated ones (typing in the header, the composer).
 */
export const Timeline = memo(TimelineView, shallowEqual);
