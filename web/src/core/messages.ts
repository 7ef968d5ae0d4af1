// Pure helpers over a peer's message list: dedupe by key, chronological order, receipt upgrades, cursors.
import type { ChatMessage, HistoryCursor } from "../../../src/protocol/index.ts";

const RECEIPT_RANK = { none: 0, sent: 1, received: 2 } as const;

function receiptRank(m: ChatMessage): number {
  return RECEIPT_RANK[m.receipt ?? "none"];
}

/** Two copies of one message (same key): keep the first, but never downgrade its receipt. */
function combine(prev: ChatMessage, next: ChatMessage): ChatMessage {
  return receiptRank(next) > receiptRank(prev) ? { ...prev, receipt: next.receipt } : prev;
}

/**
 * Merges `incoming` into `existing` (sorted oldest first). The same key never appears twice; the result is
 * sorted by timestamp (stable, so equal timestamps keep arrival order). Returns `existing` itself when nothing
 * changed, so callers can compare by reference.
 */
export function mergeMessages(
  existing: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): readonly ChatMessage[] {
  if (incoming.length === 0) return existing;
  const byKey = new Map<string, ChatMessage>();
  for (const m of existing) byKey.set(m.key, m);
  let changed = false;
  let appendOnly = true;
  let lastTs = existing.at(-1)?.ts ?? Number.NEGATIVE_INFINITY;
  for (const m of incoming) {
    const prev = byKey.get(m.key);
    if (prev) {
      const merged = combine(prev, m);
      if (merged !== prev) {
        byKey.set(m.key, merged);
        changed = true;
      }
      continue;
    }
    byKey.set(m.key, m);
    changed = true;
    if (m.ts < lastTs) appendOnly = false;
    lastTs = Math.max(lastTs, m.ts);
  }
  if (!changed) return existing;
  const all = [...byKey.values()];
  return appendOnly ? all : all.sort((a, b) => a.ts - b.ts);
}

/** Marks one outgoing message as received by the peer's client (XEP-0184). */
export function markReceived(messages: readonly ChatMessage[], key: string): readonly ChatMessage[] {
  const i = messages.findIndex((m) => m.key === key);
  const m = messages[i];
  if (!m || m.receipt === "received") return messages;
  const next = [...messages];
  next[i] = { ...m, receipt: "received" };
  return next;
}

/** The cursor for the next older page: the oldest loaded message. */
export function oldestCursor(messages: readonly ChatMessage[]): HistoryCursor | null {
  const first = messages[0];
  return first ? { ts: Math.floor(first.ts), key: first.key } : null;
}

/**
 * A loaded message changed at the object (corrected, retracted, reacted to): its new state replaces it, and the
 * quotes of replies to it follow (a corrected text, or "deleted").
 */
export function replaceMessage(messages: readonly ChatMessage[], message: ChatMessage): readonly ChatMessage[] {
  const i = messages.findIndex((m) => m.key === message.key);
  let next: ChatMessage[] | null = null;
  if (i >= 0) {
    next = [...messages];
    next[i] = message;
  }
  const quoted = message.retracted
    ? { body: "", retracted: true }
    : { body: message.encrypted ? "" : message.body.slice(0, 200) };
  messages.forEach((m, j) => {
    const reply = m.replyTo;
    if (reply?.key !== message.key) return;
    if (reply.body === quoted.body && (reply.retracted ?? false) === (quoted.retracted ?? false)) return;
    next ??= [...messages];
    next[j] = { ...m, replyTo: { key: reply.key, direction: reply.direction, ...quoted } };
  });
  return next ?? messages;
}
