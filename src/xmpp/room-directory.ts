// Room search over the deployment's own group chat service (issue #8 §1 "Room search"): XEP-0030 disco#items on the
// server finds the service (XEP-0045 §6.1: identity conference/text), disco#items on the service lists its public
// rooms (§6.3), and each room's disco#info (§6.4, muc#roominfo) gives its name, description and participant count.
// Pure builders, parsers and the listing's filter and order; no I/O. Everything read from the network is bounded.
import { xml, type Element } from "@xmpp/xml";
import { NS_DISCO_INFO } from "./caps.ts";
import { parseBareJid } from "./jid.ts";
import { roomKind, type RoomInfo } from "./muc.ts";

export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

/** Items read from one disco#items answer (a service of more rooms than this is listed in part). */
export const MAX_DISCO_ITEMS = 1_000;
/** Longest name and description kept for a listing (the list shows a line or two of each). */
export const MAX_LISTING_NAME = 256;
export const MAX_LISTING_DESCRIPTION = 1_024;

export interface DiscoItem {
  jid: string;
  name?: string;
}

/** One room as the search lists it. */
export interface RoomListing {
  /** The room's address (bare JID). */
  room: string;
  name: string;
  description: string;
  /** Participants present, when the room says. */
  participants: number | null;
  kind: "group" | "channel" | "other";
}

/** XEP-0030 §4.1: ask an entity for its items. */
export function buildDiscoItems(): Element {
  return xml("query", { xmlns: NS_DISCO_ITEMS });
}

/** XEP-0030 §4.2: the items of a disco#items result, bare JIDs only (rooms, services), at most `max`. */
export function parseDiscoItems(iq: Element, max = MAX_DISCO_ITEMS): DiscoItem[] {
  const items = iq.getChild("query", NS_DISCO_ITEMS)?.getChildren("item") ?? [];
  const out: DiscoItem[] = [];
  const seen = new Set<string>();
  for (const item of items.slice(0, max * 2)) {
    if (out.length >= max) break;
    const raw = item.attrs.jid;
    if (typeof raw !== "string" || raw.includes("/") || item.attrs.node !== undefined) continue;
    // A service is a domain (no local part), a room is local@domain: both parse as a bare JID here.
    const jid = raw.includes("@") ? parseBareJid(raw) : parseDomain(raw);
    if (!jid || seen.has(jid)) continue;
    seen.add(jid);
    const name: unknown = item.attrs.name;
    out.push(typeof name === "string" && name !== "" ? { jid, name: name.slice(0, MAX_LISTING_NAME) } : { jid });
  }
  return out;
}

function parseDomain(raw: string): string | null {
  const parsed = parseBareJid(`x@${raw}`);
  return parsed ? parsed.slice(2) : null;
}

/** XEP-0045 §6.1: a disco#info answer from a group chat service (identity conference/text, the MUC feature). */
export function isMucService(iq: Element): boolean {
  const query = iq.getChild("query", NS_DISCO_INFO);
  if (!query) return false;
  const conference = query
    .getChildren("identity")
    .some((i) => i.attrs.category === "conference" && i.attrs.type === "text");
  const muc = query.getChildren("feature").some((f) => f.attrs.var === "http://jabber.org/protocol/muc");
  return conference && muc;
}

/** The listing of a room from its disco#info (the item's name when the room gives none, else its local part). */
export function listingFromInfo(room: string, info: RoomInfo | null, itemName?: string): RoomListing {
  const local = room.slice(0, room.indexOf("@"));
  return {
    room,
    name: (info?.name ?? itemName ?? local).slice(0, MAX_LISTING_NAME),
    description: (info?.description ?? "").slice(0, MAX_LISTING_DESCRIPTION),
    participants: info?.occupants ?? null,
    kind: info ? roomKind(info) : "channel",
  };
}

/** Unicode case folding as far as the search needs it (ß and ẞ, final sigma; NFKC for compatibility forms). */
export function fold(text: string): string {
  return text.normalize("NFKC").toLocaleLowerCase("und").replace(/ß/gu, "ss").replace(/ς/gu, "σ");
}

/** The listings whose name, address or description contain every word of `query` (case-folded); all when empty. */
export function filterListings(listings: readonly RoomListing[], query: string): RoomListing[] {
  const words = fold(query).split(/\s+/u).filter(Boolean);
  if (words.length === 0) return [...listings];
  return listings.filter((l) => {
    const hay = fold(`${l.name}\n${l.room}\n${l.description}`);
    return words.every((w) => hay.includes(w));
  });
}

/** Most participants first (unknown counts last), then by name, then by address: a stable order for paging. */
export function sortListings(listings: RoomListing[]): RoomListing[] {
  return listings.sort(
    (a, b) =>
      (b.participants ?? -1) - (a.participants ?? -1) ||
      a.name.localeCompare(b.name) ||
      (a.room < b.room ? -1 : a.room > b.room ? 1 : 0),
  );
}
