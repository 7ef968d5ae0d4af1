// The log of one conversation as a flat, keyed list (issue #7 §2): a day separator before the first message of each
// day, each message marked when it continues its sender's group, and the device-change notices between the
// messages by time (a notice after a message of the same millisecond). Pure: the chat timeline renders it.
import { closeInGroup, dayOf } from "./days.ts";

export interface TimelineMessage {
  readonly key: string;
  readonly ts: number;
  readonly direction: "in" | "out";
  /** A group chat message's sender (grouping is per participant there). */
  readonly from?: { readonly nick: string; readonly occupantId?: string | undefined } | undefined;
}

export interface TimelineNotice {
  readonly id: string;
  readonly ts: number;
}

export type TimelineItem<M extends TimelineMessage, N extends TimelineNotice> =
  | { readonly kind: "day"; readonly key: string; readonly ts: number }
  | { readonly kind: "message"; readonly key: string; readonly message: M; readonly continued: boolean }
  | { readonly kind: "notice"; readonly key: string; readonly notice: N };

/** `messages` and `notices` oldest first. Keys are stable across renders (the list is keyed by them). */
export function timelineItems<M extends TimelineMessage, N extends TimelineNotice>(
  messages: readonly M[],
  notices: readonly N[],
): TimelineItem<M, N>[] {
  const out: TimelineItem<M, N>[] = [];
  let next = 0;
  const noticesBefore = (ts: number): void => {
    for (; next < notices.length; next++) {
      const n = notices[next];
      if (!n || n.ts >= ts) break;
      out.push({ kind: "notice", key: `n:${n.id}`, notice: n });
    }
  };
  // The day of each message from the bounds of the previous one's: the log renders this for every message of a
  // long log on every change, and a Date per message cost more than the rest (bench/render.mjs, issue #7 §7).
  let day: ReturnType<typeof dayOf> | null = null;
  messages.forEach((m, j) => {
    noticesBefore(m.ts);
    const prev = messages[j - 1];
    const sameDay = day !== null && m.ts >= day.start && m.ts < day.end;
    if (!sameDay || day === null) {
      day = dayOf(m.ts);
      out.push({ kind: "day", key: `d:${day.key}`, ts: m.ts });
    }
    // Consecutive messages of one sender are one group (Signal, Conversations): tighter, no repeated header.
    const continued = prev !== undefined && sameDay && closeInGroup(prev, m);
    out.push({ kind: "message", key: `m:${m.key}`, message: m, continued });
  });
  noticesBefore(Number.POSITIVE_INFINITY);
  return out;
}
