// The conversation list's order and texts (issue #7 §3, §4). Pure: the object keeps its lists in order of last
// activity (snapshots, paging); the tab shows pinned conversations first, then those with unread messages
// (Movim's rule), then the most recent. Hidden ones stay out of the list until a new message shows them again.
import type { ChatMessage, Conversation } from "../../../src/protocol/index.ts";

/** Whether a conversation climbs for its unread messages: a muted one does not ask for attention. */
function wantsAttention(c: Conversation): boolean {
  return c.unread > 0 && !c.muted;
}

/** Pinned first, then unread (not muted), then newest activity; ties by peer, so the order is stable. */
export function compareConversations(a: Conversation, b: Conversation): number {
  return (
    Number(b.pinned === true) - Number(a.pinned === true) ||
    Number(wantsAttention(b)) - Number(wantsAttention(a)) ||
    b.lastTs - a.lastTs ||
    a.peer.localeCompare(b.peer)
  );
}

/** The list as the tab shows it: hidden conversations left out unless asked for. */
export function orderConversations(
  conversations: Iterable<Conversation>,
  options: { includeHidden?: boolean } = {},
): Conversation[] {
  const shown = [...conversations].filter((c) => options.includeHidden === true || c.hidden !== true);
  return shown.sort(compareConversations);
}

/** The list entry's unread count in words ("3 unread"); "" when there is none. */
export function unreadText(unread: number): string {
  return unread > 0 ? `${Math.floor(unread)} unread` : "";
}

/**
 * What the tab says about one of our messages: "Read" when the contact displayed it or a later one (XEP-0333,
 * their read position), "Delivered" on a XEP-0184 receipt, else null (sent). Incoming messages: null.
 */
export function outgoingStatus(
  message: Pick<ChatMessage, "direction" | "ts" | "receipt">,
  conversation: Pick<Conversation, "peerReadTs"> | undefined,
): "Read" | "Delivered" | null {
  if (message.direction !== "out") return null;
  if (conversation?.peerReadTs !== undefined && message.ts <= conversation.peerReadTs) return "Read";
  return message.receipt === "received" ? "Delivered" : null;
}

/** Whether a message is one of its conversation's unread ones: incoming, after the user's read position. */
export function isUnread(
  message: Pick<ChatMessage, "direction" | "ts">,
  conversation: Conversation | undefined,
): boolean {
  return message.direction === "in" && message.ts > (conversation?.readTs ?? 0) && (conversation?.unread ?? 0) > 0;
}
