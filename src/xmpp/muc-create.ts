// Creating group chats and channels (issue #8 §1): finding the deployment's MUC service (XEP-0030 disco#items on
// the server, then disco#info of each item: XEP-0045 §6.1), asking it for a unique room name (XEP-0307), or making
// an address from the name (a slug with a random suffix), reading the address a user typed for a channel, and the
// configuration each kind is created with. Pure builders and parsers, no I/O.
import { xml, type Element } from "@xmpp/xml";
import { NS_DISCO_INFO } from "./caps.ts";
import type { FieldValue } from "./forms.ts";
import { parseBareJid } from "./jid.ts";
import { NS_MUC, roomConfig, type RoomSettings } from "./muc.ts";

export { ROOM_LOCAL, roomAddress, slugAddress } from "./room-address.ts";

export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
export const NS_MUC_UNIQUE = "http://jabber.org/protocol/muc#unique"; // XEP-0307
/** Items of the server looked at when searching for its MUC service. */
export const MAX_SERVICE_ITEMS = 20;

/** XEP-0030 §4.1: the items of an entity. */
export function buildDiscoItems(): Element {
  return xml("query", { xmlns: NS_DISCO_ITEMS });
}

/** The JIDs of a disco#items result (bounded; items with a node are not entities of their own). */
export function parseDiscoItems(iq: Element, max = MAX_SERVICE_ITEMS): string[] {
  const items = iq.getChild("query", NS_DISCO_ITEMS)?.getChildren("item") ?? [];
  const out: string[] = [];
  for (const item of items) {
    if (out.length >= max) break;
    const jid = item.attrs.jid;
    if (typeof jid !== "string" || item.attrs.node !== undefined) continue;
    // A service is a bare domain: no local part, no resource.
    if (jid.includes("@") || jid.includes("/") || !/^[\p{L}\p{N}.-]{1,1023}$/u.test(jid)) continue;
    out.push(jid.toLowerCase());
  }
  return out;
}

export interface MucService {
  jid: string;
  /** XEP-0307: the service hands out unique room names. */
  unique: boolean;
}

/** XEP-0045 §6.1: a disco#info answer of `jid` that says it is a MUC service (conference/text + the MUC feature). */
export function parseMucService(jid: string, iq: Element): MucService | null {
  const query = iq.getChild("query", NS_DISCO_INFO);
  if (!query) return null;
  const conference = query
    .getChildren("identity")
    .some((i) => i.attrs.category === "conference" && i.attrs.type === "text");
  const features = new Set(
    query
      .getChildren("feature")
      .slice(0, 200)
      .map((f) => f.attrs.var),
  );
  if (!conference || !features.has(NS_MUC)) return null;
  return { jid, unique: features.has(NS_MUC_UNIQUE) };
}

/** XEP-0307 §2: ask the service for a unique room name. */
export function buildUniqueRequest(): Element {
  return xml("unique", { xmlns: NS_MUC_UNIQUE });
}

/** XEP-0307 §2: the unique room address the service answered (its text is the local part); null if unusable. */
export function parseUnique(iq: Element, service: string): string | null {
  const text = iq.getChild("unique", NS_MUC_UNIQUE)?.text().trim() ?? "";
  if (text === "" || text.length > 256 || text.includes("@")) return null;
  return parseBareJid(`${text}@${service}`);
}

/**
 * The configuration a new room is submitted with (XEP-0045 §10.1.3, right after status 201): the two kinds of
 * issue #8 §1 (src/xmpp/muc.ts roomConfig), and in a group chat members may invite (Prosody's own field: a
 * mediated invitation from a member then makes the invitee a member, as the Modern XMPP group chat expects).
 */
export function createConfig(kind: "group" | "channel", settings: RoomSettings): Record<string, FieldValue> {
  return {
    ...roomConfig(kind, settings),
    "{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites": kind === "group",
  };
}
