// XEP-0424 Message Retraction: the sender asks everyone to forget a message. Version 0.4 (`message-retract:1`,
// a <retract id/> child) and the older fastening form (`message-retract:0` inside XEP-0422 <apply-to/>) are both
// read; both are sent, so clients of either generation honour it. Pure.
import { xml, type Element } from "@xmpp/xml";
import { buildFallback } from "./fallback.ts";

export const NS_RETRACT = "urn:xmpp:message-retract:1";
export const NS_RETRACT_0 = "urn:xmpp:message-retract:0";
export const NS_FASTEN = "urn:xmpp:fasten:0";
const NS_HINTS = "urn:xmpp:hints";

/** XEP-0424 §4: the text clients without retraction show instead. */
export const RETRACT_FALLBACK_TEXT =
  "This person attempted to retract a previous message, but it's unsupported by your client.";

/** The id of the retracted message, or null. */
export function parseRetract(message: Element): string | null {
  const id = message.getChild("retract", NS_RETRACT)?.attrs.id;
  if (id) return id.length <= 256 ? id : null;
  const applyTo = message.getChild("apply-to", NS_FASTEN);
  const old = applyTo?.attrs.id;
  if (applyTo?.getChild("retract", NS_RETRACT_0) && old) return old.length <= 256 ? old : null;
  return null;
}

/** XEP-0424 §4: a retraction of our message `target` (its id attribute), with the fallback body and a store hint. */
export function buildRetraction(to: string, id: string, target: string): Element {
  return xml(
    "message",
    { type: "chat", to, id },
    xml("retract", { xmlns: NS_RETRACT, id: target }),
    xml("apply-to", { xmlns: NS_FASTEN, id: target }, xml("retract", { xmlns: NS_RETRACT_0 })),
    buildFallback(NS_RETRACT),
    xml("body", {}, RETRACT_FALLBACK_TEXT),
    xml("store", { xmlns: NS_HINTS }),
  );
}
