// History and the conversation list: pages from storage, older ones from the server's archive (XEP-0313, through
// ../archive.ts), the archive catch-up after a login, and conversations paged beyond the snapshot (read state: ./read-state.ts).
import type { Element } from "@xmpp/xml";
import { historyAfter, historyAround } from "../../db/search.ts";
import { historyPage, listConversations, oldestMessage, type HistoryPage } from "../../db/store.ts";
import { CONVERSATIONS_PAGE, HISTORY_PAGE } from "../../protocol/index.ts";
import { parseMamResult } from "../../xmpp/mam.ts";
import { Archive, ARCHIVE_LIMITS, type ArchiveLimits, type RoomParser } from "../archive.ts";
import { Gaps } from "../gaps.ts";
import type { ArchivePoint } from "../ranges.ts";
import { LimiterFull } from "../rate.ts";
import type { ActionsFeature } from "./actions.ts";
import type { ChatFeature } from "./chat.ts";
import type { ReadStateFeature } from "./read-state.ts";
import {
  conditionOf,
  refuse,
  type Feature,
  type FeatureContext,
  type FrameHandlers,
  type FrameOf,
  type Link,
} from "./context.ts";

export class HistoryFeature implements Feature {
  readonly #archive: Archive;
  readonly #gaps: Gaps;

  constructor(
    private readonly ctx: FeatureContext,
    chat: ChatFeature,
    actions: ActionsFeature,
    /** Applies the XEP-0333 markers met in archive pages (the same rules as live ones). */
    readState: Pick<ReadStateFeature, "applyArchived">,
    /** Resolves when the session setup after a login (roster, presence, catch-up) is done: pages wait for it. */
    private readonly loggedIn: () => Promise<void>,
    limits: ArchiveLimits = ARCHIVE_LIMITS,
    /** How a room's archive reads, when `peer` is a room (issue #8: its history is asked of the room). */
    roomParser: (peer: string) => RoomParser | null = () => null,
  ) {
    const gaps = (): Gaps => this.#gaps;
    this.#archive = new Archive(
      {
        owner: ctx.info.jid,
        db: ctx.db,
        drained: () => ctx.drained(),
        flush: () => ctx.flush(),
        seen: (key) => chat.seen(key),
        accept: (parsed) => void chat.accept(parsed),
        storeOlder: (parsed, key, ts) => chat.storeOlder(parsed, key, ts),
        action: (action, live) => actions.record(action, live),
        displayed: (markers) => readState.applyArchived(markers),
        knownPeers: () => ctx.state.knownPeers(),
        lastArchiveId: () => chat.lastArchiveId,
        setLastArchiveId: (id) => chat.setLastArchiveId(id),
        hole: (from, to) => gaps().record(from, to),
        roomParser,
      },
      limits,
    );
    this.#gaps = new Gaps(
      {
        owner: ctx.info.jid,
        db: ctx.db,
        storage: ctx.storage,
        flush: () => ctx.flush(),
        seen: (key) => chat.seen(key),
        storeOlder: (parsed, key, ts) => chat.storeOlder(parsed, key, ts),
        lowered: (peer, upTo, shift) => chat.lowered(peer, upTo, shift),
        displayed: (markers) => readState.applyArchived(markers),
        roomParser,
      },
      this.#archive,
      limits.fillPages,
    );
  }

  /** The archive queries go through (rooms' archives too: ./muc.ts). */
  get archive(): Archive {
    return this.#archive;
  }

  /** A room's catch-up left a hole in its history (../room-archive.ts): filled when a tab reads there. */
  async roomHole(room: string, from: ArchivePoint, to: ArchivePoint): Promise<void> {
    await this.#gaps.record(from, to, room);
  }

  readonly frames: Pick<FrameHandlers, "history.load" | "conversations.load"> = {
    "history.load": async (ws, frame) => {
      const { ctx } = this;
      const peer = frame.peer;
      try {
        await this.loggedIn().catch(() => undefined);
        await ctx.drained();
        await ctx.flush();
        if (frame.after || frame.around !== undefined) {
          await this.#window(ws, frame.requestId, peer, frame.after, frame.around);
          return;
        }
        let page = await historyPage(ctx.db, ctx.info.jid, peer, frame.before, HISTORY_PAGE);
        const link = ctx.link();
        page = await this.#withoutHoles(ws, frame, page);
        if (!page.hasMore && link?.online && !this.#archive.exhausted(peer)) {
          // Storage has nothing older: ask the server's archive for the page before our oldest message.
          await this.#archive.fetchOlder(link, peer, await oldestMessage(ctx.db, ctx.info.jid, peer));
          page = await historyPage(ctx.db, ctx.info.jid, peer, frame.before, HISTORY_PAGE);
          if (!this.#archive.exhausted(peer)) page = { ...page, hasMore: true };
        }
        ctx.tabs.send(ws, {
          type: "history",
          requestId: frame.requestId,
          peer,
          messages: page.messages,
          hasMore: page.hasMore,
        });
      } catch (err) {
        if (err instanceof LimiterFull) {
          refuse(ctx.tabs, ws, "rate-limited", "Too many history requests at once: try again.", frame.requestId);
        } else {
          refuse(ctx.tabs, ws, "history-failed", conditionOf(err, "history"), frame.requestId);
        }
      }
    },
    "conversations.load": async (ws, frame) => {
      const { ctx } = this;
      try {
        await ctx.flush();
        const rows = await listConversations(ctx.db, ctx.info.jid, CONVERSATIONS_PAGE + 1, frame.before);
        ctx.tabs.send(ws, {
          type: "conversations.page",
          requestId: frame.requestId,
          conversations: rows.slice(0, CONVERSATIONS_PAGE),
          hasMore: rows.length > CONVERSATIONS_PAGE,
        });
      } catch (err) {
        refuse(ctx.tabs, ws, "history-failed", conditionOf(err, "conversations"), frame.requestId);
      }
    },
  };

  /**
   * A page in the middle of the conversation: around a message (a search result opened), or after one (scrolling
   * down from there). Storage only: older pages from there on are ordinary `before` pages, which reach the
   * server's archive when storage runs out (so `hasMore` stays true while the archive may hold more).
   */
  async #window(
    ws: WebSocket,
    requestId: string,
    peer: string,
    after: { ts: number; key: string } | undefined,
    around: string | undefined,
  ): Promise<void> {
    const { ctx } = this;
    const page = after
      ? await historyAfter(ctx.db, ctx.info.jid, peer, after, HISTORY_PAGE)
      : await historyAround(ctx.db, ctx.info.jid, peer, around ?? "", HISTORY_PAGE / 2);
    if (page === null) {
      refuse(ctx.tabs, ws, "history-failed", "item-not-found", requestId);
      return;
    }
    ctx.tabs.send(ws, {
      type: "history",
      requestId,
      peer,
      messages: page.messages,
      hasMore: page.hasMore || !this.#archive.exhausted(peer),
      hasNewer: page.hasNewer,
    });
  }

  /**
   * Issue #7 §6: when the page reaches a hole in this conversation's history, the hole is filled from the
   * server's archive first (a bounded number of pages, progress frames to the tab), and the page read again. What
   * is still missing stays out of sight: the page stops above it, with more to read, so a tab never shows two
   * messages side by side that had others between them. Without a link, storage answers as it is (the tab
   * reads history again when the link is back).
   */
  async #withoutHoles(ws: WebSocket, frame: FrameOf<"history.load">, page: HistoryPage): Promise<HistoryPage> {
    const { ctx } = this;
    const link = ctx.link();
    if (!link?.online) return page;
    const { peer, requestId } = frame;
    const cursorTs = frame.before?.ts ?? null;
    const shape = (p: HistoryPage) => ({ oldestTs: p.messages[0]?.ts ?? null, hasMore: p.hasMore });
    let open = await this.#gaps.reached(peer, cursorTs, shape(page));
    if (!open) return page;
    let loaded = 0;
    await this.#gaps.fill(link, peer, open, (n) => {
      loaded = n;
      ctx.tabs.send(ws, { type: "history.progress", requestId, peer, loaded, done: false });
    });
    ctx.tabs.send(ws, { type: "history.progress", requestId, peer, loaded, done: true });
    page = await historyPage(ctx.db, ctx.info.jid, peer, frame.before, HISTORY_PAGE);
    open = await this.#gaps.reached(peer, cursorTs, shape(page));
    if (!open) return page;
    const hi = open.hi;
    return { messages: hi === null ? [] : page.messages.filter((m) => m.ts >= hi), hasMore: true };
  }

  /** XEP-0313 §4.2: archive results come as messages and go to the query that asked for them. */
  onStanza(el: Element): boolean {
    if (el.name !== "message") return false;
    const result = parseMamResult(el, this.ctx.info.jid);
    if (!result) return false;
    this.#archive.collect(result);
    return true;
  }

  /** After a fresh login: everything the archive has after the last id we saw. */
  async onLogin(link: Link): Promise<void> {
    await this.#archive.catchUp(link);
  }
}
