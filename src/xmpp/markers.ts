// XEP-0333 Chat Markers (0.4): the <displayed/> we send when the user has seen a message, and those we receive
// (whether a message asked for markers, <markable/>, is parseMessage's `markable` in ./message.ts). Pure builders and parsers, no I/O.
import { xml, type Element } from "@xmpp/xml";
import { bare } from "./jid.ts";
import { NS_CARBONS, NS_FORWARD, NS_HINTS, NS_MARKERS } from "./message.ts";

export { NS_MARKERS };

/** Longest message id we look up (ids are ours or a peer's; anything longer is no id we stored). */
export const MAX_MARKER_ID = 256;

/**
 * A <displayed/> marker: `peer` is the other party. `ours` is true when it is our own, sent by another client of
 * the user (a XEP-0280 sent carbon): the user read the peer's message `id` there. Otherwise the peer read our
 * message `id`.
 */
export interface ParsedDisplayed {
  peer: string;
  id: string;
  ours: boolean;
}

/** XEP-0280 §11: unwraps a carbon, only when it comes from our own bare JID; null for a forged one. */
function unwrap(stanza: Element, self: string): Element | null {
  for (const dir of ["received", "sent"] as const) {
    const carbon = stanza.getChild(dir, NS_CARBONS);
    if (!carbon) continue;
    if (bare(stanza.attrs.from ?? self) !== self) return null;
    return carbon.getChild("forwarded", NS_FORWARD)?.getChild("message") ?? null;
  }
  return stanza;
}

/** XEP-0333 §8: markers are for one-to-one chats here (groupchat, errors and headlines are not ours to mark). */
function isChatType(message: Element): boolean {
  const type = message.attrs.type ?? "normal";
  return type === "chat" || type === "normal";
}

function validId(id: string | undefined): id is string {
  return id !== undefined && id.length > 0 && id.length <= MAX_MARKER_ID;
}

/** A <displayed/> marker in a message (live or carbon); null when there is none or it cannot be trusted. */
export function parseDisplayed(stanza: Element, self: string): ParsedDisplayed | null {
  if (stanza.name !== "message") return null;
  const message = unwrap(stanza, self);
  if (!message || !isChatType(message)) return null;
  const id = message.getChild("displayed", NS_MARKERS)?.attrs.id;
  if (!validId(id)) return null;
  const from = bare(message.attrs.from ?? self);
  const to = bare(message.attrs.to ?? self);
  if (from === self) return to === self ? null : { peer: to, id, ours: true };
  return { peer: from, id, ours: false };
}

/**
 * XEP-0333 §5: the user has seen the message `id` of `to` (and, §6, everything before it). A store hint
 * (XEP-0334 §4.4) so that the peer's offline clients and archive get it; no <markable/> on a marker (§5).
 */
export function buildDisplayed(to: string, id: string): Element {
  return xml(
    "message",
    { to, type: "chat", id: crypto.randomUUID() },
    xml("displayed", { xmlns: NS_MARKERS, id }),
    xml("store", { xmlns: NS_HINTS }),
  );
}
