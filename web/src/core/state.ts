// The tab's view of the session: a pure reducer that applies ServerFrames (and a few local actions) to an
// immutable AppState. No DOM, no I/O: everything here is unit-tested in web/test/state.test.ts.
import { withMembership, type RoomEvent } from "../features/rooms/membership.ts";
import { assertNever } from "../../../src/protocol/index.ts";
import type {
  ChatMessage,
  ConnectionState,
  Contact,
  Conversation,
  InvitationView,
  ParticipantView,
  PresenceDelta,
  RoomView,
  RosterEntry,
  ServerFrame,
  Show,
} from "../../../src/protocol/index.ts";
import { applyParticipantsDelta } from "../../../src/protocol/participants.ts";
import {
  EMPTY_HISTORY,
  liveArrived,
  pageArrived,
  received,
  requested,
  requestFailed,
  updated,
  type HistoryMode,
  type PeerHistory,
} from "./window.ts";

import { mentions } from "../features/rooms/mentions.ts";

export { EMPTY_HISTORY, type HistoryMode, type PeerHistory };

export interface SelfState {
  readonly jid: string;
  readonly show: Show;
  readonly status: string;
}

export interface AppState {
  /** False until the first snapshot arrived. */
  readonly ready: boolean;
  readonly self: SelfState;
  readonly connection: ConnectionState;
  readonly roster: ReadonlyMap<string, Contact>;
  readonly conversations: ReadonlyMap<string, Conversation>;
  /** The object has older conversations than those loaded (page them with conversations.load). */
  readonly moreConversations: boolean;
  readonly requests: readonly string[];
  readonly histories: ReadonlyMap<string, PeerHistory>;
  /** XEP-0085: since when each contact is composing (shown for TYPING_SHOWN_MS unless they go on). */
  readonly typing: ReadonlyMap<string, number>;
  /** Unsent composer texts per conversation, kept by the object for every tab. */
  readonly drafts: ReadonlyMap<string, string>;
  /** Group chats and channels the account is in or was in (issue #8), by room address. */
  readonly rooms: ReadonlyMap<string, RoomView>;
  /** The participants of the rooms whose list a tab asked for (the "Participants" list), by room address. */
  readonly participants: ReadonlyMap<string, RoomParticipants>;
  /** Invitations to group chats and channels waiting for Join or Decline (issue #8 §1), oldest first. */
  readonly invitations: readonly InvitationView[];
  /** How far the participants of a group chat have read it ("Read by"), for the rooms a tab asked about. */
  readonly roomReads: ReadonlyMap<string, readonly { nick: string; ts: number }[]>;
  /**
   * Unread messages naming the user per room (issue #8 §1), counted apart in the list: those that came while this
   * tab was open, until the room is read (its unread count back at 0).
   */
  readonly mentions: ReadonlyMap<string, number>;
  /** Who came and went in each group chat while this tab was open (features/rooms/membership.ts). */
  readonly roomEvents: ReadonlyMap<string, readonly RoomEvent[]>;
}

export interface RoomParticipants {
  readonly list: readonly ParticipantView[];
  /** How many are present (the list may carry fewer). */
  readonly total: number;
  /** The search the list answers ("" for none), and how many match it (the list fills up to that, page by page). */
  readonly query: string;
  readonly matching: number;
  /** The object replaced the room's list (a rejoin, a burst of changes): the list is asked for again. */
  readonly stale: boolean;
}

/** "… is typing" disappears this long after the last "composing" (XEP-0085 §5.4 leaves the timing to clients). */
export const TYPING_SHOWN_MS = 30_000;

export type Action =
  | { readonly kind: "frame"; readonly frame: ServerFrame }
  | {
      readonly kind: "history.requested";
      readonly peer: string;
      readonly requestId: string;
      /** Default "older" (and the first page). */
      readonly mode?: HistoryMode;
    }
  /** The participants list of a room was closed: the tab keeps none of them (issue #8 §3). */
  | { readonly kind: "participants.closed"; readonly room: string }
  /** The tab reported reading up to `ts`; `unread` is what it counts after that among the loaded messages. */
  | { readonly kind: "read"; readonly peer: string; readonly ts: number; readonly unread: number };

export function initialState(jid = ""): AppState {
  return {
    ready: false,
    self: { jid, show: "online", status: "" },
    connection: "connecting",
    roster: new Map(),
    conversations: new Map(),
    moreConversations: false,
    requests: [],
    histories: new Map(),
    typing: new Map(),
    drafts: new Map(),
    rooms: new Map(),
    participants: new Map(),
    invitations: [],
    roomReads: new Map(),
    mentions: new Map(),
    roomEvents: new Map(),
  };
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function historyOf(state: AppState, peer: string): PeerHistory {
  return state.histories.get(peer) ?? EMPTY_HISTORY;
}

function setHistory(state: AppState, peer: string, history: PeerHistory): AppState {
  if (state.histories.get(peer) === history) return state;
  return { ...state, histories: withEntry(state.histories, peer, history) };
}

/** Applies presence deltas to the roster (unknown JIDs, e.g. our own other resources, are ignored). */
export function applyPresence(
  roster: ReadonlyMap<string, Contact>,
  updates: readonly PresenceDelta[],
): ReadonlyMap<string, Contact> {
  let next: Map<string, Contact> | null = null;
  for (const u of updates) {
    const contact = (next ?? roster).get(u.jid);
    if (!contact) continue;
    const others = contact.presences.filter((p) => p.resource !== u.resource);
    const presences = u.available
      ? [...others, { resource: u.resource, show: u.show, status: u.status, priority: u.priority }]
      : others;
    next ??= new Map(roster);
    next.set(u.jid, { ...contact, presences });
  }
  return next ?? roster;
}

/** Upserts roster items (keeping known presences) and drops removed JIDs. */
export function applyRoster(
  roster: ReadonlyMap<string, Contact>,
  items: readonly RosterEntry[],
  removed: readonly string[],
): ReadonlyMap<string, Contact> {
  const next = new Map(roster);
  for (const item of items) next.set(item.jid, { ...item, presences: next.get(item.jid)?.presences ?? [] });
  for (const jid of removed) next.delete(jid);
  return next;
}

export function applyFrame(state: AppState, frame: ServerFrame): AppState {
  switch (frame.type) {
    case "snapshot":
      // A snapshot replaces everything, loaded history included (the socket may have missed messages).
      return {
        ready: true,
        self: { ...frame.self },
        connection: frame.connection,
        roster: new Map(frame.roster.map((c) => [c.jid, c])),
        conversations: new Map(frame.conversations.map((c) => [c.peer, c])),
        moreConversations: frame.moreConversations ?? false,
        requests: [...new Set(frame.subscriptionRequests)],
        histories: new Map(),
        typing: new Map(),
        drafts: new Map((frame.drafts ?? []).map((d) => [d.peer, d.text])),
        rooms: new Map((frame.rooms ?? []).map((r) => [r.room, r])),
        participants: new Map(),
        invitations: frame.invitations ?? [],
        roomReads: new Map(),
        mentions: new Map(),
        roomEvents: new Map(),
      };
    case "connection":
      return frame.state === state.connection ? state : { ...state, connection: frame.state };
    case "room":
      return { ...state, rooms: withEntry(state.rooms, frame.room.room, frame.room) };
    case "invitations":
      return { ...state, invitations: frame.invitations };
    case "room.reads":
      return { ...state, roomReads: withEntry(state.roomReads, frame.room, frame.reads) };
    case "room.participants":
      return { ...state, participants: withEntry(state.participants, frame.room, participantsPage(state, frame)) };
    case "room.participants.delta": {
      const next = applyParticipantsDeltas(state, frame.rooms);
      const roomEvents = withMembership(state.roomEvents, state.rooms, frame.rooms, Date.now());
      return roomEvents === state.roomEvents ? next : { ...next, roomEvents };
    }
    case "presence":
      return { ...state, roster: applyPresence(state.roster, frame.updates) };
    case "self.presence":
      return { ...state, self: { ...state.self, show: frame.show, status: frame.status } };
    case "roster":
      return { ...state, roster: applyRoster(state.roster, frame.items, frame.removed) };
    case "subscription.request":
      return state.requests.includes(frame.jid) ? state : { ...state, requests: [...state.requests, frame.jid] };
    case "subscription.handled":
      return state.requests.includes(frame.jid)
        ? { ...state, requests: state.requests.filter((j) => j !== frame.jid) }
        : state;
    case "draft": {
      if (frame.text === "")
        return state.drafts.has(frame.peer) ? { ...state, drafts: without(state.drafts, frame.peer) } : state;
      return state.drafts.get(frame.peer) === frame.text
        ? state
        : { ...state, drafts: withEntry(state.drafts, frame.peer, frame.text) };
    }
    case "typing": {
      if (frame.state === "composing") return { ...state, typing: withEntry(state.typing, frame.peer, Date.now()) };
      return state.typing.has(frame.peer) ? { ...state, typing: without(state.typing, frame.peer) } : state;
    }
    case "message": {
      const { message, conversation } = frame;
      // A message from the contact ends their "typing" (its <active/> may not even be there).
      const base =
        message.direction === "in" && state.typing.has(message.peer)
          ? { ...state, typing: without(state.typing, message.peer) }
          : state;
      const counted = mentionCounted(base, message, conversation.unread);
      const withConv = { ...counted, conversations: withEntry(base.conversations, conversation.peer, conversation) };
      return setHistory(withConv, message.peer, liveArrived(historyOf(withConv, message.peer), message));
    }
    case "receipt": {
      const history = state.histories.get(frame.peer);
      return history ? setHistory(state, frame.peer, received(history, frame.key)) : state;
    }
    case "message.update": {
      const history = state.histories.get(frame.message.peer);
      return history ? setHistory(state, frame.message.peer, updated(history, frame.message)) : state;
    }
    case "conversation": {
      const read = frame.conversation.unread === 0 && state.mentions.has(frame.conversation.peer);
      const next = read ? { ...state, mentions: without(state.mentions, frame.conversation.peer) } : state;
      return { ...next, conversations: withEntry(state.conversations, frame.conversation.peer, frame.conversation) };
    }
    case "conversations.page": {
      // Older conversations: what the tab already has (updated live since) wins.
      const conversations = new Map(state.conversations);
      for (const c of frame.conversations) if (!conversations.has(c.peer)) conversations.set(c.peer, c);
      return { ...state, conversations, moreConversations: frame.hasMore };
    }
    case "history": {
      const history = historyOf(state, frame.peer);
      const answered = history.loading === frame.requestId;
      const next = pageArrived(history, frame);
      // The fill of a hole for this load has ended; one for a newer request goes on.
      if (answered || next.filling === undefined) {
        const { filling: _, ...rest } = next;
        return setHistory(state, frame.peer, rest);
      }
      return setHistory(state, frame.peer, next);
    }
    case "history.progress": {
      // Only for the load this tab is waiting for; the history frame that follows ends it.
      const history = state.histories.get(frame.peer);
      if (!history || history.loading !== frame.requestId) return state;
      if (frame.done) {
        if (history.filling === undefined) return state;
        const { filling: _, ...rest } = history;
        return setHistory(state, frame.peer, rest);
      }
      return history.filling === frame.loaded
        ? state
        : setHistory(state, frame.peer, { ...history, filling: frame.loaded });
    }
    case "error": {
      // A failed history.load must not leave the peer "loading" forever.
      if (frame.requestId === undefined) return state;
      for (const [peer, history] of state.histories) {
        const next = requestFailed(history, frame.requestId);
        if (next) {
          const { filling: _, ...rest } = next;
          return setHistory(state, peer, rest);
        }
      }
      return state;
    }
    case "ack":
    case "room.created":
    case "pong":
    // PEP answers and notifications belong to the E2EE service (core/e2ee.ts), not to this state.
    case "pep.items":
    case "pep.event":
    // A group chat's members are asked for by the E2EE service when it encrypts (core/group-e2ee.ts).
    case "room.members":
    // Search answers belong to the search panel (web/src/features/search), not to this state.
    case "search.results":
    // Room search and a room's affiliation lists belong to their dialogs (web/src/features/rooms), not to this state.
    case "room.search.results":
    case "room.affiliations":
      return state;
    default:
      return assertNever(frame);
  }
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.kind) {
    case "frame":
      return applyFrame(state, action.frame);
    case "history.requested":
      return setHistory(
        state,
        action.peer,
        requested(historyOf(state, action.peer), action.requestId, action.mode ?? "older"),
      );
    case "participants.closed":
      return state.participants.has(action.room)
        ? { ...state, participants: without(state.participants, action.room) }
        : state;
    case "read": {
      // Optimistic, and only ever forwards: the object answers conversation.read with a conversation frame, which
      // replaces this entry whole (its count wins, as does a read position moved by another client, XEP-0490).
      const conv = state.conversations.get(action.peer);
      if (!conv || action.ts <= (conv.readTs ?? 0)) return state;
      const unread = Math.max(0, Math.min(conv.unread, action.unread));
      return {
        ...state,
        conversations: withEntry(state.conversations, action.peer, { ...conv, readTs: action.ts, unread }),
      };
    }
    default:
      return assertNever(action);
  }
}

/** A page of a room's participants: the first replaces the list, a later one (same search) is appended. */
function participantsPage(
  state: AppState,
  frame: Extract<ServerFrame, { type: "room.participants" }>,
): RoomParticipants {
  const query = frame.query ?? "";
  const matching = frame.matching ?? frame.total;
  const held = state.participants.get(frame.room);
  if (!frame.offset || !held || held.query !== query) {
    return { list: frame.participants, total: frame.total, query, matching, stale: false };
  }
  // Deltas may have moved the page boundary: a participant already held is not added twice.
  const known = new Set(held.list.map((p) => p.nick));
  const more = frame.participants.filter((p) => !known.has(p.nick));
  return { list: [...held.list, ...more], total: frame.total, query, matching, stale: false };
}

/** Batched participant changes: every room's count follows; the lists the tab holds are updated in place. */
function applyParticipantsDeltas(
  state: AppState,
  deltas: Extract<ServerFrame, { type: "room.participants.delta" }>["rooms"],
): AppState {
  let rooms: Map<string, RoomView> | null = null;
  let participants: Map<string, RoomParticipants> | null = null;
  for (const d of deltas) {
    const room = (rooms ?? state.rooms).get(d.room);
    if (room && room.participants !== d.total) {
      rooms ??= new Map(state.rooms);
      rooms.set(d.room, { ...room, participants: d.total });
    }
    const held = (participants ?? state.participants).get(d.room);
    if (!held) continue;
    participants ??= new Map(state.participants);
    if (d.reset) {
      participants.set(d.room, { ...held, list: held.query === "" ? d.added : [], total: d.total, stale: true });
      continue;
    }
    const list = applyParticipantsDelta(held.list, d, held.query);
    const matching = Math.max(0, held.matching + (list.length - held.list.length));
    participants.set(d.room, { ...held, list, total: d.total, matching });
  }
  if (!rooms && !participants) return state;
  return { ...state, rooms: rooms ?? state.rooms, participants: participants ?? state.participants };
}

/** The keyset cursor after the conversations loaded so far: the object orders by lastTs desc, then peer asc. */
export function conversationsCursor(conversations: ReadonlyMap<string, Conversation>): {
  lastTs: number;
  peer: string;
} | null {
  let last: Conversation | null = null;
  for (const c of conversations.values()) {
    if (!last || c.lastTs < last.lastTs || (c.lastTs === last.lastTs && c.peer > last.peer)) last = c;
  }
  return last ? { lastTs: last.lastTs, peer: last.peer } : null;
}

/** A new unread message of a room naming the user (by their nickname there) counts as a mention. */
function mentionCounted(state: AppState, m: ChatMessage, unread: number): AppState {
  const nick = state.rooms.get(m.peer)?.nick;
  if (nick === undefined || m.direction !== "in" || !m.from || unread === 0 || !mentions(m.body, nick)) return state;
  return { ...state, mentions: withEntry(state.mentions, m.peer, (state.mentions.get(m.peer) ?? 0) + 1) };
}
