// What the tab says about reading (issue #7 §2, §3), without DOM: which message to report as read, where the
// "Unread messages" line goes, and how many messages came while the user was scrolled up. The DOM side
// (features/read/tracker.ts, use-log-reading.ts) feeds it what is on screen and whether the tab is looked at.
import type { ChatMessage, Conversation } from "../../../../src/protocol/index.ts";

export type ReadableMessage = Pick<ChatMessage, "key" | "ts" | "direction" | "encrypted">;

export interface ReadInput {
  /** The tab is visible and focused: XEP-0333 §4 "displayed" means the user has really seen the message. */
  readonly attending: boolean;
  /** Keys of the messages on screen now. */
  readonly onScreen: ReadonlySet<string>;
  /** The conversation's loaded messages, oldest first. */
  readonly messages: readonly ReadableMessage[];
  /** The object's read position (XEP-0490, shared with the user's other clients) and unread count. */
  readonly conversation: Pick<Conversation, "readTs" | "unread"> | undefined;
  /** The newest position this tab already reported: never report one at or before it again. */
  readonly sentTs: number;
}

/** Whether a message counts as unread at all (as the object counts): incoming, with something to show. */
export function countsAsUnread(m: ReadableMessage): boolean {
  return m.direction === "in" && (m.encrypted === undefined || m.encrypted.hasPayload);
}

/**
 * The message to send `conversation.read` for: the newest incoming one on screen, if it is after both the
 * object's read position and what this tab already sent. Null from a tab nobody looks at, or with nothing unread.
 */
export function readTarget(input: ReadInput): { key: string; ts: number } | null {
  const { conversation } = input;
  if (!input.attending || !conversation || conversation.unread <= 0) return null;
  const floor = Math.max(conversation.readTs ?? 0, input.sentTs);
  for (let i = input.messages.length - 1; i >= 0; i--) {
    const m = input.messages[i];
    if (!m || m.ts <= floor) return null;
    if (countsAsUnread(m) && input.onScreen.has(m.key)) return { key: m.key, ts: m.ts };
  }
  return null;
}

/** Where the "Unread messages" line goes when a conversation opens: before its first unread message, if any. */
export function firstUnreadKey(
  messages: readonly ReadableMessage[],
  conversation: Pick<Conversation, "readTs" | "unread"> | undefined,
): string | null {
  if (!conversation || conversation.unread <= 0) return null;
  const readTs = conversation.readTs ?? 0;
  return messages.find((m) => countsAsUnread(m) && m.ts > readTs)?.key ?? null;
}

/** The unread count once the user read up to `ts`, from the loaded messages (the newest page is always loaded). */
export function unreadAfter(messages: readonly ReadableMessage[], ts: number, current: number): number {
  let n = 0;
  for (const m of messages) if (m.ts > ts && countsAsUnread(m)) n++;
  return Math.min(n, current);
}

/** How many incoming messages came after `mark` (the newest message when the user scrolled up); 0 for none. */
export function newMessagesAfter(messages: readonly ReadableMessage[], mark: string | null): number {
  if (mark === null) return 0;
  let i = messages.length - 1;
  let n = 0;
  for (; i >= 0; i--) {
    const m = messages[i];
    if (!m || m.key === mark) break;
    if (countsAsUnread(m)) n++;
  }
  return i < 0 ? 0 : n;
}

/** The scroll-to-bottom button's accessible name: "Scroll to bottom, 3 new messages". */
export function scrollButtonText(count: number): { label: string; count: string } {
  const text = count === 1 ? "1 new message" : count > 1 ? `${count} new messages` : "";
  return { label: text ? `Scroll to bottom, ${text}` : "Scroll to bottom", count: text };
}

/** The log's items with the "Unread messages" line before the message `firstUnread` (none for null). */
export function withUnreadLine<T extends { kind: string; key: string; message?: { key: string } }>(
  items: readonly T[],
  firstUnread: string | null,
): (T | { kind: "unread"; key: "unread" })[] {
  const at = firstUnread === null ? -1 : items.findIndex((i) => i.kind === "message" && i.message?.key === firstUnread);
  if (at < 0) return [...items];
  return [...items.slice(0, at), { kind: "unread", key: "unread" }, ...items.slice(at)];
}
