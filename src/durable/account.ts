// The XMPP side of one account: what to do when the link comes up, with each stanza, and with each tab frame.
import type { Element } from "@xmpp/xml";
import type { Db } from "../db/client.ts";
import {
  clearPresences,
  flush as flushToDb,
  historyPage,
  listConversations,
  markRead,
  oldestMessage,
  type ConversationDelta,
  type StoredMessage,
} from "../db/store.ts";
import {
  assertNever,
  CONVERSATIONS_PAGE,
  HISTORY_PAGE,
  isOmemoNode,
  MAX_FRAME_BYTES,
  type ChatMessage,
  type ClientFrame,
  type ConnectionState,
  type ErrorCode,
  type Conversation,
  type PresenceDelta,
  type RosterEntry,
  type ServerFrame,
} from "../protocol/index.ts";
import { ChatState, LIMITS, previewOf, RecentKeys } from "./chat-state.ts";
import { FlushBuffer } from "./buffer.ts";
import type { Tabs } from "./fanout.ts";
import { SerialQueue } from "./queue.ts";
import { LimiterFull } from "./rate.ts";
import { Outbox } from "./outbox.ts";
import { parseXml } from "../xmpp/parse.ts";
import { XmppLink, type SmState } from "./xmpp-link.ts";
import { buildCaps, capsVer } from "../xmpp/caps.ts";
import {
  buildConfigure,
  buildItems,
  buildPublish,
  isPreconditionNotMet,
  parseEvent,
  parseItemsResult,
} from "../xmpp/pubsub.ts";
import {
  buildEncryptedChat,
  parseEncryptedFromTab,
  parsePepPayloadFromTab,
  type EncryptedInfo,
} from "../xmpp/omemo.ts";
import { Archive } from "./archive.ts";
import { bare, parseBareJid, splitJid } from "../xmpp/jid.ts";
import {
  buildChat,
  buildEnableCarbons,
  buildReceipt,
  messageKey,
  parseMessage,
  type ParsedChat,
} from "../xmpp/message.ts";
import { buildPresence, buildSubscription, buildUnavailable, parsePresence } from "../xmpp/presence.ts";
import { buildRosterGet, buildRosterSet, NS_ROSTER, parseRosterItems } from "../xmpp/roster.ts";
import { parseMamResult } from "../xmpp/mam.ts";
import { buildPing } from "../xmpp/ping.ts";
import { IdentityError, XMPPError } from "../xmpp/errors.ts";

export interface AccountInfo {
  jid: string;
  service: string;
  domain: string;
}

export interface AccountDeps {
  db: Db;
  tabs: Tabs;
  storage: DurableObjectStorage;
  onLost(reason: string): void;
}

type Pending =
  | { kind: "presence"; update: PresenceDelta }
  | { kind: "message"; message: StoredMessage; countUnread: boolean }
  | { kind: "receipt"; peer: string; stanzaId: string; ts: number };

/** Flush at most once a second, or at once at this many waiting items (issue #2 §5). */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_MAX_ITEMS = 2_000;

export class Account {
  readonly state = new ChatState();
  readonly #recent = new RecentKeys();
  readonly #queue: SerialQueue;
  readonly #buffer: FlushBuffer<Pending>;
  /** Outgoing stanza id -> message key, so XEP-0184 receipts find their message. */
  readonly #sentKeys = new Map<string, string>();
  /** Latest message time seen per peer (ordering of same-second stamps). */
  readonly #lastTs = new Map<string, number>();
  #link: XmppLink | null = null;
  /** The session setup after a login, archive catch-up included. */
  #catchingUp: Promise<void> = Promise.resolve();
  #lastArchiveId: string | undefined;
  #capsVer: string | undefined;
  everOnline = false;

  readonly #archive: Archive;
  readonly #outbox: Outbox;

  constructor(
    readonly info: AccountInfo,
    private readonly deps: AccountDeps,
  ) {
    this.#outbox = new Outbox(deps.storage);
    this.#archive = new Archive({
      owner: info.jid,
      db: deps.db,
      drained: () => this.#queue.idle(),
      flush: () => this.#buffer.flush(),
      seen: (key) => this.#recent.has(key),
      accept: (chat) => void this.#acceptChat(chat),
      storeOlder: (chat, key, ts) => {
        this.#recent.add(key);
        this.#record(chat, key, ts, false);
      },
      lastArchiveId: () => this.#lastArchiveId,
      setLastArchiveId: (id) => this.#setLastArchiveId(id),
    });
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
    this.#lastArchiveId = saved.lastArchiveId;
    for (const c of saved.conversations.slice(0, LIMITS.conversationsInMemory)) this.state.conversations.set(c.peer, c);
    this.state.conversationsTrimmed = saved.conversations.length > LIMITS.conversationsInMemory;
    for (const p of saved.presences) this.state.applyPresence(p);
  }

  snapshot(connection: ConnectionState): ServerFrame {
    return this.state.snapshot(this.info.jid, connection);
  }

  // ---- connection --------------------------------------------------------------------------------------------

  /** Connects (resuming `resume` if given and still known to the server), then brings the session up to date. */
  async connect(password: string, resume: SmState | null): Promise<void> {
    await this.#outbox.load();
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
        rosterPush: (el) => void this.#queue.push(() => this.#onRosterPush(el)),
        acked: (state) => {
          if (this.#link === link || this.#link === null) void this.deps.storage.put("sm", state);
        },
        stanzaAcked: (el) => {
          if (el.name === "message" && el.attrs.id) void this.#outbox.acked(el.attrs.id);
        },
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
      await this.#resendOutbox(link);
      return;
    }
    // History reads wait for all of this (roster, presence, archive catch-up), so pages never race it.
    this.#catchingUp = this.#afterLogin(link);
    await this.#catchingUp;
    await this.#resendOutbox(link);
  }

  /** Notes where a sent message sits in the stream, so a later <resumed h/> tells whether the server got it. */
  async #placeInStream(link: XmppLink, id: string, stanza: Element): Promise<void> {
    const seq = link.seqOf(stanza);
    const streamId = link.sm.id;
    if (seq !== null && streamId) {
      await this.#outbox.placed({ id, xml: stanza.toString(), at: Date.now() }, streamId, seq);
    } else if (!link.sm.enabled) {
      // Without stream management nothing will ever be acknowledged: keeping it would resend it at every login.
      await this.#outbox.acked(id);
    }
  }

  /** XEP-0198 §5 / issue #6 §14: what the server never got goes out again, with its id and origin-id. */
  async #resendOutbox(link: XmppLink): Promise<void> {
    const entries = await this.#outbox.toResend(link.handled, link.queuedIds());
    for (const entry of entries) {
      let stanza: Element;
      try {
        stanza = parseXml(entry.xml);
      } catch {
        await this.#outbox.acked(entry.id); // our own serialisation; cannot happen, but must not loop
        continue;
      }
      await link.send(stanza);
      await this.#placeInStream(link, entry.id, stanza);
    }
  }

  async #afterLogin(link: XmppLink): Promise<void> {
    // A fresh session: contacts' presences will all be sent again, the stored ones are stale.
    this.state.presences.clear();
    await clearPresences(this.deps.db, this.info.jid);
    await link.iq("set", buildEnableCarbons()).catch((err: unknown) => {
      console.warn("parley: carbons not enabled", err);
    });
    const roster = await link.iq("get", buildRosterGet());
    const frame = this.state.applyRoster(parseRosterItems(roster.getChild("query", NS_ROSTER)), true);
    await this.#saveRoster();
    this.#broadcastOnline();
    if (frame) this.deps.tabs.broadcast(frame);
    await link.send(await this.#presence());
    await this.#saveSm();
    await this.#archive.catchUp(link);
  }

  /** Our presence: show, status and XEP-0115 caps (so the server sends us OMEMO device-list events). */
  async #presence(): Promise<Element> {
    this.#capsVer ??= await capsVer();
    return buildPresence(this.state.self.show, this.state.self.status, buildCaps(this.#capsVer));
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

  async #saveRoster(): Promise<void> {
    await this.deps.storage.put("roster", [...this.state.roster.values()]);
  }

  async ping(): Promise<void> {
    const link = this.#link;
    if (!link?.online) return;
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

  // ---- incoming stanzas --------------------------------------------------------------------------------------

  async #onStanza(el: Element): Promise<void> {
    if (el.name === "message") {
      const mam = parseMamResult(el, this.info.jid);
      if (mam) {
        this.#archive.collect(mam);
        return;
      }
      await this.#onMessage(el);
    } else if (el.name === "presence") {
      this.#onPresence(el);
    }
  }

  async #onMessage(el: Element): Promise<void> {
    const event = parseEvent(el);
    if (event) {
      // XEP-0163 §4.3: only OMEMO device lists interest the tabs; PEP events come from the contact's bare JID.
      // Bounded (issue #6 §10): a device list has one item ("current"), a few at most in odd deployments.
      const size = event.items.reduce((n, item) => n + item.payload.length + item.id.length, 0);
      if (isOmemoNode(event.node) && el.attrs.from && event.items.length <= 8 && size <= MAX_FRAME_BYTES / 2) {
        this.deps.tabs.broadcast({ type: "pep.event", jid: bare(el.attrs.from), node: event.node, items: event.items });
      }
      return;
    }
    const parsed = parseMessage(el, this.info.jid, Date.now());
    switch (parsed.kind) {
      case "chat": {
        const chat = parsed.chat;
        if (chat.archiveId) await this.#setLastArchiveId(chat.archiveId);
        this.#acceptChat(chat);
        if (chat.direction === "in" && chat.requestsReceipt && chat.id) {
          // XEP-0184 §5.2: acknowledge a message that asked for it (not for archive replays).
          await this.#link?.send(buildReceipt(chat.from, chat.id)).catch(() => undefined);
        }
        return;
      }
      case "receipt": {
        const { peer, id } = parsed.receipt;
        const ts = Date.now();
        this.#buffer.push({ kind: "receipt", peer, stanzaId: id, ts });
        this.deps.tabs.broadcast({ type: "receipt", peer, key: this.#sentKeys.get(id) ?? `o:${this.info.jid}:${id}` });
        return;
      }
      case "ignored":
        return;
      default:
        assertNever(parsed);
    }
  }

  /** Records a chat message once (by key) and pushes it to the tabs at once; storage is batched. */
  #acceptChat(chat: ParsedChat, requestId?: string): ChatMessage | null {
    const key = messageKey(chat);
    if (this.#recent.has(key)) return null;
    this.#recent.add(key);
    // XEP-0203 stamps often have whole seconds only, and messages sent within one millisecond share a stamp:
    // within one second, keep arrival (= archive) order.
    let ts = chat.ts;
    const last = this.#lastTs.get(chat.peer);
    if (last !== undefined && last >= ts && last < ts + 1000) ts = last + 1;
    this.#lastTs.set(chat.peer, Math.max(ts, last ?? ts));
    const message = this.#record(chat, key, ts, true);
    const conversation = this.state.applyMessage(message, true);
    const frame: ServerFrame = { type: "message", message, conversation };
    if (requestId) frame.requestId = requestId;
    this.deps.tabs.broadcast(frame);
    return message;
  }

  /** Queues a message for storage (batched) and returns it as tabs see it. */
  #record(chat: ParsedChat, key: string, ts: number, countUnread: boolean): ChatMessage {
    const message: ChatMessage = {
      key,
      peer: chat.peer,
      direction: chat.direction,
      body: chat.body,
      ts,
      receipt: chat.direction === "out" ? "sent" : null,
    };
    if (chat.encrypted) {
      const { namespace, xml: element, hasPayload } = chat.encrypted;
      message.encrypted = { namespace, xml: element, hasPayload };
    }
    this.#buffer.push({
      kind: "message",
      message: { ...message, stanzaId: chat.id ?? null, archiveId: chat.archiveId ?? null },
      countUnread,
    });
    return message;
  }

  async #setLastArchiveId(id: string): Promise<void> {
    if (this.#lastArchiveId === id) return;
    this.#lastArchiveId = id;
    await this.deps.storage.put("lastArchiveId", id);
  }

  #onPresence(el: Element): void {
    const parsed = parsePresence(el);
    switch (parsed.kind) {
      case "update": {
        if (parsed.update.jid === this.info.jid) return; // our own other resources
        if (!this.state.applyPresence(parsed.update)) return; // not a contact, or too many resources (§10)
        this.#buffer.push({ kind: "presence", update: parsed.update });
        return;
      }
      case "subscribe": {
        // RFC 6121 §3.1.3: a contact we already granted gets an automatic answer from the server.
        if (!this.state.addSubscriptionRequest(parsed.jid)) return; // known already, or the list is full
        void this.deps.storage.put("subscriptionRequests", [...this.state.subscriptionRequests]);
        this.deps.tabs.broadcast({ type: "subscription.request", jid: parsed.jid });
        return;
      }
      case "subscribed":
      case "unsubscribe":
      case "unsubscribed":
      case "ignored":
        return;
      default:
        assertNever(parsed);
    }
  }

  async #onRosterPush(el: Element): Promise<void> {
    const frame = this.state.applyRoster(parseRosterItems(el.getChild("query", NS_ROSTER)));
    if (!frame) return;
    await this.#saveRoster();
    this.deps.tabs.broadcast(frame);
  }

  // ---- storage flush -----------------------------------------------------------------------------------------

  async #flush(items: Pending[]): Promise<void> {
    const presences: PresenceDelta[] = [];
    const messages: StoredMessage[] = [];
    const receipts: { peer: string; stanzaId: string; ts: number }[] = [];
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
          const c = conversations.get(m.peer) ?? { peer: m.peer, lastTs: 0, lastBody: "", unreadDelta: 0 };
          if (m.ts >= c.lastTs) {
            c.lastTs = m.ts;
            c.lastBody = previewOf(m);
          }
          if (item.countUnread && m.direction === "in") c.unreadDelta += 1;
          conversations.set(m.peer, c);
          break;
        }
        case "receipt":
          receipts.push(item);
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
      conversations: [...conversations.values()],
    });
  }

  /** Everything received so far is handled and in storage after this (history reads, sign-out). */
  async settle(): Promise<void> {
    await this.#queue.idle();
    await this.#buffer.flush();
  }

  // ---- tab frames --------------------------------------------------------------------------------------------

  /** Sends a chat message (clear or OMEMO) for a tab, then records it like any other. */
  async #sendChat(
    ws: WebSocket,
    requestId: string,
    address: string,
    content: { body: string; encrypted: EncryptedInfo | null },
  ): Promise<void> {
    const to = parseBareJid(address);
    if (!to) {
      this.#refuse(ws, "bad-address", `not an address: ${address}`, requestId);
      return;
    }
    const link = this.#link;
    if (!link?.online) {
      this.#refuse(ws, "not-connected", "Not connected: the message was not sent.", requestId);
      return;
    }
    if (this.#outbox.full) {
      this.#refuse(ws, "send-failed", "Not sent: too many messages are waiting for the server.", requestId);
      return;
    }
    const id = crypto.randomUUID();
    const stanza = content.encrypted ? buildEncryptedChat(to, id, content.encrypted) : buildChat(to, content.body, id);
    // Stored before it goes out, so that an eviction between send and the server's ack loses nothing.
    await this.#outbox.add(id, stanza.toString());
    try {
      await link.send(stanza);
    } catch (err) {
      // Not on the wire: the tab keeps the text and says so; nothing must go out later behind its back.
      await this.#outbox.acked(id);
      logFailure("send", err);
      this.#refuse(ws, "send-failed", "Not sent: the connection failed.", requestId);
      return;
    }
    await this.#placeInStream(link, id, stanza);
    this.#sentKeys.set(id, `o:${this.info.jid}:${id}`);
    if (this.#sentKeys.size > 5_000) {
      const first = this.#sentKeys.keys().next();
      if (!first.done) this.#sentKeys.delete(first.value);
    }
    this.#acceptChat(
      {
        peer: to,
        direction: "out",
        from: link.entity.jid?.toString() ?? this.info.jid,
        to,
        id,
        originId: id,
        archiveId: undefined,
        body: content.body,
        encrypted: content.encrypted,
        ts: Date.now(),
        requestsReceipt: content.encrypted === null || content.encrypted.hasPayload,
      },
      requestId,
    );
  }

  /**
   * Publishes with access_model=open (XEP-0223): OMEMO bundles and device lists must be readable by anyone who
   * may write to us. A node that exists with another model answers precondition-not-met: reconfigure, retry.
   */
  async #publishOpen(link: XmppLink, node: string, itemId: string, payload: Element): Promise<void> {
    try {
      await link.iq("set", buildPublish(node, itemId, payload, "open"));
    } catch (err) {
      if (!(err instanceof XMPPError) || !isPreconditionNotMet(err)) throw err;
      await link.iq("set", buildConfigure(node, "open"));
      await link.iq("set", buildPublish(node, itemId, payload, "open"));
    }
  }

  /** Answers one tab's frame with an error frame (the text stays in that tab's composer). */
  #refuse(ws: WebSocket, code: ErrorCode, message: string, requestId?: string): void {
    this.deps.tabs.send(ws, requestId ? { type: "error", code, message, requestId } : { type: "error", code, message });
  }

  async handleFrame(ws: WebSocket, frame: ClientFrame): Promise<void> {
    const tabs = this.deps.tabs;
    switch (frame.type) {
      case "ping":
        tabs.send(ws, { type: "pong" });
        return;
      case "message.send":
        await this.#sendChat(ws, frame.requestId, frame.to, { body: frame.body, encrypted: null });
        return;
      case "message.send-encrypted": {
        // The tab encrypted (OMEMO); we only check the element's shape and relay it.
        const encrypted = parseEncryptedFromTab(frame.encrypted);
        if (!encrypted) {
          this.#refuse(ws, "bad-encrypted", "not a valid OMEMO <encrypted/> element", frame.requestId);
          return;
        }
        await this.#sendChat(ws, frame.requestId, frame.to, { body: "", encrypted });
        return;
      }
      case "pep.publish": {
        const link = this.#link;
        if (!link?.online) {
          this.#refuse(ws, "not-connected", "Not connected.", frame.requestId);
          return;
        }
        // The whole tree is allow-listed: a device list on the device-list node, a bundle on a bundle node.
        const payload = parsePepPayloadFromTab(frame.node, frame.payload);
        if (!payload) {
          this.#refuse(
            ws,
            "pep-failed",
            "only well-formed OMEMO device lists and bundles are published",
            frame.requestId,
          );
          return;
        }
        try {
          await this.#publishOpen(link, frame.node, frame.itemId, payload);
          tabs.send(ws, { type: "ack", requestId: frame.requestId });
        } catch (err) {
          this.#refuse(ws, "pep-failed", conditionOf(err, "pep"), frame.requestId);
        }
        return;
      }
      case "pep.fetch": {
        const link = this.#link;
        if (!link?.online) {
          this.#refuse(ws, "not-connected", "Not connected.", frame.requestId);
          return;
        }
        const jid = bare(frame.jid);
        try {
          const iq = await link.iq("get", buildItems(frame.node), jid);
          const items = parseItemsResult(iq);
          tabs.send(ws, { type: "pep.items", requestId: frame.requestId, jid, node: frame.node, items });
        } catch (err) {
          // forbidden (a presence-only node of a non-contact), item-not-found (no such device): the tab skips it.
          this.#refuse(ws, "pep-failed", conditionOf(err, "pep"), frame.requestId);
        }
        return;
      }
      case "presence.set": {
        this.state.self = { show: frame.show, status: frame.status };
        await this.deps.storage.put("self", this.state.self);
        if (this.#link?.online) await this.#link.send(await this.#presence());
        tabs.broadcast({ type: "self.presence", show: frame.show, status: frame.status });
        return;
      }
      case "roster.add": {
        const jid = parseBareJid(frame.jid);
        if (!jid || jid === this.info.jid) {
          this.#refuse(ws, "bad-address", `not a contact address: ${frame.jid}`, frame.requestId);
          return;
        }
        const link = this.#link;
        if (!link?.online) {
          this.#refuse(ws, "not-connected", "Not connected.", frame.requestId);
          return;
        }
        try {
          // RFC 6121 §2.3 then §3.1.1: add to the roster, then ask for their presence.
          await link.iq("set", buildRosterSet(jid, frame.name));
          await link.send(buildSubscription(jid, "subscribe"));
          tabs.send(ws, { type: "ack", requestId: frame.requestId });
        } catch (err) {
          this.#refuse(ws, "send-failed", conditionOf(err, "roster.add"), frame.requestId);
        }
        return;
      }
      case "subscription.answer": {
        const jid = bare(frame.jid);
        const link = this.#link;
        if (!link?.online) {
          this.#refuse(ws, "not-connected", "Not connected.");
          return;
        }
        if (frame.accept) {
          // RFC 6121 §3.1.4 approve, and ask back so the subscription is mutual (what users expect).
          await link.send(buildSubscription(jid, "subscribed"));
          const item = this.state.roster.get(jid);
          if (!item || (item.subscription !== "to" && item.subscription !== "both")) {
            await link.send(buildSubscription(jid, "subscribe"));
          }
        } else {
          await link.send(buildSubscription(jid, "unsubscribed"));
        }
        this.state.subscriptionRequests.delete(jid);
        await this.deps.storage.put("subscriptionRequests", [...this.state.subscriptionRequests]);
        tabs.broadcast({ type: "subscription.handled", jid });
        return;
      }
      case "history.load": {
        const peer = bare(frame.peer);
        try {
          await this.#catchingUp.catch(() => undefined);
          await this.settle();
          let page = await historyPage(this.deps.db, this.info.jid, peer, frame.before, HISTORY_PAGE);
          const link = this.#link;
          if (!page.hasMore && link?.online && !this.#archive.exhausted(peer)) {
            // Storage has nothing older: ask the server's archive for the page before our oldest message.
            await this.#archive.fetchOlder(link, peer, await oldestMessage(this.deps.db, this.info.jid, peer));
            page = await historyPage(this.deps.db, this.info.jid, peer, frame.before, HISTORY_PAGE);
            if (!this.#archive.exhausted(peer)) page = { ...page, hasMore: true };
          }
          tabs.send(ws, {
            type: "history",
            requestId: frame.requestId,
            peer,
            messages: page.messages,
            hasMore: page.hasMore,
          });
        } catch (err) {
          if (err instanceof LimiterFull) {
            this.#refuse(ws, "rate-limited", "Too many history requests at once: try again.", frame.requestId);
          } else {
            this.#refuse(ws, "history-failed", conditionOf(err, "history"), frame.requestId);
          }
        }
        return;
      }
      case "conversations.load": {
        try {
          await this.#buffer.flush();
          const rows = await listConversations(this.deps.db, this.info.jid, CONVERSATIONS_PAGE + 1, frame.before);
          tabs.send(ws, {
            type: "conversations.page",
            requestId: frame.requestId,
            conversations: rows.slice(0, CONVERSATIONS_PAGE),
            hasMore: rows.length > CONVERSATIONS_PAGE,
          });
        } catch (err) {
          this.#refuse(ws, "history-failed", conditionOf(err, "conversations"), frame.requestId);
        }
        return;
      }
      case "conversation.read": {
        const peer = bare(frame.peer);
        const conversation = this.state.markRead(peer);
        await this.#buffer.flush();
        await markRead(this.deps.db, this.info.jid, peer);
        if (conversation) tabs.broadcast({ type: "conversation", conversation });
        return;
      }
      default:
        assertNever(frame);
    }
  }
}

function logFailure(what: string, err: unknown): void {
  console.warn(`parley: ${what} failed`, err instanceof Error ? err.message : String(err));
}

/**
 * What a tab is told about a failure: the RFC 6120 condition of an XMPP error (a fixed token the tab can act on:
 * forbidden, item-not-found, …), else a fixed word. Internal error text only goes to the log (issue #6 §11).
 */
function conditionOf(err: unknown, what: string): string {
  if (err instanceof XMPPError) return err.condition;
  logFailure(what, err);
  return "internal-error";
}
