// XEP-0461 Message Replies: which message a message answers. In a 1:1 chat the id is the replied message's
// `id` attribute (XEP-0461 §3; Parley sends id = origin-id, so both agree); `to` is its author. Pure.
import { xml, type Element } from "@xmpp/xml";

export const NS_REPLY = "urn:xmpp:reply:0";

export interface ReplyRef {
  id: string;
  /** The author of the replied message, when given (a full or bare JID). */
  to: string | undefined;
}

const MAX_ID = 256;

export function parseReply(message: Element): ReplyRef | null {
  const reply = message.getChild("reply", NS_REPLY);
  const id = reply?.attrs.id;
  if (!reply || !id || id.length > MAX_ID) return null;
  return { id, to: reply.attrs.to };
}

export function buildReply(ref: { id: string; to: string }): Element {
  return xml("reply", { xmlns: NS_REPLY, id: ref.id, to: ref.to });
}
