// Service discovery (XEP-0030) and entity capabilities (XEP-0115): what Parley's session supports, so the
// server sends the PEP notifications it wants (XEP-0163 §4.3.2: "+notify" features).
import { xml, type Element } from "@xmpp/xml";

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_CAPS = "http://jabber.org/protocol/caps";
export const CAPS_NODE = "https://parley.invalid/caps";
const IDENTITY = { category: "client", type: "web", name: "Parley" };

export const FEATURES = [
  NS_CAPS,
  NS_DISCO_INFO,
  "eu.siacs.conversations.axolotl.devicelist+notify", // XEP-0384 v0.3 §4.2
  "urn:xmpp:carbons:2",
  "urn:xmpp:eme:0",
  "urn:xmpp:ping",
  "urn:xmpp:chat-markers:0", // XEP-0333 §3
  "urn:xmpp:mds:displayed:0+notify", // XEP-0490 §5
  "urn:xmpp:receipts",
  "urn:xmpp:bookmarks:1+notify", // XEP-0402 §4: changes by the user's other clients
  "http://jabber.org/protocol/muc", // XEP-0045 §6.1
  "jabber:x:conference", // XEP-0249 §4: direct invitations are understood
].sort();

/** XEP-0115 §5.1: the verification string, SHA-1, base64. */
export async function capsVer(): Promise<string> {
  const s = `${IDENTITY.category}/${IDENTITY.type}//${IDENTITY.name}<${FEATURES.map((f) => `${f}<`).join("")}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s)));
  let bin = "";
  for (const b of digest) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** XEP-0115 §4: the <c/> element for our presence. */
export function buildCaps(ver: string): Element {
  return xml("c", { xmlns: NS_CAPS, hash: "sha-1", node: CAPS_NODE, ver });
}

/** XEP-0030 §3.1: our disco#info (for the bare query or the caps node#ver). */
export function buildDiscoInfo(node?: string): Element {
  return xml(
    "query",
    { xmlns: NS_DISCO_INFO, node },
    xml("identity", IDENTITY),
    ...FEATURES.map((f) => xml("feature", { var: f })),
  );
}
