import { xml, type Element } from "@xmpp/xml";
import { bare, resourceOf } from "./jid.ts";

export type Show = "online" | "chat" | "away" | "xa" | "dnd";

export interface PresenceUpdate {
  jid: string;
  resource: string;
  available: boolean;
  show: Show;
  status: string;
  priority: number;
}

export type IncomingPresence =
  | { kind: "update"; update: PresenceUpdate }
  | { kind: "subscribe"; jid: string }
  | { kind: "subscribed" | "unsubscribe" | "unsubscribed"; jid: string }
  | { kind: "ignored" };

const MAX_STATUS = 1024;

function parseShow(value: string | null): Show {
  switch (value) {
    case "chat":
    case "away":
    case "xa":
    case "dnd":
      return value;
    default:
      return "online";
  }
}

/** RFC 6121 §4.7: presence syntax. MUC presences (XEP-0045) are left to the MUC module. */
export function parsePresence(stanza: Element): IncomingPresence {
  const from = stanza.attrs.from;
  if (!from) return { kind: "ignored" };
  if (stanza.getChild("x", "http://jabber.org/protocol/muc#user")) return { kind: "ignored" };
  const type = stanza.attrs.type;
  switch (type) {
    case undefined:
    case "unavailable": {
      const priority = Number.parseInt(stanza.getChildText("priority") ?? "0", 10);
      return {
        kind: "update",
        update: {
          jid: bare(from),
          resource: resourceOf(from),
          available: type === undefined,
          show: parseShow(stanza.getChildText("show")),
          status: (stanza.getChildText("status") ?? "").slice(0, MAX_STATUS),
          priority: Number.isFinite(priority) ? Math.max(-128, Math.min(127, priority)) : 0,
        },
      };
    }
    case "subscribe":
    case "subscribed":
    case "unsubscribe":
    case "unsubscribed":
      return { kind: type, jid: bare(from) };
    default:
      return { kind: "ignored" };
  }
}

/** RFC 6121 §4.2: initial / updated own presence, with our XEP-0115 capabilities when given. */
export function buildPresence(show: Show, status: string, caps?: Element): Element {
  return xml(
    "presence",
    {},
    show !== "online" && xml("show", {}, show),
    status !== "" && xml("status", {}, status),
    caps,
  );
}

export function buildUnavailable(): Element {
  return xml("presence", { type: "unavailable" });
}

/** RFC 6121 §3: subscription management. */
export function buildSubscription(
  to: string,
  type: "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed",
): Element {
  return xml("presence", { to, type });
}
