// Read state everywhere (issue #7 §3, §4): our read position per conversation (XEP-0490, shared with the user's
// other clients through PEP; unread counts derive from it), chat markers both ways (XEP-0333: we say which of the
// contact's messages the user has seen, the contact says which of ours they have), and pin/mute/hide. Markers
// and positions are applied whichever way they come: live, in a carbon, or in the server's archive (XEP-0313);
// a position whose message is not stored yet waits for it, and a read still to be announced outlives a restart.
import type { Element } from "@xmpp/xml";
import { LIMITS } from "../chat-state.ts";
import type { Db } from "../../db/client.ts";
import {
  markedMessages,
  messagesByArchiveId,
  messagesUpTo,
  messageTs,
  messageTsByStanzaId,
  movePeerReadPosition,
  movePeerReadPositions,
  moveReadPositions,
  setConversationFlags,
  type ConversationFlags,
  type MarkerRef,
  type ReadCandidate,
} from "../../db/read-state.ts";
import type { Conversation } from "../../protocol/index.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { buildDisplayed, parseDisplayed, type ParsedDisplayed } from "../../xmpp/markers.ts";
import { buildRoomDisplayed } from "../../xmpp/room-actions.ts";
import {
  buildMdsConfigure,
  buildMdsFetch,
  buildMdsPublish,
  buildMdsPublishPlain,
  parseMdsEvent,
  parseMdsItems,
  type MdsPosition,
} from "../../xmpp/mds.ts";
import { isPreconditionNotMet } from "../../xmpp/pubsub.ts";
import { PeerRecords } from "../peer-records.ts";
import { TokenBucket } from "../rate.ts";
import { logFailure, refuse, type Feature, type FeatureContext, type FrameHandlers, type Link } from "./context.ts";

/** What the feature reads and writes (src/db/read-state.ts on D1/libSQL; an in-memory fake in unit tests). */
export interface ReadStore {
  messageTs(peer: string, key: string): Promise<number | undefined>;
  messageTsByStanzaId(peer: string, stanzaId: string, direction: "in" | "out"): Promise<number | undefined>;
  messagesByArchiveId(archiveIds: readonly string[]): Promise<{ peer: string; archiveId: string; ts: number }[]>;
  moveReadPositions(moves: readonly { peer: string; ts: number | null }[]): Promise<Conversation[]>;
  movePeerReadPosition(peer: string, stanzaId: string): Promise<Conversation | null>;
  movePeerReadPositions(moves: readonly { peer: string; ts: number }[]): Promise<Conversation[]>;
  markedMessages(refs: readonly MarkerRef[]): Promise<{ peer: string; direction: "in" | "out"; ts: number }[]>;
  messagesUpTo(peer: string, ts: number, limit: number): Promise<ReadCandidate[]>;
  setFlags(peer: string, flags: ConversationFlags): Promise<Conversation | null>;
}

export function dbReadStore(db: Db, owner: string): ReadStore {
  return {
    messageTs: (peer, key) => messageTs(db, owner, peer, key),
    messageTsByStanzaId: (peer, id, direction) => messageTsByStanzaId(db, owner, peer, id, direction),
    messagesByArchiveId: (ids) => messagesByArchiveId(db, owner, ids),
    moveReadPositions: (moves) => moveReadPositions(db, owner, moves),
    movePeerReadPosition: (peer, id) => movePeerReadPosition(db, owner, peer, id),
    movePeerReadPositions: (moves) => movePeerReadPositions(db, owner, moves),
    markedMessages: (refs) => markedMessages(db, owner, refs),
    messagesUpTo: (peer, ts, limit) => messagesUpTo(db, owner, peer, ts, limit),
    setFlags: (peer, flags) => setConversationFlags(db, owner, peer, flags),
  };
}

/** Messages a read looks back over for the one to mark and the one to publish (bounded work per read). */
const LOOK_BACK = 200;
/** Incoming markers we act on: each costs a flush and an indexed update (issue #6 §10: bounded work). */
const MARKER_RATE = { capacity: 30, perSecond: 5 } as const;

/** Markers of one archive page we look at (a page holds at most 100 results; more is not a page of ours). */
const ARCHIVE_MARKERS = 500;

/** How XEP-0490 publishes go on this server (learnt on the first publish, see #publish). */
type PublishMode = "options" | "configure" | "plain";

/** A read to announce: the read position moved from `before` to `readTs` while nobody could be told. */
interface Unannounced {
  before: number;
  readTs: number;
}

function isUnannounced(v: unknown): v is Unannounced {
  return (
    typeof v === "object" &&
    v !== null &&
    "before" in v &&
    typeof v.before === "number" &&
    "readTs" in v &&
    typeof v.readTs === "number"
  );
}

const isString = (v: unknown): v is string => typeof v === "string";

export class ReadStateFeature implements Feature {
  readonly #markers = new TokenBucket(MARKER_RATE.capacity, MARKER_RATE.perSecond);
  readonly #store: ReadStore;
  /**
   * Reads made while the link was down (or whose announcement failed), per peer: announced when the link is back,
   * so the contact and the user's other clients learn them (the position itself is saved at once). In the
   * object's storage: an eviction or a restart before the link is back loses none.
   */
  readonly #unannounced: PeerRecords<Unannounced>;
  /**
   * XEP-0490 positions whose message is not stored yet (it comes later in the archive catch-up, or lies in a hole
   * of history): the archive id per peer, one per conversation (a newer item replaces it), applied when that
   * message is stored (see stored()).
   */
  readonly #waiting: PeerRecords<string>;
  #publishMode: PublishMode = "options";
  /**
   * Whether `peer` is a room (issue #8 §1): null for a contact; true when reading it sends a marker there (group
   * chats, and channels with fewer than 10 participants online: Movim's rule), false when not. Set by the account.
   */
  roomMarkers: (peer: string) => boolean | null = () => null;

  constructor(
    private readonly ctx: FeatureContext,
    store?: ReadStore,
  ) {
    this.#store = store ?? dbReadStore(ctx.db, ctx.info.jid);
    this.#unannounced = new PeerRecords(ctx.storage, "unannounced:", LIMITS.conversationsInMemory, isUnannounced);
    this.#waiting = new PeerRecords(ctx.storage, "mds-waiting:", LIMITS.conversationsInMemory, isString);
  }

  /** After a restart: the reads still to announce and the positions still waiting for their message. */
  async load(): Promise<void> {
    await this.#unannounced.load();
    await this.#waiting.load();
  }

  readonly frames: Pick<FrameHandlers, "conversation.read" | "conversation.set"> = {
    "conversation.read": async (ws, frame) => {
      const { ctx } = this;
      const peer = frame.peer;
      try {
        const moved = await ctx.exclusive(async () => {
          await ctx.flush();
          const ts = frame.key === undefined ? null : await this.#store.messageTs(peer, frame.key);
          if (ts === undefined) return null; // a key we do not have: nothing to read up to
          const before = ctx.state.conversations.get(peer)?.readTs ?? 0;
          const [conversation] = await this.#store.moveReadPositions([{ peer, ts }]);
          if (!conversation) return null;
          ctx.state.putConversation(conversation);
          return { conversation, before };
        });
        if (!moved) {
          // Nothing moved: the asking tab (which may have cleared its count optimistically) gets the truth.
          const current = ctx.state.conversations.get(peer);
          if (current) ctx.tabs.send(ws, { type: "conversation", conversation: current });
          return;
        }
        ctx.tabs.broadcast({ type: "conversation", conversation: moved.conversation });
        await this.#announceRead(peer, moved.before, moved.conversation.readTs ?? 0);
      } catch (err) {
        logFailure("conversation.read", err);
        refuse(ctx.tabs, ws, "internal", "The read position was not saved.");
      }
    },
    "conversation.set": async (ws, frame) => {
      const { ctx } = this;
      try {
        const conversation = await ctx.exclusive(async () => {
          await ctx.flush(); // a message waiting to be stored would show a hidden conversation again after this
          const c = await this.#store.setFlags(frame.peer, {
            pinned: frame.pinned,
            muted: frame.muted,
            hidden: frame.hidden,
          });
          if (c) ctx.state.putConversation(c);
          return c;
        });
        if (conversation) ctx.tabs.broadcast({ type: "conversation", conversation });
      } catch (err) {
        logFailure("conversation.set", err);
        refuse(ctx.tabs, ws, "internal", "The conversation was not changed.");
      }
    },
  };

  /**
   * XEP-0490 notifications of our own node: handled (true). XEP-0333 markers: acted on, then passed on (false)
   * so that the chat and chat-state features see the rest of the message.
   */
  async onStanza(el: Element): Promise<boolean> {
    if (el.name !== "message") return false;
    const self = this.ctx.info.jid;
    const positions = parseMdsEvent(el, self);
    if (positions) {
      await this.#applyPositions(positions);
      return true;
    }
    const displayed = parseDisplayed(el, self);
    if (displayed && this.#markers.take()) await this.#onDisplayed(displayed.peer, displayed.id, displayed.ours);
    return false;
  }

  /** XEP-0490 §5.2: after a fresh login, the positions other clients published while we were away. */
  async onLogin(link: Link): Promise<void> {
    const positions = await fetchPositions(link, this.ctx.info.jid);
    if (positions.length > 0) await this.ctx.exclusive(() => this.#applyPositions(positions));
  }

  /**
   * Read positions from the user's other clients (XEP-0490): forward only, unread recounted, every tab told. A
   * position whose message is not stored yet waits for it (the newest item per conversation).
   */
  async #applyPositions(positions: readonly MdsPosition[]): Promise<void> {
    if (positions.length === 0) return;
    const { ctx } = this;
    await ctx.flush();
    const found = await this.#store.messagesByArchiveId(positions.map((p) => p.archiveId));
    const moves: { peer: string; ts: number }[] = [];
    for (const p of positions) {
      const known = found.filter((f) => f.archiveId === p.archiveId);
      // The item names the conversation; the message must be in that very conversation.
      const m = known.find((f) => f.peer === p.peer);
      if (m) {
        moves.push({ peer: p.peer, ts: m.ts });
        await this.#waiting.delete(p.peer); // this item replaced any older one that waited
      } else if (known.length === 0 && this.#waiting.get(p.peer) !== p.archiveId) {
        await this.#waiting.set(p.peer, p.archiveId);
      }
    }
    this.#publishChanges(await this.#store.moveReadPositions(moves));
  }

  /**
   * Messages just written to storage: an XEP-0490 position that waited for one of them (by our server's archive
   * id, in that conversation) is applied now, so the unread count follows. Called after each storage flush;
   * never throws: a failed read-position update is logged and the position keeps waiting (the next fetch of the
   * node after a login brings it again).
   */
  async stored(messages: readonly { peer: string; archiveId: string | null; ts: number }[]): Promise<void> {
    if (this.#waiting.size === 0) return;
    const moves = messages.flatMap((m) =>
      m.archiveId !== null && this.#waiting.get(m.peer) === m.archiveId ? [{ peer: m.peer, ts: m.ts }] : [],
    );
    if (moves.length === 0) return;
    try {
      this.#publishChanges(await this.#store.moveReadPositions(moves));
      for (const { peer } of moves) await this.#waiting.delete(peer);
    } catch (err) {
      logFailure("applying a waiting read position", err);
    }
  }

  /**
   * XEP-0333 markers met in the server's archive (XEP-0313: the catch-up after a login, older pages, hole fills):
   * the same rules as live ones (#onDisplayed): the contact's moves their read position of our messages to them,
   * ours (sent by another client of the user) moves our read position, only forward. The archive is our own
   * server's, so there is no rate to keep; work is one lookup and two updates per page, however many markers.
   */
  async applyArchived(markers: readonly ParsedDisplayed[]): Promise<void> {
    if (markers.length === 0) return;
    await this.ctx.flush();
    const refs = markers
      .slice(-ARCHIVE_MARKERS)
      .map((m): MarkerRef => ({ peer: m.peer, stanzaId: m.id, direction: m.ours ? "in" : "out" }));
    const found = await this.#store.markedMessages(refs);
    const ours = found.flatMap((f) => (f.direction === "in" ? [{ peer: f.peer, ts: f.ts }] : []));
    const theirs = found.flatMap((f) => (f.direction === "out" ? [{ peer: f.peer, ts: f.ts }] : []));
    this.#publishChanges(await this.#store.moveReadPositions(ours));
    this.#publishChanges(await this.#store.movePeerReadPositions(theirs));
  }

  /**
   * XEP-0333 §5 displayed. From the contact: they have seen our message `id` (and all before it). A sent carbon
   * of our own (XEP-0280): the user saw the contact's message `id` on another client, our read position moves.
   */
  async #onDisplayed(peer: string, id: string, ours: boolean): Promise<void> {
    await this.ctx.flush();
    if (!ours) {
      const conversation = await this.#store.movePeerReadPosition(peer, id);
      if (conversation) this.#publishChanges([conversation]);
      return;
    }
    const ts = await this.#store.messageTsByStanzaId(peer, id, "in");
    if (ts !== undefined) this.#publishChanges(await this.#store.moveReadPositions([{ peer, ts }]));
  }

  #publishChanges(changed: readonly Conversation[]): void {
    for (const conversation of changed) {
      this.ctx.state.putConversation(conversation);
      this.ctx.tabs.broadcast({ type: "conversation", conversation });
    }
  }

  /**
   * The user read `peer` up to `readTs` (from `before`): one displayed marker for the newest markable incoming
   * message newly read (XEP-0333 §6: it stands for all before it; never again for older ones), and the position
   * published for the user's other clients (XEP-0490 §4) by the archive id of the newest message it covers.
   */
  async #announceRead(peer: string, before: number, readTs: number): Promise<void> {
    if (readTs <= before) return;
    const link = this.ctx.link();
    if (!link?.online) {
      await this.#defer(peer, before, readTs);
      return;
    }
    // Never throws (it runs in the connect sequence too): a failed read of storage or a failed send leaves the
    // announcement for the next connect.
    try {
      const candidates = await this.#store.messagesUpTo(peer, readTs, LOOK_BACK);
      const room = this.roomMarkers(peer);
      // messages.markable: the chat feature stores whether the sender asked for markers (XEP-0333 §4). In a room
      // the marker names the room's stanza-id (a room message's stanza_id) and goes to the room as groupchat.
      const marked = candidates.find(
        (m) => m.direction === "in" && (room !== null || m.markable) && m.ts > before && m.stanzaId !== null,
      );
      if (marked?.stanzaId && room === null) await link.send(buildDisplayed(peer, marked.stanzaId));
      if (marked?.stanzaId && room === true) await link.send(buildRoomDisplayed(peer, marked.stanzaId));
      const archived = candidates.find((m) => m.archiveId !== null);
      // XEP-0490 §4: a room's messages are named by the room's stanza-id, `by` the room.
      if (archived?.archiveId) await this.#publish(link, peer, archived.archiveId, room === null ? undefined : peer);
    } catch (err) {
      // The read position is saved; the contact and the other clients learn it once the link is back.
      logFailure("announcing a read position", err);
      await this.#defer(peer, before, readTs);
    }
  }

  /**
   * Keeps an announcement for later, in storage (bounded like the conversations in memory: the oldest goes
   * first). Two reads of one conversation make one announcement, from the older `before`.
   */
  async #defer(peer: string, before: number, readTs: number): Promise<void> {
    const prev = this.#unannounced.get(peer);
    await this.#unannounced.set(peer, {
      before: Math.min(before, prev?.before ?? before),
      readTs: Math.max(readTs, prev?.readTs ?? readTs),
    });
  }

  /**
   * After every connect (and so after a restart): the reads made while the link was down go out now (XEP-0333
   * marker, XEP-0490 item); one that fails again waits for the next connect.
   */
  async onOnline(): Promise<void> {
    for (const [peer, { before, readTs }] of this.#unannounced.entries()) {
      await this.#unannounced.delete(peer);
      await this.#announceRead(peer, before, readTs);
    }
  }

  /**
   * XEP-0490 §4 with XEP-0223 publish-options. A node that exists with another configuration answers
   * precondition-not-met (XEP-0060 §7.1.5): we configure it as §4 says and publish again; a server that refuses
   * that too gets the item without options on its existing node (which exists: it answered the precondition).
   * What worked is kept for the next publishes.
   */
  async #publish(link: Link, peer: string, archiveId: string, by?: string): Promise<void> {
    const self = by ?? this.ctx.info.jid;
    if (this.#publishMode === "plain") {
      await link.iq("set", buildMdsPublishPlain(self, peer, archiveId));
      return;
    }
    try {
      await link.iq("set", buildMdsPublish(self, peer, archiveId));
      return;
    } catch (err) {
      if (!(err instanceof XMPPError) || !isPreconditionNotMet(err)) throw err;
    }
    try {
      await link.iq("set", buildMdsConfigure());
      await link.iq("set", buildMdsPublish(self, peer, archiveId));
      this.#publishMode = "configure";
    } catch (err) {
      if (!(err instanceof XMPPError)) throw err;
      console.warn("parley: the MDS node cannot be configured as XEP-0490 §4 says; publishing without options");
      this.#publishMode = "plain";
      await link.iq("set", buildMdsPublishPlain(self, peer, archiveId));
    }
  }
}

/**
 * The items of our XEP-0490 node. Swallowed, as "no positions": item-not-found (no client of the user ever
 * published one) and any other XMPP error or timeout (the server has no PEP, or is slow: unread counts then
 * stay as this deployment knows them until the next notification).
 */
async function fetchPositions(link: Link, self: string): Promise<MdsPosition[]> {
  try {
    return parseMdsItems(await link.iq("get", buildMdsFetch()), self);
  } catch (err) {
    if (!(err instanceof XMPPError)) throw err;
    if (err.condition !== "item-not-found") logFailure("fetching read positions", err);
    return [];
  }
}
