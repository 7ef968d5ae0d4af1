// A conversation's loaded history as a window that need not reach the newest message (issue #7 §5: a search result
// opens the conversation at that message, with `history.load { around }`, then newer pages with `after`). Pure
// helpers for the reducer (core/state.ts): which answer replaces the loaded messages, which merges, and where the
// live messages go while the window stops short of the newest — kept aside (`pending`), never spliced in after a
// hole, and joined once the window reaches them.
import type { ChatMessage, ServerFrame } from "../../../src/protocol/index.ts";
import { markReceived, mergeMessages, replaceMessage } from "./messages.ts";

export interface PeerHistory {
  /** Sorted oldest first; never two messages with the same key. A contiguous run of the conversation. */
  readonly messages: readonly ChatMessage[];
  /** What the last history frame said; null until the first page arrived. */
  readonly hasMore: boolean | null;
  /** requestId of the history.load (older page or new window) in flight for this peer, if any. */
  readonly loading: string | null;
  /** The loaded messages stop before the newest one (a window opened around a search result). */
  readonly hasNewer: boolean;
  /** requestId of the history.load `after` (the newer page) in flight, if any. */
  readonly loadingNewer: string | null;
  /**
   * Live messages newer than the window while `hasNewer`, oldest first: shown once the window reaches them
   * (a newer page may have been read before they were stored, so they are not left to the pages alone).
   */
  readonly pending: readonly ChatMessage[];
  /** requestId of the window request in flight (around a message, or the newest page) whose answer replaces. */
  readonly replacing: string | null;
  /** Requests sent before the current window was asked for: their answers would not join it, so are dropped. */
  readonly superseded: readonly string[];
  /** Bumped whenever the messages are replaced by a new window (the timeline starts afresh). */
  readonly window: number;
  /** While a load waits for a hole to be filled from the server's archive (issue #7 §6): messages brought so far. */
  readonly filling?: number;
}

export const EMPTY_HISTORY: PeerHistory = {
  messages: [],
  hasMore: null,
  loading: null,
  hasNewer: false,
  loadingNewer: null,
  pending: [],
  replacing: null,
  superseded: [],
  window: 0,
};

/** Which page a history.load asks for: older than the loaded ones, newer, or a new window that replaces them. */
export type HistoryMode = "older" | "newer" | "window";

export function requested(history: PeerHistory, requestId: string, mode: HistoryMode): PeerHistory {
  switch (mode) {
    case "older":
      return { ...history, loading: requestId };
    case "newer":
      return { ...history, loadingNewer: requestId };
    case "window": {
      const superseded = [...history.superseded];
      if (history.loading !== null) superseded.push(history.loading);
      if (history.loadingNewer !== null) superseded.push(history.loadingNewer);
      return { ...history, loading: requestId, loadingNewer: null, replacing: requestId, superseded };
    }
  }
}

const lastTs = (messages: readonly ChatMessage[]): number => messages.at(-1)?.ts ?? Number.NEGATIVE_INFINITY;

/**
 * Joins the pending live messages the window now reaches: all of them when it reaches the newest, else those not
 * newer than its last message.
 */
function absorb(history: PeerHistory): PeerHistory {
  if (history.pending.length === 0) return history;
  if (!history.hasNewer) {
    return { ...history, messages: mergeMessages(history.messages, history.pending), pending: [] };
  }
  const last = lastTs(history.messages);
  const inside = history.pending.filter((m) => m.ts <= last);
  if (inside.length === 0) return history;
  return {
    ...history,
    messages: mergeMessages(history.messages, inside),
    pending: history.pending.filter((m) => m.ts > last),
  };
}

type HistoryFrame = Extract<ServerFrame, { type: "history" }>;

/** A history page arrived. */
export function pageArrived(history: PeerHistory, frame: HistoryFrame): PeerHistory {
  const { requestId } = frame;
  if (history.superseded.includes(requestId)) {
    return { ...history, superseded: history.superseded.filter((id) => id !== requestId) };
  }
  if (requestId === history.replacing) {
    const hasNewer = frame.hasNewer ?? false;
    const messages = mergeMessages([], frame.messages);
    // What was live before: the pending messages, and the old messages when they reached the newest (then they
    // are, like this window if it reaches the newest too, a run ending at the newest: their union has no hole).
    const live = history.hasNewer ? history.pending : mergeMessages(history.pending, history.messages);
    const first = messages[0]?.ts ?? Number.NEGATIVE_INFINITY;
    // Older live messages than the window come back with the older pages (they are stored): not spliced in here.
    const kept = hasNewer || messages.length > 0 ? live.filter((m) => m.ts >= first) : live;
    return absorb({
      ...history,
      messages,
      hasMore: frame.hasMore,
      loading: null,
      replacing: null,
      hasNewer,
      pending: kept,
      window: history.window + 1,
    });
  }
  if (requestId === history.loadingNewer) {
    return absorb({
      ...history,
      messages: mergeMessages(history.messages, frame.messages),
      loadingNewer: null,
      hasNewer: frame.hasNewer ?? false,
    });
  }
  // A window nobody waits for (asked before a snapshot replaced the state, say) would splice in with a hole.
  if (frame.hasNewer === true && requestId !== history.loading) return history;
  return {
    ...history,
    messages: mergeMessages(history.messages, frame.messages),
    hasMore: frame.hasMore,
    loading: history.loading === requestId ? null : history.loading,
  };
}

/** A live message: into the window when it falls within it (or the window reaches the newest), else pending. */
export function liveArrived(history: PeerHistory, message: ChatMessage): PeerHistory {
  if (history.hasNewer && message.ts > lastTs(history.messages)) {
    const pending = mergeMessages(history.pending, [message]);
    return pending === history.pending ? history : { ...history, pending };
  }
  const messages = mergeMessages(history.messages, [message]);
  return messages === history.messages ? history : { ...history, messages };
}

/** A request failed: nothing is in flight for it any more. */
export function requestFailed(history: PeerHistory, requestId: string): PeerHistory | null {
  if (history.loading === requestId) {
    return { ...history, loading: null, replacing: history.replacing === requestId ? null : history.replacing };
  }
  if (history.loadingNewer === requestId) return { ...history, loadingNewer: null };
  return null;
}

/** XEP-0184 receipt for one of the loaded (or pending) messages. */
export function received(history: PeerHistory, key: string): PeerHistory {
  const messages = markReceived(history.messages, key);
  const pending = markReceived(history.pending, key);
  return messages === history.messages && pending === history.pending ? history : { ...history, messages, pending };
}

/** A message changed at the object (corrected, retracted, reacted to). */
export function updated(history: PeerHistory, message: ChatMessage): PeerHistory {
  const messages = replaceMessage(history.messages, message);
  const pending = replaceMessage(history.pending, message);
  return messages === history.messages && pending === history.pending ? history : { ...history, messages, pending };
}

/** The cursor for the next newer page: the newest loaded message. */
export function newestCursor(messages: readonly ChatMessage[]): { ts: number; key: string } | null {
  const last = messages.at(-1);
  return last ? { ts: Math.floor(last.ts), key: last.key } : null;
}
