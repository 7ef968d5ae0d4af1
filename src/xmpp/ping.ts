import { xml, type Element } from "@xmpp/xml";

export const NS_PING = "urn:xmpp:ping"; // XEP-0199

export function buildPing(): Element {
  return xml("ping", { xmlns: NS_PING });
}
