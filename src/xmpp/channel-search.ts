// XEP-0433 Extended Channel Search: when the deployment's admin names a search service (PARLEY_CHANNEL_SEARCH_JID),
// the room search asks it instead of walking the local group chat service (issue #8 §1 "Room search"). Pure
// builder and parser, no I/O; what a remote service answers is bounded like a disco#items walk.
import { xml, type Element } from "@xmpp/xml";
import { buildSubmitForm, type FieldValue } from "./forms.ts";
import { parseBareJid } from "./jid.ts";
import { MAX_DISCO_ITEMS, MAX_LISTING_DESCRIPTION, MAX_LISTING_NAME, type RoomListing } from "./room-directory.ts";

/** XEP-0433 §3.2: the search element and the search form's FORM_TYPE. */
export const NS_CHANNEL_SEARCH = "urn:xmpp:channel-search:0:search";
export const NS_CHANNEL_SEARCH_PARAMS = "urn:xmpp:channel-search:0:search-params";
/** §5.2 sort key: most online users first. */
export const ORDER_BY_USERS = "{urn:xmpp:channel-search:0:order}nusers";
const NS_RSM = "http://jabber.org/protocol/rsm";

/**
 * §3.2.2: a keyword search in name, description and address, most users first, at most `max` results (XEP-0059).
 * An empty query asks for all entries (the `all` field; a service may refuse it with full-set-retrieval-rejected).
 */
export function buildChannelSearch(query: string, max: number): Element {
  const q = query.trim();
  const fields: Record<string, FieldValue> = q
    ? { q, sinname: true, sindescription: true, sinaddr: true, key: ORDER_BY_USERS }
    : { all: true, key: ORDER_BY_USERS };
  return xml(
    "search",
    { xmlns: NS_CHANNEL_SEARCH },
    xml("set", { xmlns: NS_RSM }, xml("max", {}, String(max))),
    buildSubmitForm(NS_CHANNEL_SEARCH_PARAMS, fields),
  );
}

/**
 * §3.2.2.1 and §6.2: the result items as listings. Items without a valid address are skipped; `nusers` that is not a
 * non-negative integer counts as unknown. An open channel (`is-open`) is a "channel", anything else "other" (the
 * service says nothing of members-only or address visibility).
 */
export function parseChannelSearch(iq: Element, max = MAX_DISCO_ITEMS): RoomListing[] {
  const items = iq.getChild("result", NS_CHANNEL_SEARCH)?.getChildren("item") ?? [];
  const out: RoomListing[] = [];
  const seen = new Set<string>();
  for (const item of items.slice(0, max)) {
    const address = item.attrs.address;
    const room = typeof address === "string" ? parseBareJid(address) : null;
    if (!room || seen.has(room)) continue;
    seen.add(room);
    const nusers = item.getChildText("nusers");
    const count = nusers !== null && /^\d{1,9}$/u.test(nusers.trim()) ? Number(nusers.trim()) : null;
    const name = item.getChildText("name")?.trim();
    out.push({
      room,
      name: (name || room.slice(0, room.indexOf("@"))).slice(0, MAX_LISTING_NAME),
      description: (item.getChildText("description") ?? "").slice(0, MAX_LISTING_DESCRIPTION),
      participants: count,
      kind: item.getChild("is-open") ? "channel" : "other",
    });
  }
  return out;
}
