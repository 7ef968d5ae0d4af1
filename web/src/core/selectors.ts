// Derived views of AppState used by the UI: unread totals, names, presence summaries (the list's order is in
// conversation-order.ts).
import type { Contact, Conversation, PresenceInfo, Show } from "../../../src/protocol/index.ts";
import type { AppState, PeerHistory } from "./state.ts";

export const APP_NAME = "Parley";

export function totalUnread(conversations: ReadonlyMap<string, Conversation>): number {
  let n = 0;
  for (const c of conversations.values()) n += Math.max(0, c.unread);
  return n;
}

export function documentTitle(unread: number): string {
  return unread > 0 ? `(${unread}) ${APP_NAME}` : APP_NAME;
}

export function displayName(state: AppState, jid: string): string {
  const room = state.rooms.get(jid);
  if (room) return room.name?.trim() || (jid.split("@")[0] ?? jid);
  const name = state.roster.get(jid)?.name.trim();
  return name ? name : jid;
}

const SHOW_RANK: Record<Show, number> = { chat: 5, online: 4, away: 3, xa: 2, dnd: 1 };

/** The presence that represents a contact: highest priority, then the most available show. */
export function bestPresence(contact: Contact): PresenceInfo | null {
  let best: PresenceInfo | null = null;
  for (const p of contact.presences) {
    if (
      !best ||
      p.priority > best.priority ||
      (p.priority === best.priority && SHOW_RANK[p.show] > SHOW_RANK[best.show])
    ) {
      best = p;
    }
  }
  return best;
}

/** Online contacts first (most available first), then by display name. */
export function sortRoster(roster: ReadonlyMap<string, Contact>): Contact[] {
  const rank = (c: Contact): number => {
    const p = bestPresence(c);
    return p ? SHOW_RANK[p.show] : 0;
  };
  const label = (c: Contact): string => (c.name.trim() || c.jid).toLowerCase();
  return [...roster.values()].sort((a, b) => rank(b) - rank(a) || label(a).localeCompare(label(b)));
}

/** On open of a chat: fetch the newest page unless one was already fetched (or is on its way). */
export function needsInitialLoad(history: PeerHistory | undefined): boolean {
  return !history || (history.hasMore === null && history.loading === null);
}

/** Scrolled to the top: fetch an older page only if the server said there is one and none is in flight. */
export function canLoadOlder(history: PeerHistory | undefined): boolean {
  return history !== undefined && history.hasMore === true && history.loading === null && history.messages.length > 0;
}

/** Scrolled to the bottom of a window that stops short of the newest: fetch the newer page, one at a time. */
export function canLoadNewer(history: PeerHistory | undefined): boolean {
  return (
    history !== undefined &&
    history.hasNewer &&
    history.loadingNewer === null &&
    history.replacing === null &&
    history.messages.length > 0
  );
}

/**
 * The conversations the list shows: every conversation, and each room that has none yet (joined, no message so
 * far) as an empty one, so a room is in the list as soon as it is joined (issue #8 §1).
 */
export function listedConversations(state: AppState): Conversation[] {
  const out = [...state.conversations.values()].map((c) => {
    // A room that never notifies (XEP-0492 "never") asks for no attention, as a muted conversation does.
    const never = c.kind === "room" && state.rooms.get(c.peer)?.notify === "never";
    return never && c.muted !== true ? { ...c, muted: true } : c;
  });
  for (const room of state.rooms.keys()) {
    if (!state.conversations.has(room)) out.push({ peer: room, lastTs: 0, lastBody: "", unread: 0, kind: "room" });
  }
  return out;
}
