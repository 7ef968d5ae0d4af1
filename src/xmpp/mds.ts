// XEP-0490 Message Displayed Synchronization (0.1): the user's read position per conversation, shared by all of
// their clients through the PEP node urn:xmpp:mds:displayed:0 (one item per conversation, id = the peer's bare
// JID, payload = the XEP-0359 stanza-id our server gave the last displayed message). Pure, no I/O.
import type { Element } from "@xmpp/xml";
import { xml } from "@xmpp/xml";
import { bare, parseBareJid } from "./jid.ts";
import { NS_SID } from "./message.ts";
import {
  buildConfigureWithOptions,
  buildItems,
  buildPublishPlain,
  buildPublishWithOptions,
  NS_PUBSUB,
  NS_PUBSUB_EVENT,
  PRIVATE_ITEMS_OPTIONS,
} from "./pubsub.ts";

export const NS_MDS = "urn:xmpp:mds:displayed:0";
/** The PEP node is named like the namespace (XEP-0490 §4). */
export const MDS_NODE = NS_MDS;

/** XEP-0490 §4: the node keeps one item per conversation, for the user's own clients only. */
export const MDS_PUBLISH_OPTIONS = PRIVATE_ITEMS_OPTIONS;

/** Items we look at per notification or fetch (one per conversation; more is someone else's problem). */
export const MAX_MDS_ITEMS = 1_000;
/** Longest archive id we look up (Prosody's are 36 characters; others are of that order). */
const MAX_ARCHIVE_ID = 256;

export interface MdsPosition {
  /** The conversation's peer (bare JID): the item id. */
  peer: string;
  /** Our server's XEP-0359 stanza-id (the archive id, XEP-0313 §5) of the last message displayed. */
  archiveId: string;
}

/** XEP-0490 §4 example 2: the <displayed/> payload for one conversation. */
export function buildMdsPayload(self: string, archiveId: string): Element {
  return xml("displayed", { xmlns: NS_MDS }, xml("stanza-id", { xmlns: NS_SID, by: self, id: archiveId }));
}

/** The publish, with XEP-0490 §4's publish-options. */
export function buildMdsPublish(self: string, peer: string, archiveId: string): Element {
  return buildPublishWithOptions(MDS_NODE, peer, buildMdsPayload(self, archiveId), MDS_PUBLISH_OPTIONS);
}

/** The same publish without options (servers that refuse the options: the node keeps its own configuration). */
export function buildMdsPublishPlain(self: string, peer: string, archiveId: string): Element {
  return buildPublishPlain(MDS_NODE, peer, buildMdsPayload(self, archiveId));
}

/** XEP-0060 §8.2.4: gives an existing node XEP-0490 §4's configuration (after precondition-not-met). */
export function buildMdsConfigure(): Element {
  return buildConfigureWithOptions(MDS_NODE, MDS_PUBLISH_OPTIONS);
}

/** XEP-0060 §6.5.2: every item of the node (fetched after a fresh login). */
export function buildMdsFetch(): Element {
  return buildItems(MDS_NODE);
}

/**
 * One <item/>: a bare-JID id and a stanza-id `by` our own account, or by the item's JID itself (a group chat:
 * XEP-0490 §4, the room's stanza-id); null otherwise.
 */
function positionOf(item: Element, self: string): MdsPosition | null {
  const peer = item.attrs.id ? parseBareJid(item.attrs.id) : null;
  if (!peer || peer !== item.attrs.id) return null;
  const stanzaId = item
    .getChild("displayed", NS_MDS)
    ?.getChildren("stanza-id", NS_SID)
    .find((s) => s.attrs.by !== undefined && (bare(s.attrs.by) === self || s.attrs.by === peer));
  const archiveId = stanzaId?.attrs.id;
  if (!archiveId || archiveId.length > MAX_ARCHIVE_ID) return null;
  return { peer, archiveId };
}

function positionsOf(items: Element | undefined, self: string): MdsPosition[] {
  if (!items || items.attrs.node !== MDS_NODE) return [];
  return items
    .getChildren("item")
    .slice(0, MAX_MDS_ITEMS)
    .flatMap((item) => positionOf(item, self) ?? []);
}

/**
 * XEP-0490 §5: a notification of the node; only from our own account (XEP-0163 §4.3: PEP notifications come
 * from the bare JID of the node's owner). Null when the message is not one; [] when nothing in it is usable.
 */
export function parseMdsEvent(message: Element, self: string): MdsPosition[] | null {
  const items = message.getChild("event", NS_PUBSUB_EVENT)?.getChild("items");
  if (items?.attrs.node !== MDS_NODE) return null;
  if (bare(message.attrs.from ?? self) !== self) return [];
  return positionsOf(items, self);
}

/** The items result of buildMdsFetch (XEP-0060 §6.5.2). */
export function parseMdsItems(iq: Element, self: string): MdsPosition[] {
  return positionsOf(iq.getChild("pubsub", NS_PUBSUB)?.getChild("items"), self);
}
