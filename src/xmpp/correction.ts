// XEP-0308 Last Message Correction: a message that replaces an earlier one of the same sender. The id is the
// ORIGINAL message's id even when correcting a correction (XEP-0308 §4: "the id of the original message"). Pure.
import { xml, type Element } from "@xmpp/xml";

export const NS_CORRECT = "urn:xmpp:message-correct:0";

/** The id of the message this one replaces, or null. */
export function parseReplace(message: Element): string | null {
  const id = message.getChild("replace", NS_CORRECT)?.attrs.id;
  return id && id.length <= 256 ? id : null;
}

export function buildReplace(id: string): Element {
  return xml("replace", { xmlns: NS_CORRECT, id });
}
