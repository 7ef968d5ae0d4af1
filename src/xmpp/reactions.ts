// XEP-0444 Message Reactions: a sender's whole current set of reactions to one message (an empty set removes
// them all). Each reaction is one emoji. Pure.
import { xml, type Element } from "@xmpp/xml";

export const NS_REACTIONS = "urn:xmpp:reactions:0";
const NS_HINTS = "urn:xmpp:hints";

/** A remote sender cannot make us keep more than this per message. */
export const MAX_REACTIONS_PER_SENDER = 20;
const MAX_REACTION_CHARS = 32;

/** Emoji only: no letters, digits, white space or markup (XEP-0444 §4: "a single emoji"). */
export function isReaction(text: string): boolean {
  return text.length > 0 && text.length <= MAX_REACTION_CHARS && !/[\s\p{L}\p{N}<>&]/u.test(text);
}

export interface ParsedReactions {
  /** The id of the message reacted to. */
  id: string;
  /** Distinct, in order, at most MAX_REACTIONS_PER_SENDER; what is not an emoji is dropped. */
  emojis: string[];
}

export function parseReactions(message: Element): ParsedReactions | null {
  const el = message.getChild("reactions", NS_REACTIONS);
  const id = el?.attrs.id;
  if (!el || !id || id.length > 256) return null;
  const emojis: string[] = [];
  for (const r of el.getChildren("reaction")) {
    const text = r.text().trim();
    if (isReaction(text) && !emojis.includes(text)) emojis.push(text);
    if (emojis.length >= MAX_REACTIONS_PER_SENDER) break;
  }
  return { id, emojis };
}

/** XEP-0444 §3: our whole set of reactions to `target` (its id attribute); stored in archives (XEP-0334). */
export function buildReactions(to: string, id: string, target: string, emojis: readonly string[]): Element {
  return xml(
    "message",
    { type: "chat", to, id },
    xml("reactions", { xmlns: NS_REACTIONS, id: target }, ...emojis.map((e) => xml("reaction", {}, e))),
    xml("store", { xmlns: NS_HINTS }),
  );
}
