// XEP-0045 Multi-User Chat as Parley speaks it (issue #8): joining without legacy history (the room's archive,
// XEP-0313, is read instead), occupants' presences with their status codes and XEP-0421 occupant ids, the room's
// disco#info, owner configuration, affiliations and roles, the subject, destruction, reserved nicks, and XEP-0410
// self-ping. Pure builders and parsers, no I/O; everything read from a room is bounded.
import { xml, type Element } from "@xmpp/xml";
import { NS_DISCO_INFO } from "./caps.ts";
import { XMPPError } from "./errors.ts";
import { buildSubmitForm, findForm, NS_DATA, parseForm, type FieldValue } from "./forms.ts";
import { bare, parseBareJid, resourceOf } from "./jid.ts";
import { NS_PING } from "./ping.ts";
import type { Show } from "./presence.ts";

export const NS_MUC = "http://jabber.org/protocol/muc";
export const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
export const NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin";
export const NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner";
export const NS_OCCUPANT_ID = "urn:xmpp:occupant-id:0"; // XEP-0421
export const NS_MUC_ROOMCONFIG = "http://jabber.org/protocol/muc#roomconfig";
export const NS_MUC_ROOMINFO = "http://jabber.org/protocol/muc#roominfo";

export type Affiliation = "owner" | "admin" | "member" | "outcast" | "none";
export type Role = "moderator" | "participant" | "visitor" | "none";

const AFFILIATIONS: readonly Affiliation[] = ["owner", "admin", "member", "outcast", "none"];
const ROLES: readonly Role[] = ["moderator", "participant", "visitor", "none"];

/** Longest nickname kept (Prosody allows 1023 bytes; nobody needs more than this on screen). */
export const MAX_NICK = 256;
const MAX_STATUS = 1024;
const MAX_REASON = 1024;
const MAX_CODES = 16;
const MAX_OCCUPANT_ID = 256;
/** Items read from one affiliation list (a big channel's member list is long; the rest is paged by the caller). */
export const MAX_AFFILIATION_ITEMS = 10_000;

function affiliationOf(value: string | undefined): Affiliation {
  return AFFILIATIONS.find((a) => a === value) ?? "none";
}

function roleOf(value: string | undefined): Role {
  return ROLES.find((r) => r === value) ?? "none";
}

function showOf(value: string | null): Show {
  return value === "chat" || value === "away" || value === "xa" || value === "dnd" ? value : "online";
}

function textOf(el: Element | undefined, max: number): string | undefined {
  const t = el?.text();
  return t ? t.slice(0, max) : undefined;
}

// ---- joining ---------------------------------------------------------------------------------------------------

/**
 * XEP-0045 §7.2.1 with §7.2.14: join as `nick`, asking for no legacy history (maxchars="0"): the room's archive
 * (XEP-0313 on the room) is read instead, with the same gap tracking as one-to-one chats.
 */
export function buildJoin(room: string, nick: string, password?: string): Element {
  return xml(
    "presence",
    { to: `${room}/${nick}` },
    xml("x", { xmlns: NS_MUC }, xml("history", { maxchars: "0" }), password ? xml("password", {}, password) : null),
  );
}

/** XEP-0045 §7.14: leave the room. */
export function buildLeave(room: string, nick: string): Element {
  return xml("presence", { to: `${room}/${nick}`, type: "unavailable" });
}

/** The next nickname to try after a conflict (XEP-0045 §7.2.9): "ann", "ann_2", "ann_3", … */
export function nextNick(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base.slice(0, MAX_NICK - 8)}_${attempt}`;
}

// ---- occupants ---------------------------------------------------------------------------------------------------

export interface Occupant {
  /** The room (bare JID) and the occupant's nickname in it (the presence's resource). */
  room: string;
  nick: string;
  available: boolean;
  show: Show;
  status: string;
  affiliation: Affiliation;
  role: Role;
  /** The real bare JID, when the room shows it to us (non-anonymous rooms, or we moderate). */
  realJid?: string;
  /** XEP-0421: stable per occupant and room, when the room provides it. */
  occupantId?: string;
  /** XEP-0045 §15.6 status codes (110 self, 201 created, 303 nick change, 301 banned, 307 kicked, …). */
  codes: number[];
  /** Status 303: the new nickname. */
  newNick?: string;
  /** Who kicked or banned, and why (§9.1, §9.2). */
  actor?: string;
  reason?: string;
  /** §10.9: the room was destroyed (optionally pointing at another). */
  destroyed?: { reason?: string; alternate?: string };
}

/**
 * An occupant's presence from a room (XEP-0045 §7.2.3): null when the stanza is not one (no muc#user payload, or
 * not from an occupant JID). Error presences are parseJoinError's.
 */
/** The XEP-0045 status codes of a presence or message (§15.5.4), bounded. */
export function statusCodes(stanza: Element): number[] {
  const x = stanza.getChild("x", NS_MUC_USER);
  if (!x) return [];
  return x
    .getChildren("status")
    .slice(0, MAX_CODES)
    .map((s) => Number(s.attrs.code))
    .filter((c) => Number.isInteger(c) && c >= 100 && c < 1000);
}

/** True when the stanza carries XEP-0045 status `code`. */
export function hasStatus(stanza: Element, code: number): boolean {
  return statusCodes(stanza).includes(code);
}

export function parseOccupant(stanza: Element): Occupant | null {
  const from = stanza.attrs.from;
  const type = stanza.attrs.type;
  if (typeof from !== "string" || (type !== undefined && type !== "unavailable")) return null;
  const x = stanza.getChild("x", NS_MUC_USER);
  if (!x) return null;
  const room = parseBareJid(bare(from));
  const nick = resourceOf(from);
  if (!room || nick === "" || nick.length > MAX_NICK) return null;
  const item = x.getChild("item");
  const codes = statusCodes(stanza);
  const occupant: Occupant = {
    room,
    nick,
    available: type === undefined,
    show: showOf(stanza.getChildText("show")),
    status: (stanza.getChildText("status") ?? "").slice(0, MAX_STATUS),
    affiliation: affiliationOf(item?.attrs.affiliation),
    role: roleOf(item?.attrs.role),
    codes,
  };
  const real = typeof item?.attrs.jid === "string" ? parseBareJid(bare(item.attrs.jid)) : null;
  if (real) occupant.realJid = real;
  // XEP-0421 §4: only the room's own occupant-id counts; a room that does not support it strips none, so the
  // caller trusts it only where disco#info announces the feature.
  const oid = stanza.getChildren("occupant-id", NS_OCCUPANT_ID)[0]?.attrs.id;
  if (typeof oid === "string" && oid !== "" && oid.length <= MAX_OCCUPANT_ID) occupant.occupantId = oid;
  const newNick = item?.attrs.nick;
  if (codes.includes(303) && typeof newNick === "string" && newNick !== "" && newNick.length <= MAX_NICK) {
    occupant.newNick = newNick;
  }
  const actor = item?.getChild("actor")?.attrs.nick;
  if (typeof actor === "string" && actor !== "") occupant.actor = actor.slice(0, MAX_NICK);
  const reason = textOf(item?.getChild("reason"), MAX_REASON);
  if (reason) occupant.reason = reason;
  const destroy = x.getChild("destroy");
  if (destroy) {
    occupant.destroyed = {};
    const why = textOf(destroy.getChild("reason"), MAX_REASON);
    if (why) occupant.destroyed.reason = why;
    const alt = typeof destroy.attrs.jid === "string" ? parseBareJid(destroy.attrs.jid) : null;
    if (alt) occupant.destroyed.alternate = alt;
  }
  return occupant;
}

/** Status 110 (§7.2.3): this presence is about us. */
export function isSelfPresence(occupant: Occupant): boolean {
  return occupant.codes.includes(110);
}

/** A room's refusal of our join (§7.2.6–§7.2.11), as an XMPPError; null when the stanza is not an error. */
export function parseJoinError(stanza: Element): XMPPError | null {
  if (stanza.attrs.type !== "error") return null;
  return XMPPError.fromStanzaError(stanza.getChild("error"));
}

// ---- the room's description (disco#info, §6.4) ------------------------------------------------------------------

export interface RoomInfo {
  name?: string;
  description?: string;
  subject?: string;
  /** Participants currently in the room (muc#roominfo_occupants), when the room says. */
  occupants?: number;
  /** XEP-0486: the room's avatar hashes (vCard-temp), when the room says. */
  avatarHashes: string[];
  membersOnly: boolean;
  nonAnonymous: boolean;
  persistent: boolean;
  public: boolean;
  passwordProtected: boolean;
  moderated: boolean;
  /** XEP-0313 on the room. */
  archived: boolean;
  /** XEP-0421. */
  occupantIds: boolean;
  /** XEP-0425: the newest moderation namespace the room speaks, or null. */
  moderation: "urn:xmpp:message-moderate:1" | "urn:xmpp:message-moderate:0" | null;
  /** XEP-0359: the room stamps messages with its stanza-id. */
  stableIds: boolean;
}

/**
 * What Parley calls the room (issue #8 §1, Modern XMPP): a "group" chat is members-only and non-anonymous (and
 * may be encrypted, §2); a "channel" is open; anything else (a members-only semi-anonymous room) is "other".
 */
export function roomKind(info: Pick<RoomInfo, "membersOnly" | "nonAnonymous">): "group" | "channel" | "other" {
  if (info.membersOnly && info.nonAnonymous) return "group";
  if (!info.membersOnly) return "channel";
  return "other";
}

export function buildDiscoInfo(node?: string): Element {
  return xml("query", node ? { xmlns: NS_DISCO_INFO, node } : { xmlns: NS_DISCO_INFO });
}

/** A disco#info result from a room; null when it is not a conference (XEP-0045 §6.4). */
export function parseRoomInfo(iq: Element): RoomInfo | null {
  const query = iq.getChild("query", NS_DISCO_INFO);
  if (!query) return null;
  const identity = query.getChildren("identity").find((i) => i.attrs.category === "conference");
  if (!identity) return null;
  const features = new Set(
    query
      .getChildren("feature")
      .slice(0, 200)
      .map((f) => f.attrs.var)
      .filter((v): v is string => typeof v === "string"),
  );
  const form = findForm(query, NS_MUC_ROOMINFO);
  const field = (name: string): string | undefined => form?.fields.get(name)?.[0];
  const info: RoomInfo = {
    avatarHashes: (form?.fields.get("muc#roominfo_avatarhash") ?? []).filter((h) => /^[0-9a-f]{40}$/u.test(h)),
    membersOnly: features.has("muc_membersonly"),
    nonAnonymous: features.has("muc_nonanonymous"),
    persistent: features.has("muc_persistent"),
    public: features.has("muc_public"),
    passwordProtected: features.has("muc_passwordprotected"),
    moderated: features.has("muc_moderated"),
    archived: features.has("urn:xmpp:mam:2"),
    occupantIds: features.has(NS_OCCUPANT_ID),
    moderation: features.has("urn:xmpp:message-moderate:1")
      ? "urn:xmpp:message-moderate:1"
      : features.has("urn:xmpp:message-moderate:0")
        ? "urn:xmpp:message-moderate:0"
        : null,
    stableIds: features.has("urn:xmpp:sid:0"),
  };
  const idName: unknown = identity.attrs.name;
  const name = typeof idName === "string" && idName !== "" ? idName : field("muc#roomconfig_roomname");
  if (name) info.name = name.slice(0, MAX_REASON);
  const description = field("muc#roominfo_description");
  if (description) info.description = description;
  const subject = field("muc#roominfo_subject");
  if (subject) info.subject = subject;
  const occupants = Number(field("muc#roominfo_occupants"));
  if (field("muc#roominfo_occupants") !== undefined && Number.isInteger(occupants) && occupants >= 0) {
    info.occupants = occupants;
  }
  return info;
}

// ---- owners: configuration (§10.1), destruction (§10.9) ---------------------------------------------------------

export function buildConfigFetch(): Element {
  return xml("query", { xmlns: NS_MUC_OWNER });
}

/** The fields a room's configuration form offers (the answer to buildConfigFetch). */
export function parseConfigFields(iq: Element): Set<string> {
  const x = iq.getChild("query", NS_MUC_OWNER)?.getChild("x", NS_DATA);
  return new Set(x ? parseForm(x).fields.keys() : []);
}

export interface RoomSettings {
  name: string;
  description: string;
}

/**
 * The configuration of the two kinds (issue #8 §1, after the Modern XMPP recommendations):
 * - group chat: persistent, members-only, real addresses visible to all ("anyone"), not listed, no private
 *   messages, archived; members may invite (in a members-only room the invitee becomes a member).
 * - channel: persistent, open, listed, addresses visible to moderators only, archived.
 */
export function roomConfig(kind: "group" | "channel", settings: RoomSettings): Record<string, FieldValue> {
  const group = kind === "group";
  return {
    "muc#roomconfig_roomname": settings.name,
    "muc#roomconfig_roomdesc": settings.description,
    "muc#roomconfig_persistentroom": true,
    "muc#roomconfig_membersonly": group,
    "muc#roomconfig_publicroom": !group,
    "muc#roomconfig_whois": group ? "anyone" : "moderators",
    "muc#roomconfig_allowpm": group ? "none" : "anyone",
    "muc#roomconfig_allowinvites": group,
    "muc#roomconfig_changesubject": group,
    "muc#roomconfig_moderatedroom": false,
    "muc#roomconfig_passwordprotectedroom": false,
    "muc#roomconfig_enablearchiving": true,
  };
}

/**
 * §10.1.3: submit the configuration. Only the fields the room's form offers are sent when `offered` is given (a
 * server may refuse a field it does not know).
 */
export function buildConfigSubmit(
  fields: Readonly<Record<string, FieldValue>>,
  offered?: ReadonlySet<string>,
): Element {
  const kept = offered ? Object.fromEntries(Object.entries(fields).filter(([k]) => offered.has(k))) : fields;
  return xml("query", { xmlns: NS_MUC_OWNER }, buildSubmitForm(NS_MUC_ROOMCONFIG, kept));
}

/** §10.9: destroy the room, optionally pointing its occupants elsewhere. */
export function buildDestroy(reason?: string, alternate?: string): Element {
  return xml(
    "query",
    { xmlns: NS_MUC_OWNER },
    xml("destroy", alternate ? { jid: alternate } : {}, reason ? xml("reason", {}, reason) : null),
  );
}

// ---- admins: affiliations (§9, §10) and roles (§8) ---------------------------------------------------------------

export interface AffiliationItem {
  jid: string;
  affiliation: Affiliation;
  nick?: string;
}

/** §9.5/§10.5: the list of one affiliation. */
export function buildAffiliationList(affiliation: Exclude<Affiliation, "none">): Element {
  return xml("query", { xmlns: NS_MUC_ADMIN }, xml("item", { affiliation }));
}

export function parseAffiliationList(iq: Element): AffiliationItem[] {
  const items = iq.getChild("query", NS_MUC_ADMIN)?.getChildren("item") ?? [];
  return items.slice(0, MAX_AFFILIATION_ITEMS).flatMap((item) => {
    const jid = typeof item.attrs.jid === "string" ? parseBareJid(bare(item.attrs.jid)) : null;
    if (!jid) return [];
    const out: AffiliationItem = { jid, affiliation: affiliationOf(item.attrs.affiliation) };
    if (typeof item.attrs.nick === "string" && item.attrs.nick !== "") out.nick = item.attrs.nick.slice(0, MAX_NICK);
    return [out];
  });
}

/** §9.3 (member), §9.1 (outcast: ban), §10.6 (admin), §10.3 (owner), "none" to remove one. */
export function buildSetAffiliation(jid: string, affiliation: Affiliation, reason?: string): Element {
  return xml(
    "query",
    { xmlns: NS_MUC_ADMIN },
    xml("item", { jid, affiliation }, reason ? xml("reason", {}, reason) : null),
  );
}

/** §8.2 (kick: role none), §8.4 (voice), §9.6 (moderator). */
export function buildSetRole(nick: string, role: Role, reason?: string): Element {
  return xml("query", { xmlns: NS_MUC_ADMIN }, xml("item", { nick, role }, reason ? xml("reason", {}, reason) : null));
}

/** §8.1: the subject, as a groupchat message with only a <subject/>. */
export function buildSubject(room: string, subject: string, id: string): Element {
  return xml("message", { to: room, type: "groupchat", id }, xml("subject", {}, subject));
}

/**
 * §8.1: a subject change (a groupchat message with <subject/> and no <body/>); null when the message is not one.
 * An empty subject clears it.
 */
export function parseSubject(message: Element): { subject: string; by: string } | null {
  if (message.attrs.type !== "groupchat" || message.getChild("body")) return null;
  const subject = message.getChild("subject");
  if (!subject) return null;
  return { subject: subject.text().slice(0, MAX_REASON), by: resourceOf(message.attrs.from ?? "") };
}

// ---- reserved nickname (§7.12) -----------------------------------------------------------------------------------

export const RESERVED_NICK_NODE = "x-roomuser-item";

/** The nickname the room reserved for us (identity name of the x-roomuser-item node), or null. */
export function parseReservedNick(iq: Element): string | null {
  const query = iq.getChild("query", NS_DISCO_INFO);
  if (query?.attrs.node !== RESERVED_NICK_NODE) return null;
  const name = query.getChildren("identity").find((i) => i.attrs.category === "conference")?.attrs.name;
  return typeof name === "string" && name !== "" && name.length <= MAX_NICK ? name : null;
}

// ---- XEP-0410 self-ping ------------------------------------------------------------------------------------------

/** XEP-0410 §3: a ping to our own occupant JID. */
export function buildSelfPing(): Element {
  return xml("ping", { xmlns: NS_PING });
}

/**
 * XEP-0410 §3.1: what the answer to a self-ping says. A result, or an error the room routed to our client that does
 * not answer pings (service-unavailable, feature-not-implemented): still joined. The room or its server not
 * reachable (remote-server-*, or no answer): unknown, ask again later. Anything else (not-acceptable above all):
 * not joined; rejoin.
 */
export function selfPingVerdict(error: XMPPError | null): "joined" | "not-joined" | "unknown" {
  if (error === null) return "joined";
  switch (error.condition) {
    case "service-unavailable":
    case "feature-not-implemented":
      return "joined";
    case "remote-server-not-found":
    case "remote-server-timeout":
    case "timeout":
    case "connection-failed":
      return "unknown";
    default:
      return "not-joined";
  }
}
