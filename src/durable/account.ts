// The XMPP side of one account: the link's lifecycle, batched storage, and a router that hands each incoming
// stanza and each tab frame to the feature module that owns it (./features/, issue #7 §0). Adding a feature is
// adding a module and registering it below: its frames in the table, its stanza handler in the list.
import type { Element } from "@xmpp/xml";
import type { Db } from "../db/client.ts";
import {
  clearPresences,
  flush as flushToDb,
  type ConversationDelta,
  type StoredAction,
  type StoredMessage,
} from "../db/store.ts";
import {
  assertNever,
  type ClientFrame,
  type ConnectionState,
  type Conversation,
  type PresenceDelta,
  type RosterEntry,
  type ServerFrame,
} from "../protocol/index.ts";
import { ChatState, LIMITS, previewOf } from "./chat-state.ts";
import { ARCHIVE_LIMITS, type ArchiveLimits } from "./archive.ts";
import type { StoredRoom } from "../db/rooms.ts";
import { FlushBuffer } from "./buffer.ts";
import type { Tabs } from "./fanout.ts";
import { SerialQueue } from "./queue.ts";
import { XmppLink, type SmState } from "./xmpp-link.ts";
import { bare, splitJid } from "../xmpp/jid.ts";
import { buildEnableCarbons } from "../xmpp/message.ts";
import { buildUnavailable } from "../xmpp/presence.ts";
import { buildPing } from "../xmpp/ping.ts";
import { IdentityError, XMPPError } from "../xmpp/errors.ts";
import {
  type AccountInfo,
  type Feature,
  type FeatureContext,
  type FrameHandlers,
  type KeyValue,
  type Pending,
} from "./features/context.ts";
import { ActionsFeature } from "./features/actions.ts";
import { ChatFeature } from "./features/chat.ts";
import { ChatStatesFeature } from "./features/chat-states.ts";
import { DraftsFeature } from "./features/drafts.ts";
import { HistoryFeature } from "./features/history.ts";
import { RoomOmemoFeature } from "./features/room-omemo.ts";
import { OmemoRelayFeature } from "./features/omemo-relay.ts";
import { PresenceFeature } from "./features/presence.ts";
import { ReadStateFeature } from "./features/read-state.ts";
import { RosterFeature } from "./features/roster.ts";
import { SearchFeature } from "./features/search.ts";
import { BookmarksFeature } from "./features/bookmarks.ts";
import { MucFeature } from "./features/muc.ts";
import { RoomDirectoryFeature } from "./features/room-directory.ts";
import { RoomSettingsFeature } from "./features/room-settings.ts";
import type { TrackedAffiliation } from "./features/room-members.ts";
import { InvitationsFeature } from "./features/invitations.ts";
import { RoomCreateFeature } from "./features/room-create.ts";
import { RoomActions } from "./features/room-actions.ts";

export type { AccountInfo } from "./features/context.ts";

export interface AccountDeps {
  db: Db;
  tabs: Tabs;
  storage: DurableObjectStorage;
  onLost(reason: string): void;
  /** How much archive work a catch-up and a hole fill may do (default ARCHIVE_LIMITS). */
  archiveLimits?: ArchiveLimits;
  /** XEP-0433: the admin's channel search service (PARLEY_CHANNEL_SEARCH_JID); the local walk when absent. */
  channelSearch?: string;
}

/** Flush at most once a second, or at once at this many waiting items (issue #2 §5). */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_MAX_ITEMS = 2_000;

export class Account {
  readonly state = new ChatState();
  readonly #queue: SerialQueue;
  readonly #buffer: FlushBuffer<Pending>;
  #link: XmppLink | null = null;
  /** The session setup after a login, archive catch-up included. */
  #catchingUp: Promise<void> = Promise.resolve();
  everOnline = false;

  readonly #chat: ChatFeature;
  readonly #presence: PresenceFeature;
  readonly #roster: RosterFeature;
  readonly #drafts: DraftsFeature;
  readonly #readState: ReadStateFeature;
  readonly #muc: MucFeature;
  readonly #invitations: InvitationsFeature;
  /** Who looks at an incoming stanza, in order: the first that takes it handles it. */
  readonly #stanzaFeatures: readonly Feature[];
  /** Every tab frame type, and who handles it. */
  readonly #frames: FrameHandlers;

  constructor(
    readonly info: AccountInfo,
    private readonly deps: AccountDeps,
  ) {
    this.#queue = new SerialQueue((err) => console.error("parley: stanza handling failed", err));
    this.#buffer = new FlushBuffer<Pending>({
      intervalMs: FLUSH_INTERVAL_MS,
      maxItems: FLUSH_MAX_ITEMS,
      flush: (items) => this.#flush(items),
      onError: (err, items) => {
        console.error(`parley: storing ${items.length} items failed, will retry`, err);
        // Keep messages and receipts for the next flush; presences are superseded by newer ones anyway.
        const retry = items.filter((i) => i.kind !== "presence");
        if (retry.length < 20_000) this.#buffer.push(...retry);
      },
    });
    const ctx: FeatureContext = {
      info,
      state: this.state,
      db: deps.db,
      storage: deps.storage satisfies KeyValue,
      tabs: deps.tabs,
      link: () => (this.#link?.online ? this.#link : null),
      store: (item) => this.#buffer.push(item),
      flush: () => this.#buffer.flush(),
      drained: () => this.#queue.idle(),
      exclusive: (job) => this.#queue.push(job),
    };
    this.#drafts = new DraftsFeature(ctx);
    const drafts = this.#drafts;
    // A sent message is no draft any more (in every tab); a refused one keeps it.
    this.#chat = new ChatFeature(ctx, (peer) => drafts.set(peer, ""));
    this.#presence = new PresenceFeature(ctx);
    this.#roster = new RosterFeature(ctx);
    const actions = new ActionsFeature(ctx, this.#chat);
    const readState = new ReadStateFeature(ctx);
    this.#readState = readState;
    const rooms = (): MucFeature => this.#muc;
    const history = new HistoryFeature(
      ctx,
      this.#chat,
      actions,
      readState,
      () => this.#catchingUp,
      deps.archiveLimits,
      (peer) => rooms().roomParser(peer),
    );
    this.#muc = new MucFeature(
      ctx,
      this.#chat,
      () => history.archive,
      (room) => drafts.set(room, ""),
      {
        record: (room, from, to) => history.roomHole(room, from, to),
        catchUpPages: (deps.archiveLimits ?? ARCHIVE_LIMITS).catchUpPages,
      },
    );
    const roomActions = new RoomActions(ctx, this.#chat, actions, this.#muc);
    this.#muc.roomActions = roomActions;
    // XEP-0333 in rooms (issue #8 §1): markers in group chats and in channels with fewer than 10 participants.
    readState.roomMarkers = (peer) => {
      const entry = this.#muc.get(peer);
      if (!entry) return null;
      return entry.view.state === "joined" && (entry.view.kind === "group" || entry.view.participants < 10);
    };
    const bookmarks = new BookmarksFeature(ctx, this.#muc);
    this.#muc.bookmarks = bookmarks;
    const roomSettings = new RoomSettingsFeature(ctx, this.#muc);
    this.#invitations = new InvitationsFeature(ctx, this.#muc);
    const omemo = new OmemoRelayFeature(ctx);
    const chatStates = new ChatStatesFeature(ctx);
    // Archive results, PEP notifications, markers, standalone chat states, corrections, retractions and reactions
    // are messages too: looked at before chat (read state before OMEMO, which takes every other PEP notification).
    // Rooms' presences, messages and archive results go to the muc feature, before chat (which ignores groupchat)
    // and presence (contacts only); the muc feature resets its rooms at a login before bookmarks rejoin them.
    this.#stanzaFeatures = [
      history,
      readState,
      this.#muc.members,
      roomSettings,
      this.#muc,
      this.#invitations,
      bookmarks,
      omemo,
      chatStates,
      actions,
      this.#chat,
      this.#presence,
      this.#roster,
    ];
    const muc = this.#muc;
    const roomOmemo = new RoomOmemoFeature(ctx, muc);
    this.#frames = {
      ...this.#chat.frames,
      // A message to a room we know goes to the room (XEP-0045 §7.4), any other to the contact.
      "message.send": (ws, frame) =>
        muc.get(frame.to) ? muc.send(ws, frame) : this.#chat.frames["message.send"](ws, frame),
      // OMEMO in a group chat (issue #8 §2): the tab encrypted for the members; room-omemo.ts checks the room.
      "message.send-encrypted": (ws, frame) =>
        muc.get(frame.to) ? roomOmemo.sendEncrypted(ws, frame) : this.#chat.frames["message.send-encrypted"](ws, frame),
      ...muc.frames,
      ...roomOmemo.frames,
      ...bookmarks.frames,
      ...new RoomCreateFeature(ctx, muc).frames,
      ...this.#invitations.frames,
      // In a room they name its stanza-id and go to the room (./features/room-actions.ts).
      "message.retract": (ws, frame) =>
        muc.get(frame.peer)
          ? roomActions.frames["message.retract"](ws, frame)
          : actions.frames["message.retract"](ws, frame),
      "message.react": (ws, frame) =>
        muc.get(frame.peer)
          ? roomActions.frames["message.react"](ws, frame)
          : actions.frames["message.react"](ws, frame),
      "message.moderate": roomActions.frames["message.moderate"],
      "room.reads": roomActions.frames["room.reads"],
      ...this.#presence.frames,
      ...this.#roster.frames,
      ...history.frames,
      ...omemo.frames,
      // XEP-0085 in rooms (§5.5: groupchat states) is not sent yet; a chat state is never sent to a room as chat.
      chatstate: async (ws, frame) => (muc.get(frame.to) ? undefined : chatStates.frames.chatstate(ws, frame)),
      ...drafts.frames,
      ...new SearchFeature(ctx).frames,
      ...readState.frames,
      ...new RoomDirectoryFeature(ctx, deps.channelSearch ? { searchService: deps.channelSearch } : {}).frames,
      ...roomSettings.frames,
      ping: async (ws) => deps.tabs.send(ws, { type: "pong" }),
    };
  }

  /** A room's known affiliations, real bare JID → affiliation (issue #8 §2: OMEMO's recipients come from here). */
  roomMembers(room: string): ReadonlyMap<string, TrackedAffiliation> {
    return this.#muc.members.of(room);
  }

  get online(): boolean {
    return this.#link?.online ?? false;
  }

  /** The current XMPP link, if any. */
  get link(): XmppLink | null {
    return this.#link;
  }

  restore(saved: {
    self: ChatState["self"] | undefined;
    roster: unknown;
    subscriptionRequests: string[];
    lastArchiveId: string | undefined;
    conversations: Conversation[];
    presences: PresenceDelta[];
  }): void {
    if (saved.self) this.state.self = saved.self;
    if (Array.isArray(saved.roster)) {
      for (const item of saved.roster as RosterEntry[]) this.state.roster.set(item.jid, item);
    }
    for (const jid of saved.subscriptionRequests) this.state.addSubscriptionRequest(jid);
    const kept = saved.conversations.slice(0, LIMITS.conversationsInMemory);
    this.#chat.restore(saved.lastArchiveId, kept);
    for (const c of kept) this.state.conversations.set(c.peer, c);
    this.state.conversationsTrimmed = saved.conversations.length > LIMITS.conversationsInMemory;
    for (const p of saved.presences) this.state.applyPresence(p);
  }

  snapshot(connection: ConnectionState): ServerFrame {
    const snapshot = this.state.snapshot(this.info.jid, connection);
    return snapshot.type === "snapshot"
      ? { ...snapshot, drafts: this.#drafts.list(), rooms: this.#muc.rooms(), invitations: this.#invitations.list() }
      : snapshot;
  }

  /** Storage-held parts of features, after a restart (before the first snapshot). */
  async load(): Promise<void> {
    await this.#drafts.load();
    await this.#readState.load();
    await this.#muc.load();
    await this.#invitations.load();
  }

  // ---- connection --------------------------------------------------------------------------------------------

  /** Connects (resuming `resume` if given and still known to the server), then brings the session up to date. */
  async connect(password: string, resume: SmState | null): Promise<void> {
    await this.#chat.load();
    await this.#muc.load();
    await this.#invitations.load();
    const old = this.#link;
    const { local } = splitJid(this.info.jid);
    const link = new XmppLink(
      {
        service: this.info.service,
        domain: this.info.domain,
        username: local,
        password,
        resource: `parley-${crypto.randomUUID().slice(0, 8)}`,
        resume: resume ?? undefined,
      },
      {
        stanza: (el) => void this.#queue.push(() => this.#onStanza(el)),
        rosterPush: (el) => void this.#queue.push(() => this.#roster.onPush(el)),
        acked: (state) => {
          if (this.#link === link || this.#link === null) void this.deps.storage.put("sm", state);
        },
        stanzaAcked: (el) => this.#chat.acked(el),
        lost: (reason) => {
          if (this.#link === link) this.deps.onLost(reason);
        },
      },
    );
    const { resumed, jid } = await link.connect();
    // RFC 6120 §7.7: the bound JID is who we are. A server that maps the address further than parseBareJid did
    // (nodeprep's ß -> ss, say) would otherwise give one account a second identity here: another object, other
    // data, other sessions (issue #6 §8).
    if (!resumed && bare(jid) !== this.info.jid) {
      await link.close();
      throw new IdentityError(this.info.jid, bare(jid));
    }
    this.#link = link;
    if (old && old !== link) void old.close();
    this.everOnline = true;
    if (resumed) {
      // XEP-0198 §5: the server re-sends what we had not acknowledged; roster and presences are unchanged.
      this.#broadcastOnline();
      await this.#saveSm();
    } else {
      // History reads wait for all of this (roster, presence, archive catch-up), so pages never race it.
      this.#catchingUp = this.#afterLogin(link);
      await this.#catchingUp;
    }
    for (const feature of this.#stanzaFeatures) await feature.onOnline?.(link, resumed);
  }

  async #afterLogin(link: XmppLink): Promise<void> {
    // A fresh session: contacts' presences will all be sent again, the stored ones are stale.
    this.state.presences.clear();
    await clearPresences(this.deps.db, this.info.jid);
    await link.iq("set", buildEnableCarbons()).catch((err: unknown) => {
      console.warn("parley: carbons not enabled", err);
    });
    await this.#roster.fetch(link);
    this.#broadcastOnline();
    await this.#presence.announce(link);
    await this.#saveSm();
    for (const feature of this.#stanzaFeatures) await feature.onLogin?.(link);
  }

  #broadcastOnline(): void {
    this.deps.tabs.broadcast({ type: "connection", state: "online" });
    this.deps.tabs.broadcast(this.snapshot("online"));
  }

  async #saveSm(): Promise<void> {
    const sm = this.#link?.smState;
    if (sm) await this.deps.storage.put("sm", sm);
    else await this.deps.storage.delete("sm");
  }

  async ping(): Promise<void> {
    const link = this.#link;
    if (!link?.online) return;
    void this.pingRooms();
    try {
      await link.iq("get", buildPing(), this.info.domain, 10_000);
      await this.#saveSm();
    } catch (err) {
      // XEP-0199 §4.1: a server that answers with an error is alive; only a timeout means the link is dead.
      if (err instanceof XMPPError && err.condition !== "timeout" && err.condition !== "service-unavailable") return;
      await link.abort();
      this.deps.onLost("the server stopped answering");
    }
  }

  /** XEP-0410: the rooms silent since before `now` - 5 minutes are self-pinged (rejoined when we are out). */
  async pingRooms(now = Date.now()): Promise<void> {
    await this.#muc.tick(now);
  }

  /** Ends the XMPP session: unavailable presence, stream closed (so the server drops any resumable state). */
  async end(): Promise<void> {
    await this.#buffer.flush();
    const link = this.#link;
    this.#link = null;
    if (link?.online) {
      await link.send(buildUnavailable()).catch(() => undefined);
      await link.close();
    }
    await this.deps.storage.delete("sm");
    this.deps.tabs.broadcast({ type: "connection", state: "offline", reason: "session ended" });
  }

  // ---- routing -----------------------------------------------------------------------------------------------

  async #onStanza(el: Element): Promise<void> {
    for (const feature of this.#stanzaFeatures) {
      if (await feature.onStanza?.(el)) return;
    }
  }

  async handleFrame(ws: WebSocket, frame: ClientFrame): Promise<void> {
    // The table has one handler per frame type (checked at compile time); TypeScript cannot correlate a union
    // member with its entry, hence the one widening here.
    const handler = this.#frames[frame.type] as (ws: WebSocket, frame: ClientFrame) => Promise<void>;
    await handler(ws, frame);
  }

  // ---- storage flush -----------------------------------------------------------------------------------------

  async #flush(items: Pending[]): Promise<void> {
    const presences: PresenceDelta[] = [];
    const messages: StoredMessage[] = [];
    const receipts: { peer: string; stanzaId: string; ts: number }[] = [];
    const actions: StoredAction[] = [];
    const rooms: StoredRoom[] = [];
    const conversations = new Map<string, ConversationDelta>();
    for (const item of items) {
      switch (item.kind) {
        case "presence":
          presences.push(item.update);
          break;
        case "message": {
          const m = item.message;
          messages.push(m);
          if (m.encrypted && !m.encrypted.hasPayload) break; // key transport: stored, but no activity
          const c: ConversationDelta = conversations.get(m.peer) ?? {
            peer: m.peer,
            lastTs: 0,
            lastBody: "",
            unreadDelta: 0,
            kind: m.from ? "room" : "chat",
          };
          if (m.ts >= c.lastTs) {
            c.lastTs = m.ts;
            c.lastBody = previewOf(m);
          }
          if (this.state.countsAsUnread(m, item.countUnread)) c.unreadDelta += 1;
          conversations.set(m.peer, c);
          break;
        }
        case "receipt":
          receipts.push(item);
          break;
        case "action":
          actions.push(item.action);
          break;
        case "room":
          rooms.push(item.room);
          break;
        default:
          assertNever(item);
      }
    }
    // A presence flood reaches the tabs as one frame per flush.
    if (presences.length > 0) this.deps.tabs.broadcast({ type: "presence", updates: presences });
    await flushToDb(this.deps.db, {
      owner: this.info.jid,
      presences,
      messages,
      receipts,
      actions,
      conversations: [...conversations.values()],
      unhide: this.state.takeUnhidden(),
      rooms,
    });
    // XEP-0490 positions that waited for one of these messages apply now (it never throws).
    await this.#readState.stored(messages);
  }

  /** Everything received so far is handled and in storage after this (history reads, sign-out). */
  async settle(): Promise<void> {
    await this.#queue.idle();
    await this.#buffer.flush();
  }
}
