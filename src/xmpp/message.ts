import { xml, type Element } from "@xmpp/xml";
import { bare } from "./jid.ts";
import { inspectEncrypted, NS_OMEMO_03, type EncryptedInfo } from "./omemo.ts";
import { parseReplace } from "./correction.ts";
import { codePointLength, parseFallback, stripRange, type CodePointRange } from "./fallback.ts";
import { parseReactions } from "./reactions.ts";
import { NS_REPLY, parseReply } from "./reply.ts";
import { parseRetract } from "./retraction.ts";

export const NS_CARBONS = "urn:xmpp:carbons:2"; // XEP-0280
export const NS_FORWARD = "urn:xmpp:forward:0"; // XEP-0297
export const NS_RECEIPTS = "urn:xmpp:receipts"; // XEP-0184
export const NS_SID = "urn:xmpp:sid:0"; // XEP-0359
export const NS_DELAY = "urn:xmpp:delay"; // XEP-0203
export const NS_HINTS = "urn:xmpp:hints"; // XEP-0334
export const NS_MARKERS = "urn:xmpp:chat-markers:0"; // XEP-0333

export interface ParsedChat {
  /** The other party's bare JID. */
  peer: string;
  direction: "in" | "out";
  from: string;
  to: string;
  /** The `id` attribute (what XEP-0184 receipts refer to). */
  id: string | undefined;
  originId: string | undefined;
  /** XEP-0359 stanza-id assigned by our own server (the archive id, XEP-0313 §5). */
  archiveId: string | undefined;
  /** Clear text; "" for an encrypted message (its fallback body is not the message). */
  body: string;
  /** An OMEMO element, relayed and stored as it is; only browsers decrypt it. */
  encrypted: EncryptedInfo | null;
  /** Milliseconds since the epoch: the XEP-0203 delay stamp, else `now`. */
  ts: number;
  requestsReceipt: boolean;
  /** XEP-0333: the sender wants to know when it was displayed. */
  markable: boolean;
  /** XEP-0461: the id of the message this one answers. */
  replyTo: string | undefined;
  /**
   * XEP-0428: the quote of a reply in an encrypted body (code points), for the browser to remove after
   * decrypting. A clear body's quote is removed here already.
   */
  fallback: CodePointRange | undefined;
  /** A group chat message (src/xmpp/groupchat.ts): its sender as the room names them. */
  sender?: GroupchatSender;
  /**
   * A group chat message: its own id as its sender gave it (XEP-0359 origin-id, else the id attribute), what
   * XEP-0308 corrections in rooms name it by (src/xmpp/room-actions.ts).
   */
  senderId?: string;
}

/** Who wrote a group chat message: nickname, XEP-0421 occupant id and real bare JID where the room gives them. */
export interface GroupchatSender {
  nick: string;
  occupantId?: string;
  jid?: string;
}

/** What a message does to an earlier one: replace it (XEP-0308), retract it (XEP-0424), react to it (XEP-0444). */
export type ParsedAction =
  | { kind: "edit"; target: string; chat: ParsedChat }
  | {
      kind: "retract" | "react";
      target: string;
      peer: string;
      direction: "in" | "out";
      from: string;
      /** The reactions (react only): the sender's whole set. */
      emojis: string[];
      ts: number;
      archiveId: string | undefined;
    };

export interface ParsedReceipt {
  peer: string;
  /** The id of the message being acknowledged. */
  id: string;
}

export type IncomingMessage =
  | { kind: "chat"; chat: ParsedChat }
  | { kind: "receipt"; receipt: ParsedReceipt }
  | { kind: "action"; action: ParsedAction }
  | { kind: "ignored" };

/**
 * The key Parley dedupes on: the sender's origin-id, else sender + id, else our server's archive id.
 * XEP-0359 §4 makes an origin-id unique per sender only, so the sender is part of the key.
 */
export function messageKey(m: Pick<ParsedChat, "originId" | "archiveId" | "id" | "from">): string {
  if (m.originId) return `o:${bare(m.from)}:${m.originId}`;
  if (m.id) return `i:${bare(m.from)}:${m.id}`;
  if (m.archiveId) return `a:${m.archiveId}`;
  return `r:${crypto.randomUUID()}`;
}

export function stampOf(el: Element, now: number): number {
  const stamp = el.getChild("delay", NS_DELAY)?.attrs.stamp;
  const t = stamp ? Date.parse(stamp) : Number.NaN;
  // A remote stamp is bounded: one from the future would sort a message above every later one, forever; one before
  // 1970 is nonsense (and search keys assume 0 <= ts, src/db/search.ts).
  return Number.isFinite(t) ? Math.min(Math.max(t, 0), now) : now;
}

/**
 * Parses a <message/> for our account `self` (bare). Unwraps XEP-0280 carbons, but only when they come from
 * our own bare JID (XEP-0280 §11: a carbon from anyone else is a forgery and is ignored).
 * `delayHost` is the element whose <delay/> applies (the MAM <forwarded/>, say).
 */
export function parseMessage(stanza: Element, self: string, now: number, delayHost?: Element): IncomingMessage {
  const fromAttr = stanza.attrs.from ?? self;
  for (const dir of ["received", "sent"] as const) {
    const carbon = stanza.getChild(dir, NS_CARBONS);
    if (!carbon) continue;
    if (bare(fromAttr) !== self) return { kind: "ignored" };
    const forwarded = carbon.getChild("forwarded", NS_FORWARD);
    const inner = forwarded?.getChild("message");
    if (!forwarded || !inner) return { kind: "ignored" };
    return parseMessage(inner, self, now, forwarded);
  }

  const type = stanza.attrs.type ?? "normal";
  if (type === "error" || type === "groupchat" || type === "headline") return { kind: "ignored" };
  const from = stanza.attrs.from ?? self;
  const to = stanza.attrs.to ?? self;
  const direction: "in" | "out" = bare(from) === self ? "out" : "in";
  const peer = direction === "out" ? bare(to) : bare(from);

  const received = stanza.getChild("received", NS_RECEIPTS);
  if (received?.attrs.id && direction === "in") return { kind: "receipt", receipt: { peer, id: received.attrs.id } };

  const archiveId = stanza
    .getChildren("stanza-id", NS_SID)
    .find((s) => s.attrs.by !== undefined && bare(s.attrs.by) === self)?.attrs.id;
  const ts = stampOf(delayHost ?? stanza, now);
  // A retraction's or a reaction's body is only a fallback for old clients (XEP-0424 §4, XEP-0444 §3).
  const retracted = parseRetract(stanza);
  const reactions = retracted === null ? parseReactions(stanza) : null;
  if (retracted !== null || reactions) {
    const action: ParsedAction = {
      kind: reactions ? "react" : "retract",
      target: reactions ? reactions.id : (retracted ?? ""),
      peer,
      direction,
      from,
      emojis: reactions ? reactions.emojis : [],
      ts,
      archiveId,
    };
    return { kind: "action", action };
  }

  const omemo = stanza.getChild("encrypted", NS_OMEMO_03);
  const encrypted = omemo ? inspectEncrypted(omemo) : null;
  let body = encrypted ? "" : stanza.getChildText("body");
  if (!encrypted && (body === null || body === "")) return { kind: "ignored" };
  const replyTo = parseReply(stanza)?.id;
  let fallback: CodePointRange | undefined;
  if (replyTo !== undefined) {
    // XEP-0461 §4 + XEP-0428: the quote of the replied message is for clients without replies. An encrypted
    // body's length is unknown here: the range is checked again by the browser after decrypting.
    const range = parseFallback(stanza, NS_REPLY, encrypted ? Number.MAX_SAFE_INTEGER : codePointLength(body ?? ""));
    if (range !== null && range !== "all") {
      if (encrypted) fallback = range;
      else if (body !== null) body = stripRange(body, range);
    }
  }
  const chat: ParsedChat = {
    peer,
    direction,
    from,
    to,
    id: stanza.attrs.id,
    originId: stanza.getChild("origin-id", NS_SID)?.attrs.id,
    archiveId,
    body: body ?? "",
    encrypted,
    ts,
    requestsReceipt: stanza.getChild("request", NS_RECEIPTS) !== undefined,
    markable: stanza.getChild("markable", NS_MARKERS) !== undefined,
    replyTo,
    fallback,
  };
  const replaces = parseReplace(stanza);
  if (replaces !== null) return { kind: "action", action: { kind: "edit", target: replaces, chat } };
  return { kind: "chat", chat };
}

/** A chat message with origin-id (XEP-0359 §4) and a receipt request (XEP-0184 §5.1); id = origin-id. */
export function buildChat(to: string, body: string, id: string): Element {
  return xml(
    "message",
    { type: "chat", to, id },
    xml("body", {}, body),
    xml("origin-id", { xmlns: NS_SID, id }),
    xml("request", { xmlns: NS_RECEIPTS }),
    xml("markable", { xmlns: NS_MARKERS }),
  );
}

/** XEP-0184 §5.2: the receipt echoes the message id; no receipt for receipts. */
export function buildReceipt(to: string, id: string): Element {
  return xml(
    "message",
    { to, id: crypto.randomUUID() },
    xml("received", { xmlns: NS_RECEIPTS, id }),
    xml("store", { xmlns: NS_HINTS }),
  );
}

/** XEP-0280 §4: the payload of the iq set that enables carbons. */
export function buildEnableCarbons(): Element {
  return xml("enable", { xmlns: NS_CARBONS });
}
