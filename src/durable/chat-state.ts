// The in-memory state of one account that every tab sees: roster, presences, conversations, pending
// subscription requests, own presence. Pure: no I/O; the object persists and fans out what it returns.
import type {
  ChatMessage,
  ConnectionState,
  Contact,
  Conversation,
  PresenceDelta,
  PresenceInfo,
  RosterEntry,
  ServerFrame,
  Show,
} from "../protocol/index.ts";
import type { RosterChange } from "../xmpp/roster.ts";

/** The conversation list's preview: the server never has an encrypted message's text. */
export function previewOf(message: Pick<ChatMessage, "body" | "encrypted">): string {
  return message.encrypted ? "Encrypted message" : message.body.slice(0, 200);
}

/** Bounds on what remote parties can make us keep (issue #6 §10). */
export const LIMITS = {
  /** Online resources kept per contact; more are ignored until one goes offline. */
  resourcesPerContact: 16,
  /** Pending subscription requests; more are ignored (the server keeps them and sends them again at login). */
  subscriptionRequests: 100,
  /** Conversations kept in memory (all are in storage; older ones are paged from there). */
  conversationsInMemory: 1_000,
  /** Conversations in a snapshot; a tab pages the rest with conversations.load. */
  conversationsInSnapshot: 100,
} as const;

export class ChatState {
  readonly roster = new Map<string, RosterEntry>();
  readonly presences = new Map<string, Map<string, PresenceInfo>>();
  readonly conversations = new Map<string, Conversation>();
  readonly subscriptionRequests = new Set<string>();
  self: { show: Show; status: string } = { show: "online", status: "" };

  /** Applies a roster result or push; returns the frame to send, or null when nothing changed. */
  applyRoster(changes: RosterChange[], replaceAll = false): ServerFrame | null {
    const removed: string[] = [];
    if (replaceAll) {
      const keep = new Set(changes.flatMap((c) => (c.kind === "set" ? [c.item.jid] : [])));
      for (const jid of this.roster.keys()) if (!keep.has(jid)) removed.push(jid);
      for (const jid of removed) this.roster.delete(jid);
    }
    const items: RosterEntry[] = [];
    for (const change of changes) {
      if (change.kind === "remove") {
        if (this.roster.delete(change.jid)) removed.push(change.jid);
        this.presences.delete(change.jid);
      } else {
        this.roster.set(change.item.jid, change.item);
        items.push(change.item);
      }
    }
    if (items.length === 0 && removed.length === 0) return null;
    return { type: "roster", items, removed };
  }

  /** Applies a presence of a roster contact; false when it was refused (not a contact, too many resources). */
  applyPresence(update: PresenceDelta): boolean {
    // Presence is kept only for contacts: anyone else could make us keep one entry per JID they invent.
    if (!this.roster.has(update.jid)) return false;
    let resources = this.presences.get(update.jid);
    if (update.available) {
      if (!resources) {
        resources = new Map();
        this.presences.set(update.jid, resources);
      }
      if (!resources.has(update.resource) && resources.size >= LIMITS.resourcesPerContact) return false;
      resources.set(update.resource, {
        resource: update.resource,
        show: update.show,
        status: update.status,
        priority: update.priority,
      });
    } else if (resources) {
      resources.delete(update.resource);
      if (resources.size === 0) this.presences.delete(update.jid);
    }
    return true;
  }

  /** Records a subscription request; false when it is known already or the list is full. */
  addSubscriptionRequest(jid: string): boolean {
    if (this.subscriptionRequests.has(jid) || this.subscriptionRequests.size >= LIMITS.subscriptionRequests) {
      return false;
    }
    this.subscriptionRequests.add(jid);
    return true;
  }

  /** Whether conversations older than what memory holds may exist in storage. */
  conversationsTrimmed = false;

  /** Keeps the most recent conversations in memory; the rest stay in storage only. */
  #trimConversations(): void {
    if (this.conversations.size <= LIMITS.conversationsInMemory * 1.1) return;
    const keep = [...this.conversations.values()]
      .sort((a, b) => b.lastTs - a.lastTs)
      .slice(0, LIMITS.conversationsInMemory);
    this.conversations.clear();
    for (const c of keep) this.conversations.set(c.peer, c);
    this.conversationsTrimmed = true;
  }

  /** Hidden conversations a new message showed again, not yet in storage (see takeUnhidden). */
  readonly #unhidden = new Set<string>();

  /**
   * Records a message in its conversation; returns the conversation as it now is. A new incoming message counts
   * as unread when it is after the read position (XEP-0490); a new message shows a hidden conversation again.
   */
  applyMessage(message: ChatMessage, countUnread: boolean): Conversation {
    const prev = this.conversations.get(message.peer);
    // An OMEMO key-transport message (no payload) is nothing to read: no activity, no unread.
    if (message.encrypted && !message.encrypted.hasPayload) {
      return prev ?? { peer: message.peer, lastTs: 0, lastBody: "", unread: 0 };
    }
    const newer = !prev || message.ts >= prev.lastTs;
    const next: Conversation = {
      ...prev,
      peer: message.peer,
      lastTs: newer ? message.ts : (prev?.lastTs ?? message.ts),
      lastBody: newer ? previewOf(message) : (prev?.lastBody ?? ""),
      unread: (prev?.unread ?? 0) + (this.countsAsUnread(message, countUnread) ? 1 : 0),
    };
    // A room's messages name their sender (issue #8): its conversation is a room's.
    if (message.from) next.kind = "room";
    // Not in memory may mean trimmed, and hidden in storage: storage is told either way (a rare extra statement).
    if (countUnread && (prev?.hidden || (!prev && this.conversationsTrimmed))) this.#unhidden.add(message.peer);
    if (countUnread) delete next.hidden;
    this.conversations.set(message.peer, next);
    this.#trimConversations();
    return next;
  }

  /** Whether a message adds one to its conversation's unread count: incoming, new, after the read position. */
  countsAsUnread(message: Pick<ChatMessage, "peer" | "direction" | "ts">, countUnread: boolean): boolean {
    return (
      countUnread && message.direction === "in" && message.ts > (this.conversations.get(message.peer)?.readTs ?? 0)
    );
  }

  /** Everyone we know: the conversations in memory, the most recent first, then the contacts without one. */
  knownPeers(): string[] {
    const recent = [...this.conversations.values()].sort((a, b) => b.lastTs - a.lastTs || a.peer.localeCompare(b.peer));
    return [...new Set([...recent.map((c) => c.peer), ...this.roster.keys()])];
  }

  /** The conversations a message showed again since the last call (for the next storage flush). */
  takeUnhidden(): string[] {
    const peers = [...this.#unhidden];
    this.#unhidden.clear();
    return peers;
  }

  /**
   * A conversation as storage now has it (read positions, flags): replaces the one in memory, keeping a newer
   * last message that is not in storage yet (one the user sent meanwhile).
   */
  putConversation(conversation: Conversation): void {
    const prev = this.conversations.get(conversation.peer);
    const next =
      prev && prev.lastTs > conversation.lastTs
        ? { ...conversation, lastTs: prev.lastTs, lastBody: prev.lastBody }
        : conversation;
    this.conversations.set(conversation.peer, next);
    this.#trimConversations();
  }

  snapshot(jid: string, connection: ConnectionState): ServerFrame {
    const roster: Contact[] = [...this.roster.values()].map((item) => ({
      ...item,
      presences: [...(this.presences.get(item.jid)?.values() ?? [])],
    }));
    const sorted = [...this.conversations.values()].sort((a, b) => b.lastTs - a.lastTs || a.peer.localeCompare(b.peer));
    const conversations = sorted.slice(0, LIMITS.conversationsInSnapshot);
    return {
      type: "snapshot",
      self: { jid, show: this.self.show, status: this.self.status },
      connection,
      roster,
      conversations,
      moreConversations: sorted.length > conversations.length || this.conversationsTrimmed,
      subscriptionRequests: [...this.subscriptionRequests],
    };
  }
}

/** A bounded set of recently seen message keys: dedupe before the buffered rows reach storage. */
export class RecentKeys {
  #keys = new Set<string>();
  constructor(private readonly max = 5_000) {}

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.add(key);
    if (this.#keys.size > this.max) {
      const oldest = this.#keys.values().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
  }
}
