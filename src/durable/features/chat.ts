// One-to-one chat (RFC 6121 §5): messages in (live, carbons, archive catch-up) deduplicated by key and fanned out
// at once, stored in batches; messages out, clear or OMEMO, kept in the outbox until the server acknowledges them
// (issue #6 §14); XEP-0184 receipts both ways.
import type { Element } from "@xmpp/xml";
import { assertNever, type ChatMessage, type ClientFrame, type ServerFrame } from "../../protocol/index.ts";
import { latestKeys, messageRef, type MessageRef } from "../../db/history.ts";
import { buildReceipt, buildChat, messageKey, parseMessage, type ParsedChat } from "../../xmpp/message.ts";
import { buildReplace } from "../../xmpp/correction.ts";
import { buildFallback, codePointLength, stripRange } from "../../xmpp/fallback.ts";
import { buildReply, NS_REPLY } from "../../xmpp/reply.ts";
import { buildEncryptedChat, parseEncryptedFromTab, type EncryptedInfo } from "../../xmpp/omemo.ts";
import { parseXml } from "../../xmpp/parse.ts";
import { activeState } from "../../xmpp/chatstates.ts";
import { RecentKeys } from "../chat-state.ts";
import { Outbox } from "../outbox.ts";
import {
  linkOrRefuse,
  logFailure,
  refuse,
  type Feature,
  type FeatureContext,
  type FrameHandlers,
  type Link,
} from "./context.ts";

const RECENT_REFS = 2_000;
const refKey = (peer: string, id: string): string => `${peer}\u0000${id}`;

export class ChatFeature implements Feature {
  readonly #recent = new RecentKeys();
  /** Outgoing stanza id -> message key, so XEP-0184 receipts find their message. */
  readonly #sentKeys = new Map<string, string>();
  /** Latest message time seen per peer (ordering of same-second stamps). */
  readonly #lastTs = new Map<string, number>();
  #latestLoaded = false;
  readonly #outbox: Outbox;
  /** Recent messages' reply descriptions by (peer, id attribute), bounded (RECENT_REFS). */
  readonly #refs = new Map<string, NonNullable<ChatMessage["replyTo"]>>();
  #lastArchiveId: string | undefined;

  /** Set by the actions feature: corrections are actions on their target, and replies to unknown targets are
   * described once storage has them. */
  actions: ChatActions = { edited: () => undefined, describe: () => undefined };

  constructor(
    private readonly ctx: FeatureContext,
    /** A message of the user went out to `peer` (the drafts feature clears that conversation's draft). */
    private readonly onSent: (peer: string) => Promise<void> = async () => undefined,
  ) {
    this.#outbox = new Outbox(ctx.storage);
  }

  readonly frames: Pick<FrameHandlers, "message.send" | "message.send-encrypted"> = {
    "message.send": (ws, frame) => this.#send(ws, frame, { body: frame.body, encrypted: null }),
    "message.send-encrypted": async (ws, frame) => {
      // The tab encrypted (OMEMO); we only check the element's shape and relay it.
      const encrypted = parseEncryptedFromTab(frame.encrypted);
      if (!encrypted) {
        refuse(this.ctx.tabs, ws, "bad-encrypted", "not a valid OMEMO <encrypted/> element", frame.requestId);
        return;
      }
      await this.#send(ws, frame, { body: "", encrypted });
    },
  };

  async onStanza(el: Element): Promise<boolean> {
    if (el.name !== "message") return false;
    const parsed = parseMessage(el, this.ctx.info.jid, Date.now());
    switch (parsed.kind) {
      case "chat": {
        const chat = parsed.chat;
        if (chat.archiveId) await this.setLastArchiveId(chat.archiveId);
        this.accept(chat);
        if (chat.direction === "in" && chat.requestsReceipt && chat.id) {
          // XEP-0184 §5.2: acknowledge a message that asked for it (not for archive replays).
          await this.ctx
            .link()
            ?.send(buildReceipt(chat.from, chat.id))
            .catch(() => undefined);
        }
        return true;
      }
      case "receipt": {
        const { peer, id } = parsed.receipt;
        this.ctx.store({ kind: "receipt", peer, stanzaId: id, ts: Date.now() });
        const key = this.#sentKeys.get(id) ?? `o:${this.ctx.info.jid}:${id}`;
        this.ctx.tabs.broadcast({ type: "receipt", peer, key });
        return true;
      }
      case "action": // features/actions.ts, registered before this one
        return false;
      case "ignored":
        return true;
      default:
        return assertNever(parsed);
    }
  }

  /** After every connect: what the server never got goes out again (XEP-0198 §5, issue #6 §14). */
  async onOnline(link: Link): Promise<void> {
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

  /** Before connecting: how many messages wait (restored after an eviction). */
  async load(): Promise<void> {
    await this.#outbox.load();
    if (!this.#latestLoaded) {
      // Once per object: the conversations' newest stored messages are known, not new, when a catch-up brings them
      // again (accept would otherwise move one stamped within their second after them, see there).
      this.#latestLoaded = true;
      for (const key of await latestKeys(this.ctx.db, this.ctx.info.jid)) this.#recent.add(key);
    }
  }

  /**
   * After a restart: the last archive id, and each conversation's latest message time, so that a caught-up
   * message stamped within the same second as the last one stored (XEP-0203 stamps of whole seconds) still
   * comes after it (see accept).
   */
  restore(lastArchiveId: string | undefined, conversations: readonly { peer: string; lastTs: number }[] = []): void {
    this.#lastArchiveId = lastArchiveId;
    for (const c of conversations) if (c.lastTs > 0) this.#lastTs.set(c.peer, c.lastTs);
  }

  /** The server acknowledged one of our stanzas (XEP-0198 §4). */
  acked(stanza: Element): void {
    if (stanza.name === "message" && stanza.attrs.id) void this.#outbox.acked(stanza.attrs.id);
  }

  get lastArchiveId(): string | undefined {
    return this.#lastArchiveId;
  }

  async setLastArchiveId(id: string): Promise<void> {
    if (this.#lastArchiveId === id) return;
    this.#lastArchiveId = id;
    await this.ctx.storage.put("lastArchiveId", id);
  }

  seen(key: string): boolean {
    return this.#recent.has(key);
  }

  /** Records a chat message once (by key) and pushes it to the tabs at once; storage is batched. */
  accept(chat: ParsedChat, requestId?: string, countUnread = true): ChatMessage | null {
    const key = messageKey(chat);
    if (this.#recent.has(key)) return null;
    this.#recent.add(key);
    // XEP-0203 stamps often have whole seconds only, and messages sent within one millisecond share a stamp:
    // within one second, keep arrival (= archive) order.
    let ts = chat.ts;
    const last = this.#lastTs.get(chat.peer);
    if (last !== undefined && last >= ts && last < ts + 1000) ts = last + 1;
    this.#lastTs.set(chat.peer, Math.max(ts, last ?? ts));
    const message = this.#record(chat, key, ts, countUnread);
    const conversation = this.ctx.state.applyMessage(message, countUnread);
    const frame: ServerFrame = { type: "message", message, conversation };
    if (requestId) frame.requestId = requestId;
    this.ctx.tabs.broadcast(frame);
    return message;
  }

  /** An older message from the archive: stored only (at `ts`), not pushed, not unread. */
  storeOlder(chat: ParsedChat, key: string, ts: number): void {
    this.#recent.add(key);
    this.#record(chat, key, ts, false);
  }

  /** Stored messages with `peer` from `upTo` down moved down by `shift` ms (room for a hole's fill): so does the order kept here. */
  lowered(peer: string, upTo: number, shift: number): void {
    const last = this.#lastTs.get(peer);
    if (last !== undefined && last <= upTo) this.#lastTs.set(peer, last - shift);
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
    if (chat.sender) message.from = { ...chat.sender };
    if (chat.encrypted) {
      const { namespace, xml: element, hasPayload } = chat.encrypted;
      message.encrypted = { namespace, xml: element, hasPayload };
      if (chat.fallback) message.fallback = chat.fallback;
    }
    if (chat.replyTo !== undefined) {
      const target = this.#refs.get(refKey(chat.peer, chat.replyTo));
      message.replyTo = target ?? { key: null, direction: null, body: "" };
      if (!target && countUnread) this.actions.describe(chat.peer, chat.replyTo);
    }
    if (chat.id) this.#remember(chat.peer, chat.id, message);
    this.ctx.store({
      kind: "message",
      message: {
        ...message,
        stanzaId: chat.id ?? null,
        archiveId: chat.archiveId ?? null,
        replyToId: chat.replyTo ?? null,
        markable: chat.markable,
        originId: chat.senderId ?? null,
      },
      countUnread,
    });
    return message;
  }

  /** Recent messages by id attribute, so a live reply names its target without a storage read. */
  #remember(peer: string, id: string, m: ChatMessage): void {
    const ref = refKey(peer, id);
    this.#refs.delete(ref);
    this.#refs.set(ref, { key: m.key, direction: m.direction, body: m.encrypted ? "" : m.body.slice(0, 200) });
    if (this.#refs.size > RECENT_REFS) {
      const first = this.#refs.keys().next();
      if (!first.done) this.#refs.delete(first.value);
    }
  }

  /** A correction of a recent message: replies to it quote the new text. */
  rememberEdit(peer: string, id: string, body: string): void {
    const ref = this.#refs.get(refKey(peer, id));
    if (ref && ref.body !== "") ref.body = body.slice(0, 200);
  }

  /** The message a tab names by key, once storage has everything received so far; null when unknown. */
  async find(peer: string, key: string): Promise<MessageRef | null> {
    await this.ctx.flush();
    return messageRef(this.ctx.db, this.ctx.info.jid, peer, key);
  }

  /**
   * Sends a chat message (clear or OMEMO) for a tab, then records it like any other; a reply carries XEP-0461
   * and XEP-0428 elements, a correction (XEP-0308) becomes an action on the corrected message.
   */
  async #send(
    ws: WebSocket,
    frame: Extract<ClientFrame, { type: "message.send" | "message.send-encrypted" }>,
    content: { body: string; encrypted: EncryptedInfo | null },
  ): Promise<void> {
    const { ctx } = this;
    const { requestId, to } = frame;
    const reply = frame.replyTo ? await this.find(to, frame.replyTo.key) : null;
    const replaced = frame.replace ? await this.find(to, frame.replace) : null;
    const refusal = checkSend(frame, content, reply, replaced);
    if (refusal) {
      refuse(ctx.tabs, ws, "bad-frame", refusal, requestId);
      return;
    }
    const id = crypto.randomUUID();
    const stanza = content.encrypted ? buildEncryptedChat(to, id, content.encrypted) : buildChat(to, content.body, id);
    const quote = frame.replyTo?.quoteLength ?? 0;
    if (reply?.stanzaId) {
      // XEP-0461 §3: `to` is the replied message's author.
      stanza.append(buildReply({ id: reply.stanzaId, to: reply.direction === "out" ? ctx.info.jid : to }));
      if (quote > 0) stanza.append(buildFallback(NS_REPLY, { start: 0, end: quote }));
    }
    if (replaced?.stanzaId) stanza.append(buildReplace(replaced.stanzaId));
    stanza.append(activeState()); // XEP-0085 §5.1: sending a message ends "composing" at the contact
    const link = await this.transmit(ws, requestId, stanza);
    if (!link) return;
    const chat: ParsedChat = {
      peer: to,
      direction: "out",
      from: link.boundJid ?? ctx.info.jid,
      to,
      id,
      originId: id,
      archiveId: undefined,
      // A clear reply is stored without its quote, like one received (the encrypted one keeps the range).
      body:
        reply && !content.encrypted && quote > 0 ? stripRange(content.body, { start: 0, end: quote }) : content.body,
      encrypted: content.encrypted,
      ts: Date.now(),
      requestsReceipt: content.encrypted === null || content.encrypted.hasPayload,
      markable: true,
      replyTo: reply?.stanzaId ?? undefined,
      fallback: reply && content.encrypted && quote > 0 ? { start: 0, end: quote } : undefined,
    };
    if (replaced?.stanzaId) {
      this.actions.edited(chat, replaced.stanzaId);
      ctx.tabs.send(ws, { type: "ack", requestId, key: messageKey(chat) });
    } else {
      this.accept(chat, requestId);
    }
    await this.onSent(to);
  }

  /**
   * Sends a stanza of the user's through the outbox (stored before it goes out, dropped on the server's ack):
   * the link it went out on, or null when it did not (the tab was told).
   */
  async transmit(ws: WebSocket, requestId: string, stanza: Element): Promise<Link | null> {
    const { ctx } = this;
    const link = linkOrRefuse(ctx, ws, requestId);
    if (!link) return null;
    if (this.#outbox.full) {
      refuse(ctx.tabs, ws, "send-failed", "Not sent: too many messages are waiting for the server.", requestId);
      return null;
    }
    const id = stanza.attrs.id;
    if (typeof id !== "string") throw new Error("a stanza of the user's without an id");
    // Stored before it goes out, so that an eviction between send and the server's ack loses nothing.
    await this.#outbox.add(id, stanza.toString());
    try {
      await link.send(stanza);
    } catch (err) {
      // Not on the wire: the tab keeps the text and says so; nothing must go out later behind its back.
      await this.#outbox.acked(id);
      logFailure("send", err);
      refuse(ctx.tabs, ws, "send-failed", "Not sent: the connection failed.", requestId);
      return null;
    }
    await this.#placeInStream(link, id, stanza);
    this.#sentKeys.set(id, `o:${ctx.info.jid}:${id}`);
    if (this.#sentKeys.size > 5_000) {
      const first = this.#sentKeys.keys().next();
      if (!first.done) this.#sentKeys.delete(first.value);
    }
    return link;
  }

  /** Notes where a sent message sits in the stream, so a later <resumed h/> tells whether the server got it. */
  async #placeInStream(link: Link, id: string, stanza: Element): Promise<void> {
    const seq = link.seqOf(stanza);
    if (seq !== null && link.streamId) {
      await this.#outbox.placed({ id, xml: stanza.toString(), at: Date.now() }, link.streamId, seq);
    } else if (!link.smEnabled) {
      // Without stream management nothing will ever be acknowledged: keeping it would resend it at every login.
      await this.#outbox.acked(id);
    }
  }
}

/** What the actions feature does for the chat feature. */
export interface ChatActions {
  /** A correction of the user's went out: record it as an action on `target`. */
  edited(chat: ParsedChat, target: string): void;
  /** A message replying to an id not in memory: describe its target once stored (a message.update follows). */
  describe(peer: string, id: string): void;
}

/** Why a send is refused (a fixed text), or null: targets must exist; only one's own messages are corrected. */
function checkSend(
  frame: Extract<ClientFrame, { type: "message.send" | "message.send-encrypted" }>,
  content: { body: string; encrypted: EncryptedInfo | null },
  reply: MessageRef | null,
  replaced: MessageRef | null,
): string | null {
  if (frame.replyTo && !reply?.stanzaId) return "The message replied to is not known.";
  if (frame.replyTo && !content.encrypted && frame.replyTo.quoteLength > codePointLength(content.body)) {
    return "The quote is longer than the message.";
  }
  if (frame.replace) {
    if (!replaced?.stanzaId || replaced.direction !== "out") return "Only your own messages can be edited.";
    // An encrypted message's correction must not put its new text in clear (issue #7 §2).
    if (replaced.encrypted && !content.encrypted) return "An encrypted message is corrected encrypted.";
  }
  return null;
}
