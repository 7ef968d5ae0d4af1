import { xml, type Element } from "@xmpp/xml";
import { bare } from "./jid.ts";

export const NS_ROSTER = "jabber:iq:roster"; // RFC 6121 §2

export type Subscription = "none" | "to" | "from" | "both";

export interface RosterItem {
  jid: string;
  name: string;
  subscription: Subscription;
  /** RFC 6121 §2.1.2.2: a subscription request we sent is pending. */
  ask: boolean;
  groups: string[];
}

export type RosterChange = { kind: "set"; item: RosterItem } | { kind: "remove"; jid: string };

function parseSubscription(value: string | undefined): Subscription | "remove" {
  switch (value) {
    case "to":
    case "from":
    case "both":
    case "remove":
      return value;
    default:
      return "none";
  }
}

export function parseRosterItems(query: Element | undefined): RosterChange[] {
  if (!query) return [];
  const out: RosterChange[] = [];
  for (const item of query.getChildren("item")) {
    const jid = item.attrs.jid;
    if (!jid) continue;
    const subscription = parseSubscription(item.attrs.subscription);
    if (subscription === "remove") {
      out.push({ kind: "remove", jid: bare(jid) });
      continue;
    }
    out.push({
      kind: "set",
      item: {
        jid: bare(jid),
        name: (item.attrs.name ?? "").slice(0, 256),
        subscription,
        ask: item.attrs.ask === "subscribe",
        groups: item.getChildren("group").map((g) => g.text().slice(0, 256)),
      },
    });
  }
  return out;
}

/** RFC 6121 §2.1.3: roster get. */
export function buildRosterGet(): Element {
  return xml("query", { xmlns: NS_ROSTER });
}

/** RFC 6121 §2.3: add or update an item. */
export function buildRosterSet(jid: string, name?: string): Element {
  return xml("query", { xmlns: NS_ROSTER }, xml("item", { jid, name: name || undefined }));
}

/**
 * RFC 6121 §2.1.6: a roster push is only valid from our own account (no from, or our bare JID);
 * anything else is a spoof and must be ignored.
 */
export function isValidRosterPush(stanza: Element, self: string): boolean {
  const from = stanza.attrs.from;
  return from === undefined || bare(from) === self;
}
