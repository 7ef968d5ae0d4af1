// XEP-0402 PEP Native Bookmarks (urn:xmpp:bookmarks:1; issue #8 §1): one PEP item per room (id = the room's bare
// JID), with autojoin, name, nick, password, and <extensions/> that other clients put there and that must survive
// our edits (XEP-0402 §3: "clients MUST preserve unknown extensions"). XEP-0492 puts the per-chat notification
// setting there. Pure, no I/O; everything read is bounded.
import { xml, type Element } from "@xmpp/xml";
import { parseXml } from "./parse.ts";
import { bare, parseBareJid } from "./jid.ts";
import {
  buildItems,
  buildPublishPlain,
  buildPublishWithOptions,
  NS_PUBSUB,
  NS_PUBSUB_EVENT,
  PRIVATE_ITEMS_OPTIONS,
} from "./pubsub.ts";

export const NS_BOOKMARKS = "urn:xmpp:bookmarks:1";
/** The PEP node is named like the namespace (XEP-0402 §3). */
export const BOOKMARKS_NODE = NS_BOOKMARKS;
export const NS_NOTIFY = "urn:xmpp:notification-settings:1"; // XEP-0492

/** XEP-0402 §3.1 example 4: the node's publish-options (private, one item per room, no limit). */
export const BOOKMARKS_PUBLISH_OPTIONS = PRIVATE_ITEMS_OPTIONS;

/** Bookmarks read from one fetch or notification. */
export const MAX_BOOKMARKS = 1_000;
const MAX_NAME = 1_024;
const MAX_NICK = 256;
const MAX_PASSWORD = 256;
/** Serialized unknown extensions kept per bookmark (what other clients store there is small). */
export const MAX_EXTENSIONS_CHARS = 8_192;

/** XEP-0492 §4: when a chat notifies. */
export type NotifySetting = "always" | "on-mention" | "never";
const NOTIFY: readonly NotifySetting[] = ["always", "on-mention", "never"];

export interface Bookmark {
  /** The room (bare JID): the item id. */
  room: string;
  name?: string;
  autojoin: boolean;
  nick?: string;
  password?: string;
  /** XEP-0492's setting for all clients (the child without identity attributes), when set. */
  notify?: NotifySetting;
  /** Other extensions, serialized as they came, kept on every publish of ours ("" when none). */
  extensions: string;
}

function isGeneral(setting: Element): boolean {
  return setting.attrs["identity-category"] === undefined && setting.attrs["identity-type"] === undefined;
}

/**
 * XEP-0492 §4: the setting that applies to every client, i.e. a child of <notify/> without identity-category or
 * identity-type (those are for particular kinds of clients, which a web client is not asked about).
 */
function notifyOf(notify: Element | undefined): NotifySetting | undefined {
  if (!notify) return undefined;
  for (const child of notify.getChildElements()) {
    if (!isGeneral(child)) continue;
    const setting = NOTIFY.find((n) => n === child.name);
    if (setting) return setting;
  }
  return undefined;
}

/** The <conference/> payload of one item; null when it is not one. */
export function parseConference(room: string, conference: Element): Bookmark | null {
  const jid = parseBareJid(room);
  if (!jid || jid !== room || conference.name !== "conference" || conference.getNS() !== NS_BOOKMARKS) return null;
  const bookmark: Bookmark = {
    room: jid,
    autojoin: conference.attrs.autojoin === "true" || conference.attrs.autojoin === "1",
    extensions: "",
  };
  const name = conference.attrs.name;
  if (typeof name === "string" && name !== "") bookmark.name = name.slice(0, MAX_NAME);
  const nick = conference.getChildText("nick");
  if (nick) bookmark.nick = nick.slice(0, MAX_NICK);
  const password = conference.getChildText("password");
  if (password && password.length <= MAX_PASSWORD) bookmark.password = password;
  const extensions = conference.getChild("extensions");
  if (extensions) {
    const all = extensions.getChildElements();
    const notify = all.find((e) => e.name === "notify" && e.getNS() === NS_NOTIFY);
    const setting = notifyOf(notify);
    if (setting) bookmark.notify = setting;
    // Identity-specific notify settings are other clients': kept, like any unknown extension; the general one is
    // `notify` and is written back from it.
    const specific = notify?.getChildElements().filter((c) => !isGeneral(c)) ?? [];
    const kept = all
      .flatMap((e) =>
        e !== notify ? [e] : specific.length > 0 ? [xml("notify", { xmlns: NS_NOTIFY }, ...specific)] : [],
      )
      .map((e) => e.toString())
      .join("");
    if (kept.length <= MAX_EXTENSIONS_CHARS) bookmark.extensions = kept;
  }
  return bookmark;
}

/** XEP-0402 §3.2 example 5: the payload to publish for a bookmark (unknown extensions kept as they came). */
export function buildConference(bookmark: Bookmark): Element {
  const attrs: Record<string, string> = { xmlns: NS_BOOKMARKS, autojoin: bookmark.autojoin ? "true" : "false" };
  if (bookmark.name) attrs.name = bookmark.name;
  const kept = keptExtensions(bookmark.extensions);
  const extensions = [...kept];
  if (bookmark.notify) {
    // One <notify/> per bookmark: ours (the all-clients setting) merged with other clients' identity-specific ones.
    const theirs = kept.find((e) => e.name === "notify" && e.getNS() === NS_NOTIFY);
    const general = xml(bookmark.notify);
    if (theirs) theirs.append(general);
    else extensions.push(xml("notify", { xmlns: NS_NOTIFY }, general));
  }
  return xml(
    "conference",
    attrs,
    bookmark.nick ? xml("nick", {}, bookmark.nick) : null,
    bookmark.password ? xml("password", {}, bookmark.password) : null,
    extensions.length > 0 ? xml("extensions", {}, ...extensions) : null,
  );
}

/**
 * The kept extensions as elements. They were serialized by parseConference from a parsed stanza, so they parse
 * again; should they not (storage damaged), they are dropped rather than published half.
 */
function keptExtensions(serialized: string): Element[] {
  if (serialized === "") return [];
  try {
    return parseXml(`<extensions>${serialized}</extensions>`).getChildElements();
  } catch {
    return [];
  }
}

export function buildBookmarkPublish(bookmark: Bookmark): Element {
  return buildPublishWithOptions(BOOKMARKS_NODE, bookmark.room, buildConference(bookmark), BOOKMARKS_PUBLISH_OPTIONS);
}

/** The same without publish-options, for servers that refuse them (the node keeps its configuration). */
export function buildBookmarkPublishPlain(bookmark: Bookmark): Element {
  return buildPublishPlain(BOOKMARKS_NODE, bookmark.room, buildConference(bookmark));
}

/** XEP-0402 §3.3: remove a bookmark (retract its item, notifying our other clients). */
export function buildBookmarkRetract(room: string): Element {
  return xml(
    "pubsub",
    { xmlns: NS_PUBSUB },
    xml("retract", { node: BOOKMARKS_NODE, notify: "true" }, xml("item", { id: room })),
  );
}

export function buildBookmarksFetch(): Element {
  return buildItems(BOOKMARKS_NODE);
}

function bookmarksOf(items: Element | undefined): Bookmark[] {
  if (!items || items.attrs.node !== BOOKMARKS_NODE) return [];
  return items
    .getChildren("item")
    .slice(0, MAX_BOOKMARKS)
    .flatMap((item) => {
      const conference = item.getChild("conference", NS_BOOKMARKS);
      const id = item.attrs.id;
      return conference && typeof id === "string" ? (parseConference(id, conference) ?? []) : [];
    });
}

/** XEP-0402 §3.1: the items result of buildBookmarksFetch. */
export function parseBookmarksItems(iq: Element): Bookmark[] {
  return bookmarksOf(iq.getChild("pubsub", NS_PUBSUB)?.getChild("items"));
}

/**
 * XEP-0402 §4: a notification of the node (published or retracted bookmarks); only from our own account
 * (XEP-0163 §4.3). Null when the message is not one.
 */
export function parseBookmarksEvent(
  message: Element,
  self: string,
): { published: Bookmark[]; retracted: string[] } | null {
  const items = message.getChild("event", NS_PUBSUB_EVENT)?.getChild("items");
  if (items?.attrs.node !== BOOKMARKS_NODE) return null;
  if (bare(message.attrs.from ?? self) !== self) return { published: [], retracted: [] };
  const retracted = items
    .getChildren("retract")
    .slice(0, MAX_BOOKMARKS)
    .flatMap((r) => {
      const room = typeof r.attrs.id === "string" ? parseBareJid(r.attrs.id) : null;
      return room ? [room] : [];
    });
  return { published: bookmarksOf(items), retracted };
}
