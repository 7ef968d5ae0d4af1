// One-to-one chat (RFC 6121 §5): messages in (live, carbons, archive catch-up) deduplicated by key and fanned out
// at once, stored in batches; messages out, clear or OMEMO, kept in the outbox until the server acknowledges them
// (issue #6 §14); XEP-0184 receipts both ways.
import type { Element } from "@xmpp/xml";
import { assertNever, type ChatMessage, type ServerFrame } from "../../protocol/index.ts";
import { buildReceipt, buildChat, messageKey, parseMessage, type ParsedChat } from "../../xmpp/message.ts";
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

export class ChatFeature implements Feature {
  readonly #recent = new RecentKeys();
  /** Outgoing stanza id -> message key, so XEP-0184 receipts find their message. */
  readonly #sentKeys = new Map<string, string>();
  /** Latest message time seen per peer (ordering of same-second stamps). */
  readonly #lastTs = new Map<string, number>();
  readonly #outbox: Outbox;
  #lastArchiveId: string | undefined;

  constructor(
    private readonly ctx: FeatureContext,
    /** A message of the user went out to `peer` (the drafts feature clears that conversation's draft). */
    private readonly onSent: (peer: string) => Promise<void> = async () => undefined,
  ) {
    this.#outbox = new Outbox(ctx.storage);
  }

  readonly frames: Pick<FrameHandlers, "message.send" | "message.send-encrypted"> = {
    "message.send": (ws, frame) => this.#send(ws, frame.requestId, frame.to, { body: frame.body, encrypted: null }),
    "message.send-encrypted": async (ws, frame) => {
      // The tab encrypted (OMEMO); we only check the element's shape and relay it.
      const encrypted = parseEncryptedFromTab(frame.encrypted);
      if (!encrypted) {
        refuse(this.ctx.tabs, ws, "bad-encrypted", "not a valid OMEMO <encrypted/> element", frame.requestId);
        return;
      }
      await this.#send(ws, frame.requestId, frame.to, { body: "", encrypted });
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
  }

  restore(lastArchiveId: string | undefined): void {
    this.#lastArchiveId = lastArchiveId;
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
  accept(chat: ParsedChat, requestId?: string): ChatMessage | null {
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
    const conversation = this.ctx.state.applyMessage(message, true);
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
    this.ctx.store({
      kind: "message",
      message: { ...message, stanzaId: chat.id ?? null, archiveId: chat.archiveId ?? null },
      countUnread,
    });
    return message;
  }

  /** Sends a chat message (clear or OMEMO) for a tab, then records it like any other. */
  async #send(
    ws: WebSocket,
    requestId: string,
    to: string,
    content: { body: string; encrypted: EncryptedInfo | null },
  ): Promise<void> {
    const { ctx } = this;
    const link = linkOrRefuse(ctx, ws, requestId);
    if (!link) return;
    if (this.#outbox.full) {
      refuse(ctx.tabs, ws, "send-failed", "Not sent: too many messages are waiting for the server.", requestId);
      return;
    }
    const id = crypto.randomUUID();
    const stanza = content.encrypted ? buildEncryptedChat(to, id, content.encrypted) : buildChat(to, content.body, id);
    stanza.append(activeState()); // XEP-0085 §5.1: sending a message ends "composing" at the contact
    // Stored before it goes out, so that an eviction between send and the server's ack loses nothing.
    await this.#outbox.add(id, stanza.toString());
    try {
      await link.send(stanza);
    } catch (err) {
      // Not on the wire: the tab keeps the text and says so; nothing must go out later behind its back.
      await this.#outbox.acked(id);
      logFailure("send", err);
      refuse(ctx.tabs, ws, "send-failed", "Not sent: the connection failed.", requestId);
      return;
    }
    await this.#placeInStream(link, id, stanza);
    this.#sentKeys.set(id, `o:${ctx.info.jid}:${id}`);
    if (this.#sentKeys.size > 5_000) {
      const first = this.#sentKeys.keys().next();
      if (!first.done) this.#sentKeys.delete(first.value);
    }
    this.accept(
      {
        peer: to,
        direction: "out",
        from: link.boundJid ?? ctx.info.jid,
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
    await this.onSent(to);
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
