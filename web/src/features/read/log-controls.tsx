// The log's reading controls (issue #7 §2): the "Unread messages" line before the first unread message, and the
// buttons over the log, "Jump to first unread" and "Scroll to bottom" with the count of new messages in text.
import { Icon } from "../../ui/icons.tsx";
import { scrollButtonText } from "./decide.ts";
import { SEPARATOR_CLASS, type LogReading } from "./use-log-reading.ts";
import "./read.css";

export function UnreadSeparator() {
  // tabIndex -1: "Jump to first unread" moves focus here; it is not a tab stop of its own.
  return (
    <li class={SEPARATOR_CLASS} tabIndex={-1}>
      <span>Unread messages</span>
    </li>
  );
}

// The buttons sit in zero-height sticky bars at the top and the end of the log's content, so they float over the
// messages while taking no room. aria-live off: the log is a live region, the buttons are not news.

export function JumpToUnread({ reading }: { reading: LogReading }) {
  return (
    <div class="log-float log-float-top" aria-live="off">
      {reading.showJump && (
        <button type="button" class="log-jump" onClick={reading.jumpToFirstUnread}>
          <Icon name="arrow-up" />
          Jump to first unread
        </button>
      )}
    </div>
  );
}

export function ScrollToBottom({ reading }: { reading: LogReading }) {
  const text = scrollButtonText(reading.newCount);
  return (
    <div class="log-float log-float-bottom" aria-live="off">
      {reading.showScrollDown && (
        // Named by aria-label: the visible count ("3 new messages") is part of that name (WCAG 2.5.3).
        <button
          type="button"
          class={reading.newCount > 0 ? "log-bottom has-new" : "log-bottom"}
          aria-label={text.label}
          onClick={reading.scrollToBottom}
        >
          <Icon name="arrow-down" />
          {text.count && <span class="log-bottom-count">{text.count}</span>}
        </button>
      )}
    </div>
  );
}
