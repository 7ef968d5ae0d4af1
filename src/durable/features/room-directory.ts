// Room search (issue #8 §1): the group chats and channels of the deployment, as the "Join or search" dialog lists
// them while the user types. The object walks the local group chat service (XEP-0030 disco#items on the server
// for the service, XEP-0045 §6.3 disco#items on the service for its public rooms, §6.4 disco#info on each for name,
// description and participants) and keeps the result for CACHE_TTL_MS, so typing costs no XMPP traffic; every query
// is then a filter and a sort in memory. When the admin names an XEP-0433 search service (PARLEY_CHANNEL_SEARCH_JID),
// each query goes there instead.
import type { Element } from "@xmpp/xml";
import { ROOM_SEARCH_PAGE } from "../../protocol/index.ts";
import { buildChannelSearch, parseChannelSearch } from "../../xmpp/channel-search.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { buildDiscoInfo, parseRoomInfo } from "../../xmpp/muc.ts";
import {
  buildDiscoItems,
  filterListings,
  isMucService,
  listingFromInfo,
  MAX_DISCO_ITEMS,
  parseDiscoItems,
  sortListings,
  type DiscoItem,
  type RoomListing,
} from "../../xmpp/room-directory.ts";
import { parseBareJid } from "../../xmpp/jid.ts";
import { Limiter, LimiterFull } from "../rate.ts";
import {
  conditionOf,
  linkOrRefuse,
  logFailure,
  refuse,
  type FeatureContext,
  type FrameHandlers,
  type Link,
} from "./context.ts";

/** How long a walk of the service is reused (a room's count may be this old in the list). */
export const CACHE_TTL_MS = 5 * 60_000;
/** disco#info queries in flight at once during a walk (Prosody answers them quickly; a burst of 1,000 is rude). */
export const INFO_CONCURRENCY = 8;
/** Services of the server looked at to find the group chat service (a server has a handful of components). */
const MAX_SERVICES_PROBED = 20;
const IQ_TIMEOUT_MS = 15_000;
/** Searches running at once and waiting (typing sends a burst after the frame rate limit). */
const SEARCH_CONCURRENCY = 2;
const SEARCH_WAITING = 4;

export interface DirectoryOptions {
  /** XEP-0433: the admin's search service; the local walk when absent. */
  searchService?: string;
  now?: () => number;
}

export class RoomDirectoryFeature {
  readonly #limiter = new Limiter(SEARCH_CONCURRENCY, SEARCH_WAITING);
  readonly #now: () => number;
  #cache: { at: number; listings: RoomListing[] } | null = null;
  /** Single flight: one walk at a time, shared by the searches that wait for it. */
  #walking: Promise<RoomListing[]> | null = null;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly options: DirectoryOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  readonly frames: Pick<FrameHandlers, "room.search"> = {
    "room.search": async (ws, frame) => {
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      try {
        const { results, total } = await this.#limiter.run(() => this.search(link, frame.query));
        this.ctx.tabs.send(ws, {
          type: "room.search.results",
          requestId: frame.requestId,
          query: frame.query,
          results,
          total,
        });
      } catch (err) {
        if (err instanceof LimiterFull) {
          refuse(this.ctx.tabs, ws, "rate-limited", "Too many searches at once: try again.", frame.requestId);
        } else {
          refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "searching rooms"), frame.requestId);
        }
      }
    },
  };

  /** One page of the rooms matching `query`, most participants first, and how many matched. */
  async search(link: Link, query: string): Promise<{ results: RoomListing[]; total: number }> {
    const service = this.options.searchService;
    // XEP-0433 §3.2.2: the remote service filters and orders; its answer is ordered again (a service may not sort).
    const all = service
      ? parseChannelSearch(
          await link.iq("get", buildChannelSearch(query, ROOM_SEARCH_PAGE), service, IQ_TIMEOUT_MS),
          ROOM_SEARCH_PAGE,
        )
      : filterListings(await this.listings(link), query);
    const sorted = sortListings(all);
    return { results: sorted.slice(0, ROOM_SEARCH_PAGE), total: sorted.length };
  }

  /** The local service's rooms, from the cache while it is fresh. */
  async listings(link: Link): Promise<RoomListing[]> {
    const cached = this.#cache;
    if (cached && this.#now() - cached.at < CACHE_TTL_MS) return cached.listings;
    this.#walking ??= this.#walk(link)
      .then((listings) => {
        this.#cache = { at: this.#now(), listings };
        return listings;
      })
      .finally(() => {
        this.#walking = null;
      });
    return this.#walking;
  }

  async #walk(link: Link): Promise<RoomListing[]> {
    const service = await this.#service(link);
    if (!service) return [];
    const items = parseDiscoItems(await link.iq("get", buildDiscoItems(), service, IQ_TIMEOUT_MS), MAX_DISCO_ITEMS);
    const rooms = items.filter((i) => i.jid.includes("@"));
    return pooled(rooms, INFO_CONCURRENCY, (item) => this.#listing(link, item));
  }

  /** XEP-0045 §6.1: the server's first item that is a group chat service, or null when it has none. */
  async #service(link: Link): Promise<string | null> {
    const items = parseDiscoItems(await link.iq("get", buildDiscoItems(), this.ctx.info.domain, IQ_TIMEOUT_MS));
    for (const item of items.filter((i) => !i.jid.includes("@")).slice(0, MAX_SERVICES_PROBED)) {
      const info = await discoInfo(link, item.jid);
      if (info && isMucService(info)) return item.jid;
    }
    return null;
  }

  /** A room's listing from its disco#info; the item's own name when the room does not answer. */
  async #listing(link: Link, item: DiscoItem): Promise<RoomListing> {
    const info = await discoInfo(link, item.jid);
    return listingFromInfo(item.jid, info ? parseRoomInfo(info) : null, item.name);
  }
}

/**
 * disco#info of `jid`, or null. Swallowed, as null: any XMPP error (a room destroyed since it was listed, a
 * component that does not answer disco, a timeout); the walk goes on without it.
 */
async function discoInfo(link: Link, jid: string): Promise<Element | null> {
  try {
    return await link.iq("get", buildDiscoInfo(), jid, IQ_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof XMPPError)) throw err;
    logFailure(`disco#info of ${jid}`, err);
    return null;
  }
}

/** Maps `items` with at most `width` calls of `fn` in flight, keeping the order. */
export async function pooled<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) out[i] = await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** XEP-0433: the admin's channel search service, when the var names a valid address (a domain or a bare JID). */
export function channelSearchJid(value: string | undefined): string | undefined {
  const v = value?.trim() ?? "";
  if (v === "") return undefined;
  const parsed = v.includes("@") ? parseBareJid(v) : parseBareJid(`x@${v}`)?.slice(2);
  if (!parsed) console.warn("parley: PARLEY_CHANNEL_SEARCH_JID is not an address; the local room search is used");
  return parsed ?? undefined;
}
