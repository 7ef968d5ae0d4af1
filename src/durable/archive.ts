// The server's message archive (XEP-0313, paged with XEP-0059 RSM): catch-up after a login and history older
// than what storage holds. Results are deduplicated by key against memory and storage before they count; the
// XEP-0333 markers among them go to the read state once the messages of their page are stored.
import type { Db } from "../db/client.ts";
import { existingKeys } from "../db/store.ts";
import { HISTORY_PAGE } from "../protocol/index.ts";
import { archiveStamp, buildMamQuery, parseMamFin, type MamFin, type MamQuery, type MamResult } from "../xmpp/mam.ts";
import { parseDisplayed, type ParsedDisplayed } from "../xmpp/markers.ts";
import { XMPPError } from "../xmpp/errors.ts";
import { messageKey, parseMessage, type ParsedAction, type ParsedChat } from "../xmpp/message.ts";
import { logFailure, type Link } from "./features/context.ts";
import type { ArchivePoint } from "./ranges.ts";
import { Limiter, LimiterFull } from "./rate.ts";

/** Catch-up after a fresh login: at most this many pages of this size. */
const MAM_PAGE = 100;
const MAM_MAX_PAGES = 50;
/** Archive pages one history read may fill a hole with (issue #7 §6): reading on brings more. */
const FILL_MAX_PAGES = 10;
/** Conversations looked up when the catch-up jumps (see #probe), and the size of each one's newest page. */
const PROBE_PEERS = 100;
const PROBE_PAGE = 20;

/** How much archive work one catch-up and one hole fill may do (the workers tests lower them). */
export interface ArchiveLimits {
  catchUpPages: number;
  fillPages: number;
  probePeers: number;
}
export const ARCHIVE_LIMITS: ArchiveLimits = {
  catchUpPages: MAM_MAX_PAGES,
  fillPages: FILL_MAX_PAGES,
  probePeers: PROBE_PEERS,
};

export interface ArchiveHost {
  owner: string;
  db: Db;
  /** Resolves when every stanza received so far has been handled (MAM results come as stanzas). */
  drained(): Promise<void>;
  /** Writes what is buffered, so storage answers for everything seen. */
  flush(): Promise<void>;
  seen(key: string): boolean;
  /** A message from the catch-up: recorded and pushed to the tabs like a live one. */
  accept(chat: ParsedChat): void;
  /** An older message: stored only (at `ts`), not pushed, not unread. */
  storeOlder(chat: ParsedChat, key: string, ts: number): void;
  /** A correction, retraction or reaction: stored; `live` (caught up) ones are pushed to the tabs. */
  action(action: ParsedAction, live: boolean): void;
  /** XEP-0333 displayed markers of a page whose messages are stored (or queued): applied as live ones are. */
  displayed(markers: readonly ParsedDisplayed[]): Promise<void>;
  /** The peers we know (conversations, the most recent first, then contacts): who the catch-up looks up. */
  knownPeers(): string[];
  lastArchiveId(): string | undefined;
  setLastArchiveId(id: string): Promise<void>;
  /** The catch-up leaves a hole between `from` (null: the archive's beginning) and `to` (see ./gaps.ts). */
  hole(from: ArchivePoint | null, to: ArchivePoint): Promise<void>;
  /**
   * When `peer` is a room (issue #8): how its archive's results read (XEP-0313 on the room, src/xmpp/groupchat.ts).
   * Its history is then asked of the room's own archive, not ours.
   */
  roomParser?(peer: string): RoomParser | null;
}

/** Reads one result of a room's archive as a message of its conversation (null: not a message to keep). */
export type RoomParser = (result: MamResult) => ParsedChat | null;

/** One archive query: our account's archive, or a room's (`to`, XEP-0313 §4 sent to the room). */
export type ArchiveQuery = Omit<MamQuery, "queryId"> & { to?: string };

/** Archive queries at once (each may bring a page of 100 messages), and queued behind them. */
const QUERIES_IN_FLIGHT = 4;
const QUERIES_WAITING = 64;

export class Archive {
  readonly #collectors = new Map<string, MamResult[]>();
  readonly #queries = new Limiter(QUERIES_IN_FLIGHT, QUERIES_WAITING);
  /** Single flight: one fetch of older history per peer at a time; a second asker shares it. */
  readonly #fetching = new Map<string, Promise<void>>();
  /** Peers whose server archive holds nothing older than storage. */
  readonly #exhausted = new Set<string>();

  constructor(
    private readonly host: ArchiveHost,
    private readonly limits: ArchiveLimits = ARCHIVE_LIMITS,
  ) {}

  /** Routes a result message to the query that asked for it; false when it is not one of ours. */
  collect(result: MamResult): boolean {
    const results = this.#collectors.get(result.queryId);
    results?.push(result);
    return results !== undefined;
  }

  exhausted(peer: string): boolean {
    return this.#exhausted.has(peer);
  }

  /** One query; results in archive order. */
  async query(link: Link, q: ArchiveQuery): Promise<{ results: MamResult[]; fin: MamFin }> {
    return this.#queries.run(() => this.#query(link, q));
  }

  async #query(link: Link, q: ArchiveQuery): Promise<{ results: MamResult[]; fin: MamFin }> {
    const queryId = crypto.randomUUID();
    const results: MamResult[] = [];
    this.#collectors.set(queryId, results);
    const { to, ...fields } = q;
    try {
      const iq = await link.iq("set", buildMamQuery({ queryId, ...fields }), to, 30_000);
      // XEP-0313 §4.3: results arrive before the iq result; the stanza queue is serial, so let it drain.
      await this.host.drained();
      return { results, fin: parseMamFin(iq) };
    } finally {
      this.#collectors.delete(queryId);
    }
  }

  /**
   * After a fresh login: everything after the last archive id we saw, so that a crash between receive and
   * flush, an eviction or a restart loses nothing. The very first login seeds the latest page only, and so does
   * a catch-up that reaches its page cap: the tabs get the present at once, and the hole left behind is
   * recorded, to be filled when a conversation is read there (./gaps.ts). The known conversations the latest
   * page did not bring are looked up then (#probe), so that they show their newest messages at once.
   */
  async catchUp(link: Link): Promise<void> {
    let after = this.host.lastArchiveId();
    if (!after) {
      await this.#latest(link, null);
      return;
    }
    let from: ArchivePoint | undefined;
    for (let page = 0; page < this.limits.catchUpPages; page++) {
      const { results, fin } = await this.query(link, { after, max: MAM_PAGE });
      await this.#acceptAll(results);
      const last = fin.last ?? results.at(-1)?.archiveId;
      const lastResult = results.at(-1);
      if (last) await this.host.setLastArchiveId(last);
      if (fin.complete || results.length === 0 || !last) return;
      after = last;
      const stamp = lastResult ? archiveStamp(lastResult) : undefined;
      if (stamp !== undefined) from = { archiveId: last, stamp };
    }
    await this.#latest(link, from ?? null);
  }

  /** The latest page, accepted; what lies between `from` (null: the beginning) and it is recorded as a hole. */
  async #latest(link: Link, from: ArchivePoint | null): Promise<void> {
    const { results, fin } = await this.query(link, { before: "", max: MAM_PAGE });
    const first = results[0];
    const stamp = first ? archiveStamp(first) : undefined;
    // The latest page may reach back to where the catch-up stopped: then nothing is missing.
    const overlaps = from !== null && results.some((r) => r.archiveId === from.archiveId);
    if (first && stamp !== undefined && !overlaps) {
      await this.host.flush();
      await this.host.hole(from, { archiveId: first.archiveId, stamp });
    }
    const peers = await this.#acceptAll(results);
    const last = fin.last ?? results.at(-1)?.archiveId;
    if (last) await this.host.setLastArchiveId(last);
    // XEP-0313 §4.3: `complete` on this backwards page: it is the whole archive, nothing lies below it.
    if (first && !overlaps && !fin.complete) await this.#probe(link, peers);
  }

  /**
   * Issue #7 §6: a conversation whose newest messages lie below the latest page (in the hole the catch-up left,
   * or before the latest page at a first login) would not show them until opened. The known ones the latest page
   * did not bring (at most `probePeers`, the most recent first) get their newest page (XEP-0313 §4.1 `with`,
   * XEP-0059 §2.5 `before` empty), caught up like the latest page: the conversation shows its last message and
   * its unread count as far as that page goes, the rest of the hole is filled when it is read (./gaps.ts sees
   * these messages as above the hole: they are stored after it was recorded). A few queries at a time.
   */
  async #probe(link: Link, skip: ReadonlySet<string>): Promise<void> {
    const peers = this.host
      .knownPeers()
      .filter((p) => !skip.has(p))
      .slice(0, this.limits.probePeers);
    for (let i = 0; i < peers.length; i += QUERIES_IN_FLIGHT) {
      const batch = peers.slice(i, i + QUERIES_IN_FLIGHT);
      const pages = await Promise.all(batch.map((peer) => this.#newestOf(link, peer)));
      for (const [j, results] of pages.entries()) await this.#acceptAll(results, batch[j]);
    }
  }

  /**
   * The newest page of one conversation. Swallowed, as an empty page: an XMPP error or timeout (the server
   * refuses the `with` filter, or is slow: the conversation shows its messages when it is opened) and a full
   * query queue (tabs are reading history: the same).
   */
  async #newestOf(link: Link, peer: string): Promise<MamResult[]> {
    try {
      return (await this.query(link, { with: peer, before: "", max: PROBE_PAGE })).results;
    } catch (err) {
      if (!(err instanceof XMPPError) && !(err instanceof LimiterFull)) throw err;
      logFailure(`looking up the newest messages with ${peer}`, err);
      return [];
    }
  }

  /**
   * Accepts a page of caught-up results (with `only`, those of that conversation: a page asked `with` it must not
   * place another conversation's messages above a hole); returns the peers of its messages.
   */
  async #acceptAll(results: MamResult[], only?: string): Promise<Set<string>> {
    const { chats, keys, stored, markers } = await this.unseen(results, true);
    chats.forEach((chat, i) => {
      const key = keys[i];
      if (key !== undefined && !stored.has(key) && (only === undefined || chat.peer === only)) this.host.accept(chat);
    });
    await this.host.displayed(only === undefined ? markers : markers.filter((m) => m.peer === only));
    return new Set(chats.map((c) => c.peer));
  }

  /**
   * The page before our oldest stored message with `peer` (XEP-0313 §4 with RSM `before`), stored only: the tab
   * that asked reads it as history. Whole-second stamps keep the archive's order: each message is placed
   * strictly before the one after it.
   */
  async fetchOlder(
    link: Link,
    peer: string,
    oldest: { ts: number; archiveId: string | undefined } | undefined,
  ): Promise<void> {
    const running = this.#fetching.get(peer);
    if (running) return running;
    const job = this.#fetchOlder(link, peer, oldest).finally(() => this.#fetching.delete(peer));
    this.#fetching.set(peer, job);
    return job;
  }

  async #fetchOlder(
    link: Link,
    peer: string,
    oldest: { ts: number; archiveId: string | undefined } | undefined,
  ): Promise<void> {
    if (this.#exhausted.has(peer)) return;
    const room = this.host.roomParser?.(peer) ?? null;
    const before = oldest?.archiveId ?? "";
    const { results, fin } = await this.query(
      link,
      room ? { to: peer, before, max: HISTORY_PAGE } : { with: peer, before, max: HISTORY_PAGE },
    );
    if (fin.complete || results.length === 0) this.#exhausted.add(peer);
    const { chats, keys, stored, markers } = await this.unseen(results, false, room);
    let first = oldest?.ts;
    for (let i = chats.length - 1; i >= 0; i--) {
      const chat = chats[i];
      const key = keys[i];
      if (!chat || key === undefined || stored.has(key) || this.host.seen(key)) continue;
      const ts = first !== undefined && chat.ts >= first ? first - 1 : chat.ts;
      first = ts;
      this.host.storeOlder(chat, key, ts);
    }
    await this.host.flush();
    await this.host.displayed(markers);
  }

  /**
   * The chats among `results`, their keys, which of those keys storage already has (one query), and the
   * XEP-0333 displayed markers (for the host's `displayed` once the page's messages are stored). Actions
   * (corrections, retractions, reactions) go to the host as they are met: storing them twice changes nothing.
   */
  async unseen(
    results: MamResult[],
    live: boolean,
    room: RoomParser | null = null,
  ): Promise<{ chats: ParsedChat[]; keys: string[]; stored: Set<string>; markers: ParsedDisplayed[] }> {
    const now = Date.now();
    const chats: ParsedChat[] = [];
    const markers: ParsedDisplayed[] = [];
    for (const r of room ? [] : results) {
      const parsed = parseMessage(r.message, this.host.owner, now, r.forwarded);
      if (parsed.kind === "chat") chats.push({ ...parsed.chat, archiveId: r.archiveId });
      else if (parsed.kind === "action") this.host.action(withArchiveId(parsed.action, r.archiveId), live);
      // XEP-0313 §4.2: the archived <message/> as it was routed, from and to included (our own server's record:
      // parseMamResult took only results from our account). A marker travels alone (XEP-0333 §5).
      const marker = parseDisplayed(r.message, this.host.owner);
      if (marker) markers.push(marker);
    }
    if (room) {
      for (const r of results) {
        const chat = room(r);
        if (chat) chats.push(chat);
      }
    }
    const keys = chats.map((c) => messageKey(c));
    await this.host.flush();
    const stored = await existingKeys(this.host.db, this.host.owner, keys);
    return { chats, keys, stored, markers };
  }
}

function withArchiveId(action: ParsedAction, archiveId: string): ParsedAction {
  return action.kind === "edit" ? { ...action, chat: { ...action.chat, archiveId } } : { ...action, archiveId };
}
