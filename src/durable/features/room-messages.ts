// Group chat messages of the rooms we are in (issue #8): in (live and archived, src/xmpp/groupchat.ts; stored in
// the room's conversation through the chat feature, keyed by the room's stanza-id; ours recognised by origin-id,
// occupant id or nickname) and out (the room's reflection is what is stored and shown, once, with the request id
// of the tab that sent it).
import type { Element } from "@xmpp/xml";
import type { ClientFrame } from "../../protocol/index.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { buildGroupchat, parseGroupchat } from "../../xmpp/groupchat.ts";
import { buildFallback } from "../../xmpp/fallback.ts";
import { parseSubject } from "../../xmpp/muc.ts";
import { buildEncryptedGroupchat, type EncryptedInfo } from "../../xmpp/omemo.ts";
import { NS_REPLY } from "../../xmpp/reply.ts";
import type { RoomParser } from "../archive.ts";
import type { ChatFeature } from "./chat.ts";
import { linkOrRefuse, logFailure, refuse, type FeatureContext } from "./context.ts";
import type { RoomEntry } from "./room-entry.ts";
import type { RoomActionsHook } from "./room-actions.ts";

/** What ./room-actions.ts adds to a send: reply and correction elements, and the correction's own row. */
export interface RoomSends {
  compose(
    entry: RoomEntry,
    frame: Extract<ClientFrame, { type: "message.send" }>,
  ): Promise<{ elements: Element[]; edit: { stanzaId: string | null } | null } | { refusal: string }>;
  /** Returns the correction's key. */
  edited(room: string, target: string, id: string, body: string): string;
  sent(id: string): void;
}

/** Sent messages whose reflection we wait for (origin-id -> the tab that sent it). */
const MAX_SENT = 1_000;

export class RoomMessages {
  readonly #sent = new Map<string, { ws: WebSocket; requestId: string }>();

  constructor(
    private readonly ctx: FeatureContext,
    private readonly chat: ChatFeature,
    private readonly onSent: (room: string) => Promise<void>,
    private readonly host: {
      /** The room's view changed (its subject). */
      changed(entry: RoomEntry): void;
      /** The newest archive id of the room seen. */
      archived(entry: RoomEntry, id: string): void;
      /** Replies, reactions, corrections, retractions, moderation in the room (./room-actions.ts). */
      actions(): RoomActionsHook & Partial<RoomSends>;
    },
  ) {}

  /** How the room's archive results read: ours by occupant id, real JID, or nickname where the room has no ids. */
  parser(entry: RoomEntry): RoomParser {
    return (result) => {
      const acted = this.host.actions().archived(entry, result);
      if (acted !== undefined) return acted;
      const parsed = parseGroupchat(result.message, entry.view.room, Date.now(), {
        archiveId: result.archiveId,
        delayHost: result.forwarded,
        occupantIds: entry.features.occupantIds,
      });
      if (!parsed) return null;
      const { chat } = parsed;
      const s = chat.sender;
      const ours =
        (entry.selfOccupantId !== undefined && s.occupantId === entry.selfOccupantId) ||
        s.jid === this.ctx.info.jid ||
        (s.occupantId === undefined && s.nick === entry.view.nick);
      const read: typeof chat = ours ? { ...chat, direction: "out" } : chat;
      this.host.actions().message(entry, read);
      return read;
    };
  }

  /** A live groupchat message: a subject change (§8.1), or a message stored and shown. */
  onGroupchat(entry: RoomEntry, el: Element): void {
    const subject = parseSubject(el);
    if (subject) {
      if (subject.subject === "") delete entry.view.subject;
      else entry.view.subject = subject.subject;
      this.host.changed(entry);
      return;
    }
    const parsed = parseGroupchat(el, entry.view.room, Date.now(), { occupantIds: entry.features.occupantIds });
    if (!parsed) return;
    const sent = parsed.originId === undefined ? undefined : this.#sent.get(parsed.originId);
    if (parsed.originId !== undefined) this.#sent.delete(parsed.originId);
    const s = parsed.chat.sender;
    // The sender's real address, as the room told us in their presence (§7.2.3; OMEMO in group chats decrypts by
    // it, issue #8 §2); with occupant ids both must name the same occupant.
    const occupant = s ? entry.occupants.get(s.nick) : undefined;
    if (
      s &&
      s.jid === undefined &&
      occupant?.realJid &&
      (s.occupantId === undefined || s.occupantId === occupant.occupantId)
    ) {
      s.jid = occupant.realJid;
    }
    const ours =
      sent !== undefined ||
      (entry.selfOccupantId !== undefined && s.occupantId === entry.selfOccupantId) ||
      s.nick === entry.view.nick;
    const chat: typeof parsed.chat = ours ? { ...parsed.chat, direction: "out" } : parsed.chat;
    this.host.actions().message(entry, chat);
    this.chat.accept(chat, sent?.requestId);
    if (parsed.chat.archiveId) this.host.archived(entry, parsed.chat.archiveId);
  }

  /** A message of ours the room refused (RFC 6120 §8.3): the tab that sent it is told. */
  onError(el: Element): boolean {
    const id = el.attrs.id;
    const sent = id === undefined ? undefined : this.#sent.get(id);
    if (!sent || id === undefined) return true;
    this.#sent.delete(id);
    const condition = XMPPError.fromStanzaError(el.getChild("error")).condition;
    refuse(this.ctx.tabs, sent.ws, "send-failed", condition, sent.requestId);
    return true;
  }

  /**
   * A message to the room: clear, or OMEMO (`encrypted`: the tab encrypted it for the members; room-omemo.ts checked
   * the room). A reply names the room's stanza-id; an encrypted reply's quote is inside the ciphertext.
   */
  async send(
    ws: WebSocket,
    sent: Extract<ClientFrame, { type: "message.send" | "message.send-encrypted" }>,
    entry: RoomEntry | undefined,
    encrypted: EncryptedInfo | null = null,
  ): Promise<void> {
    const { ctx } = this;
    if (!entry || entry.view.state !== "joined") {
      refuse(ctx.tabs, ws, "send-failed", "Not in this group chat.", sent.requestId);
      return;
    }
    if (encrypted && sent.replace) {
      const text = "Corrections of encrypted messages in group chats are not supported yet.";
      refuse(ctx.tabs, ws, "bad-frame", text, sent.requestId);
      return;
    }
    const { requestId, to, replyTo, replace } = sent;
    const body = sent.type === "message.send" ? sent.body : "";
    const frame: Extract<ClientFrame, { type: "message.send" }> = { type: "message.send", requestId, to, body };
    // The quote of an encrypted reply is counted in the plaintext, which the object never sees.
    if (replyTo) frame.replyTo = encrypted ? { key: replyTo.key, quoteLength: 0 } : replyTo;
    if (replace) frame.replace = replace;
    const actions = this.host.actions();
    // XEP-0461 and XEP-0308 in rooms (./room-actions.ts): the reply names the room's stanza-id.
    const composed = (frame.replyTo || frame.replace) && actions.compose ? await actions.compose(entry, frame) : null;
    if ((frame.replyTo || frame.replace) && (!composed || "refusal" in composed)) {
      const text = composed && "refusal" in composed ? composed.refusal : "Not available in group chats.";
      refuse(ctx.tabs, ws, "bad-frame", text, frame.requestId);
      return;
    }
    const elements = composed && !("refusal" in composed) ? composed.elements : [];
    const edit = composed && !("refusal" in composed) ? composed.edit : null;
    if (edit?.stanzaId && actions.edited) {
      // A correction is an action on its target (its reflection is recognised as ours), answered at once.
      const link = linkOrRefuse(ctx, ws, frame.requestId);
      if (!link) return;
      const id = crypto.randomUUID();
      const stanza = buildGroupchat(entry.view.room, frame.body, id);
      for (const el of elements) stanza.append(el);
      try {
        await link.send(stanza);
      } catch (err) {
        logFailure("sending to a room", err);
        refuse(ctx.tabs, ws, "send-failed", "Not sent: the connection failed.", frame.requestId);
        return;
      }
      const key = actions.edited(entry.view.room, edit.stanzaId, id, frame.body);
      ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId, key });
      await this.onSent(entry.view.room);
      return;
    }
    const quote = encrypted ? (replyTo?.quoteLength ?? 0) : 0;
    await this.relay(ws, frame.requestId, entry, (id) => {
      const stanza = encrypted
        ? buildEncryptedGroupchat(entry.view.room, id, encrypted)
        : buildGroupchat(entry.view.room, frame.body, id);
      for (const el of elements) stanza.append(el);
      // XEP-0428 for the quote inside the ciphertext, as in one-to-one chats.
      if (quote > 0) stanza.append(buildFallback(NS_REPLY, { start: 0, end: quote }));
      return stanza;
    });
  }

  /**
   * Sends `build(id)` to the room and waits for its reflection (what is stored and shown, with `requestId`); id is
   * the stanza's id and origin-id (XEP-0359 §4).
   */
  async relay(ws: WebSocket, requestId: string, entry: RoomEntry, build: (id: string) => Element): Promise<void> {
    const { ctx } = this;
    const link = linkOrRefuse(ctx, ws, requestId);
    if (!link) return;
    const id = crypto.randomUUID();
    // Its reflection is ours (./room-actions.ts knows our actions' ids too).
    this.host.actions().sent?.(id);
    this.#sent.set(id, { ws, requestId });
    if (this.#sent.size > MAX_SENT) {
      const first = this.#sent.keys().next();
      if (!first.done) this.#sent.delete(first.value);
    }
    try {
      await link.send(build(id));
    } catch (err) {
      this.#sent.delete(id);
      logFailure("sending to a room", err);
      refuse(ctx.tabs, ws, "send-failed", "Not sent: the connection failed.", requestId);
      return;
    }
    await this.onSent(entry.view.room);
  }
}
