// Bookmarks (XEP-0402, urn:xmpp:bookmarks:1; issue #8 §1): fetched after every fresh login (after the roster),
// their autojoin rooms joined; joining a room adds or updates its bookmark (autojoin), leaving sets autojoin
// false; changes by the user's other clients (notifications, XEP-0402 §4) are followed: newly autojoined rooms
// are joined, rooms whose autojoin went false (or whose bookmark was retracted) are left. Unknown extensions
// (XEP-0492's notify for other clients among them) are kept on every publish of ours.
import type { Element } from "@xmpp/xml";
import {
  buildBookmarkPublish,
  buildBookmarkPublishPlain,
  buildBookmarksFetch,
  parseBookmarksEvent,
  parseBookmarksItems,
  type Bookmark,
} from "../../xmpp/bookmarks.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { isPreconditionNotMet } from "../../xmpp/pubsub.ts";
import { logFailure, refuse, type Feature, type FeatureContext, type FrameHandlers, type Link } from "./context.ts";
import type { MucFeature, RoomBookmarks } from "./muc.ts";
import type { RoomEntry } from "./room-entry.ts";

export class BookmarksFeature implements Feature, RoomBookmarks {
  /** XEP-0223 publish-options refused by this server once: plain publishes from then on. */
  #plain = false;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly muc: MucFeature,
  ) {}

  /** XEP-0402 §4: notifications of our own node (our other clients' changes, and the echo of ours). */
  onStanza(el: Element): boolean {
    if (el.name !== "message") return false;
    const event = parseBookmarksEvent(el, this.ctx.info.jid);
    if (!event) return false;
    for (const bookmark of event.published) this.#follow(bookmark);
    for (const room of event.retracted) {
      const entry = this.muc.get(room);
      if (!entry) continue;
      entry.bookmarked = false;
      entry.view.autojoin = false;
      this.#leaveIfIn(entry);
      this.muc.changed(entry);
    }
    return true;
  }

  /** After a fresh login: the bookmarks as the server has them, then the autojoin rooms joined (not awaited). */
  async onLogin(link: Link): Promise<void> {
    const bookmarks = await fetchBookmarks(link);
    if (bookmarks) {
      const listed = new Set(bookmarks.map((b) => b.room));
      for (const entry of this.muc.rooms()) {
        const known = this.muc.get(entry.room);
        // Removed by another client while we were away.
        if (known && !listed.has(entry.room) && known.bookmarked) {
          known.bookmarked = false;
          known.view.autojoin = false;
          this.muc.changed(known);
        }
      }
      for (const bookmark of bookmarks) this.#merge(bookmark);
    }
    for (const view of this.muc.rooms()) {
      if (view.autojoin) void this.#join(view.room);
    }
  }

  /** The user joined a room: its bookmark says autojoin (added when missing). */
  async joined(entry: RoomEntry): Promise<void> {
    if (entry.bookmarked && entry.view.autojoin) return;
    entry.view.autojoin = true;
    entry.bookmarked = true;
    this.muc.changed(entry);
    await this.#publish(entry);
  }

  readonly frames: Pick<FrameHandlers, "room.notify"> = {
    // XEP-0492 §4: the all-clients setting, in the room's bookmark (made if there was none).
    "room.notify": async (ws, frame) => {
      const entry = this.muc.get(frame.room);
      if (!entry) {
        refuse(this.ctx.tabs, ws, "room-failed", "item-not-found", frame.requestId);
        return;
      }
      entry.view.notify = frame.notify;
      entry.bookmarked = true;
      this.muc.changed(entry);
      await this.#publish(entry);
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    },
  };

  /** The user left a room: its bookmark (if any) stops autojoining. */
  async left(entry: RoomEntry): Promise<void> {
    if (!entry.view.autojoin) return;
    entry.view.autojoin = false;
    this.muc.changed(entry);
    if (entry.bookmarked) await this.#publish(entry);
  }

  #merge(bookmark: Bookmark): RoomEntry {
    const entry = this.muc.entry(bookmark.room);
    entry.bookmarked = true;
    entry.view.autojoin = bookmark.autojoin;
    entry.bookmarkNick = bookmark.nick;
    entry.extensions = bookmark.extensions;
    entry.view.notify = bookmark.notify ?? null;
    if (bookmark.name && !entry.view.name) entry.view.name = bookmark.name;
    if (bookmark.password !== undefined) entry.password = bookmark.password;
    this.muc.changed(entry);
    return entry;
  }

  #follow(bookmark: Bookmark): void {
    const entry = this.#merge(bookmark);
    const inRoom = entry.view.state === "joined" || entry.view.state === "joining";
    if (bookmark.autojoin && !inRoom) void this.#join(bookmark.room);
    else if (!bookmark.autojoin) this.#leaveIfIn(entry);
  }

  #leaveIfIn(entry: RoomEntry): void {
    if (entry.view.state === "joined" || entry.view.state === "joining") {
      void this.muc.leave(entry.view.room).catch((err: unknown) => logFailure("leaving a room", err));
    }
  }

  /** Joins for a bookmark; a refusal shows in the room's state (the muc feature), and is logged here. */
  async #join(room: string): Promise<void> {
    try {
      await this.muc.join(room);
    } catch (err) {
      logFailure(`joining ${room}`, err);
    }
  }

  /**
   * XEP-0402 §3.2 with its publish-options; a server whose node exists with another configuration answers
   * precondition-not-met (XEP-0060 §7.1.5): the item goes without options (the node keeps its configuration), as
   * the read-state feature does for XEP-0490. Failures are logged: the room itself is joined or left regardless.
   */
  async #publish(entry: RoomEntry): Promise<void> {
    const link = this.ctx.link();
    if (!link) return;
    const bookmark: Bookmark = {
      room: entry.view.room,
      autojoin: entry.view.autojoin,
      nick: entry.view.nick,
      extensions: entry.extensions,
    };
    if (entry.view.name) bookmark.name = entry.view.name;
    if (entry.password) bookmark.password = entry.password;
    if (entry.view.notify) bookmark.notify = entry.view.notify;
    try {
      if (!this.#plain) {
        try {
          await link.iq("set", buildBookmarkPublish(bookmark));
          return;
        } catch (err) {
          if (!(err instanceof XMPPError) || !isPreconditionNotMet(err)) throw err;
          this.#plain = true;
        }
      }
      await link.iq("set", buildBookmarkPublishPlain(bookmark));
    } catch (err) {
      logFailure("publishing a bookmark", err);
    }
  }
}

/**
 * The bookmarks node's items. Swallowed: item-not-found (no bookmark ever published: none) and any other XMPP
 * error or timeout (no PEP, or slow: null, and the rooms storage knows stay as they are).
 */
async function fetchBookmarks(link: Link): Promise<Bookmark[] | null> {
  try {
    return parseBookmarksItems(await link.iq("get", buildBookmarksFetch()));
  } catch (err) {
    if (!(err instanceof XMPPError)) throw err;
    if (err.condition === "item-not-found") return [];
    logFailure("fetching bookmarks", err);
    return null;
  }
}
