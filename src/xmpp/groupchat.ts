// Group chat messages (XEP-0045 §7.4, issue #8), live and from the room's archive (XEP-0313 on the room): one
// parser, so both give the same message with the same key. A room message is named by the room's XEP-0359
// stanza-id (by = the room): what replies, reactions, moderation and read positions refer to in a room, and the
// key that dedupes the live copy against the archived one. Pure, no I/O; everything read is bounded.
import { xml, type Element } from "@xmpp/xml";
import { bare, parseBareJid, resourceOf } from "./jid.ts";
import { MAX_NICK, NS_MUC_USER, NS_OCCUPANT_ID } from "./muc.ts";
import { inspectEncrypted, NS_OMEMO_03 } from "./omemo.ts";
import { codePointLength, parseFallback, stripRange, type CodePointRange } from "./fallback.ts";
import { NS_SID, stampOf, type GroupchatSender, type ParsedChat } from "./message.ts";
import { NS_REPLY, parseReply } from "./reply.ts";
import { parseRetract } from "./retraction.ts";
import { parseReactions } from "./reactions.ts";

const MAX_ID = 256;

export interface GroupchatOptions {
  /** The room's archive id of this message (the MAM result's id), when it comes from the archive. */
  archiveId?: string;
  /** The element whose XEP-0203 delay applies (the MAM <forwarded/>). */
  delayHost?: Element;
  /** The room announces XEP-0421 (disco#info): only then is an occupant-id the room's own (XEP-0421 §4). */
  occupantIds: boolean;
}

export interface ParsedGroupchat {
  chat: ParsedChat & { sender: GroupchatSender };
  /** The sender's XEP-0359 origin-id: how we recognise our own message reflected by the room. */
  originId: string | undefined;
}

/**
 * A groupchat message with a body (or an OMEMO payload) from an occupant of `room`; null for anything else:
 * another type, another sender, the room's own messages (subject, status: no nickname), retractions and reactions
 * (their body is a fallback, XEP-0424 §4, XEP-0444 §3). The direction is "in": the caller knows whether the
 * sender is us (origin-id, nickname, occupant id).
 */
export function parseGroupchat(
  stanza: Element,
  room: string,
  now: number,
  options: GroupchatOptions,
): ParsedGroupchat | null {
  if (stanza.attrs.type !== "groupchat") return null;
  const from = stanza.attrs.from;
  if (typeof from !== "string" || bare(from) !== room) return null;
  const nick = resourceOf(from);
  if (nick === "" || nick.length > MAX_NICK) return null;
  if (parseRetract(stanza) !== null || parseReactions(stanza)) return null;
  const omemo = stanza.getChild("encrypted", NS_OMEMO_03);
  const encrypted = omemo ? inspectEncrypted(omemo) : null;
  let body = encrypted ? "" : (stanza.getChildText("body") ?? "");
  if (!encrypted && body === "") return null;
  // XEP-0359 §3.1: the room's stanza-id (a room strips ones claiming to be by it); from the archive, the result id.
  const stamped = stanza.getChildren("stanza-id", NS_SID).find((s) => s.attrs.by === room)?.attrs.id;
  const archiveId = options.archiveId ?? (stamped && stamped.length <= MAX_ID ? stamped : undefined);
  const replyTo = parseReply(stanza)?.id;
  let fallback: CodePointRange | undefined;
  if (replyTo !== undefined) {
    const range = parseFallback(stanza, NS_REPLY, encrypted ? Number.MAX_SAFE_INTEGER : codePointLength(body));
    if (range !== null && range !== "all") {
      if (encrypted) fallback = range;
      else body = stripRange(body, range);
    }
  }
  const sender: GroupchatSender = { nick };
  if (options.occupantIds) {
    const oid = stanza.getChildren("occupant-id", NS_OCCUPANT_ID)[0]?.attrs.id;
    if (typeof oid === "string" && oid !== "" && oid.length <= MAX_ID) sender.occupantId = oid;
  }
  // Real JIDs in a message come only from the room's archive (XEP-0313 §5.1.2: the room adds them to archived
  // messages when its occupants may see them); a live message's muc#user payload is the sender's to make up.
  if (options.archiveId !== undefined) {
    const real = stanza.getChild("x", NS_MUC_USER)?.getChild("item")?.attrs.jid;
    const jid = typeof real === "string" ? parseBareJid(bare(real)) : null;
    if (jid) sender.jid = jid;
  }
  const origin = stanza.getChild("origin-id", NS_SID)?.attrs.id;
  const id = archiveId ?? stanza.attrs.id;
  return {
    chat: {
      peer: room,
      direction: "in",
      from,
      to: stanza.attrs.to ?? "",
      // The room's stanza-id is the message's id in a room (XEP-0461 §3, XEP-0424 §4 and XEP-0444 §3 in groups):
      // as `id` it is the stored stanza_id, and the key (src/xmpp/message.ts messageKey: "i:<room>:<stanza-id>").
      id: id && id.length <= MAX_ID ? id : undefined,
      originId: undefined,
      archiveId,
      body,
      encrypted,
      ts: stampOf(options.delayHost ?? stanza, now),
      requestsReceipt: false,
      // XEP-0333 markers in rooms go by the room's stanza-id and as groupchat (issue #8, not done yet): a room
      // message is never markable here, so reading a room sends no one-to-one marker to it.
      markable: false,
      replyTo,
      fallback,
      sender,
      senderId: senderIdOf(origin, stanza.attrs.id),
    },
    originId: origin && origin.length <= MAX_ID ? origin : undefined,
  };
}

/** The sender's own id of a message: its origin-id (XEP-0359 §4), else its id attribute (bounded). */
function senderIdOf(origin: string | undefined, id: string | undefined): string | undefined {
  if (origin && origin.length <= MAX_ID) return origin;
  return id && id.length <= MAX_ID ? id : undefined;
}

/** A groupchat message to `room` (XEP-0045 §7.4) with an origin-id (XEP-0359 §4) = id. */
export function buildGroupchat(room: string, body: string, id: string): Element {
  return xml(
    "message",
    { type: "groupchat", to: room, id },
    xml("body", {}, body),
    xml("origin-id", { xmlns: NS_SID, id }),
  );
}
