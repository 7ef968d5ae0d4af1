// The tab <-> object wire format, shared by src/durable and web/. A union keyed on `type`; every frame that
// crosses the socket is parsed (never cast) on the receiving side.
import { z } from "zod";
import { parseBareJid } from "../xmpp/jid.ts";
import { MAX_QUERY_CHARS } from "./search.ts";
import { InvitationViewSchema, MAX_INVITEES } from "./rooms-create.ts";
import {
  AffiliationItemSchema,
  MAX_REASON_CHARS,
  MAX_ROOM_DESCRIPTION_CHARS,
  MAX_ROOM_NAME_CHARS,
  MAX_ROOM_QUERY_CHARS,
  RoomListingSchema,
} from "./room-admin.ts";
import {
  ChatMessageSchema,
  ContactSchema,
  ConversationSchema,
  PresenceDeltaSchema,
  ParticipantViewSchema,
  RoomViewSchema,
  SHOWS,
  SearchResultSchema,
  connectionState,
  contactBase,
  show,
} from "./models.ts";

export * from "./models.ts";
export * from "./room-admin.ts";
export * from "./rooms-create.ts";

/** Frames larger than this are refused with an error frame (issue #2 §3). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Longest message body a tab may send (XMPP servers commonly cap stanzas around 256 KiB; 10,000 chars is plenty). */
export const MAX_BODY_CHARS = 10_000;
export const HISTORY_PAGE = 50;
/** Longest nickname a tab may ask for in a room. */
export const MAX_NICK_CHARS = 256;
/** Conversations per conversations.load page. */
export const CONVERSATIONS_PAGE = 100;
/** Participants one room.participants frame carries (the list is searched in the object beyond that: issue #8 §3). */
export const MAX_PARTICIPANTS_SENT = 2_000;
/** Members (owners, admins, members) one room.members frame carries: OMEMO in group chats encrypts for them all. */
export const MAX_ROOM_MEMBERS = 1_000;

// ---- tab -> object -------------------------------------------------------------------------------------------

// XML 1.0 §2.2 Char: anything else cannot travel in a stanza (the server ends the stream as not-well-formed).
// Lone surrogates are let through: the UTF-8 encoder sends them as U+FFFD.
const XML_ILLEGAL = /[^\t\n\r\u{20}-\u{FFFD}\u{10000}-\u{10FFFF}]/u;
const XML_ILLEGAL_ALL = /[^\t\n\r\u{20}-\u{FFFD}\u{10000}-\u{10FFFF}]/gu;

/** Removes what XML 1.0 §2.2 cannot carry (pasted terminal escapes, say), so a tab never sends it. */
export function stripXmlIllegal(text: string): string {
  return text.replace(XML_ILLEGAL_ALL, "");
}
/** Text that ends up in a stanza. */
const xmlText = () => z.string().refine((v) => !XML_ILLEGAL.test(v), "contains characters XML cannot carry");

/** Every address a tab names is parsed (and normalised) like a typed one; an unparsable one refuses the frame. */
const jid = xmlText()
  .min(3)
  .max(3071)
  .transform((value, ctx) => {
    const parsed = parseBareJid(value);
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: "is not a bare JID (name@domain)" });
      return z.NEVER;
    }
    return parsed;
  });
const requestId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/u, "letters, digits, _ . : - only");
/** XEP-0384 v0.3 §4.2-4.3: the only PEP nodes a tab may touch. */
export const OMEMO_DEVICELIST_NODE = "eu.siacs.conversations.axolotl.devicelist";
export const OMEMO_BUNDLE_NODE_PREFIX = "eu.siacs.conversations.axolotl.bundles:";
export function isOmemoNode(node: string): boolean {
  if (node === OMEMO_DEVICELIST_NODE) return true;
  return node.startsWith(OMEMO_BUNDLE_NODE_PREFIX) && /^\d{1,10}$/u.test(node.slice(OMEMO_BUNDLE_NODE_PREFIX.length));
}
const pepNode = z.string().max(128).refine(isOmemoNode, "not an OMEMO node");

/** A message key a tab names (an existing message of the conversation). */
const messageKeyField = xmlText().min(1).max(512);
/** Readers one room.reads frame names (the newest). */
export const MAX_ROOM_READS = 100;
/** Longest reason a moderator gives for a retraction (XEP-0425). */
export const MAX_MODERATION_REASON = 500;
const historyCursor = z.object({ ts: z.number().int(), key: xmlText().max(512) });
/**
 * XEP-0461 + XEP-0428: the message replied to, and the length (in code points) of the quote the tab put at the
 * start of the body (0: none). The object adds the <reply/> and <fallback/> elements.
 */
const replyField = z.object({ key: messageKeyField, quoteLength: z.number().int().min(0).max(MAX_BODY_CHARS) });
/** XEP-0444: one reaction is one emoji (a grapheme of a few code points; no letters, digits or spaces). */
export const MAX_REACTIONS = 20;
const emoji = xmlText()
  .min(1)
  .max(32)
  .refine((v) => !/[\s\p{L}\p{N}<>&]/u.test(v), "is not an emoji");

export const ClientFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message.send"),
    requestId,
    to: jid,
    body: xmlText().min(1).max(MAX_BODY_CHARS),
    replyTo: replyField.optional(),
    /** XEP-0308: this replaces the user's earlier message with this key. */
    replace: messageKeyField.optional(),
  }),
  // An OMEMO <encrypted/> element the tab built (XEP-0384 v0.3 §4.5): the object never sees the clear text.
  z.object({
    type: z.literal("message.send-encrypted"),
    requestId,
    to: jid,
    encrypted: xmlText()
      .min(1)
      .max(60 * 1024),
    replyTo: replyField.optional(),
    replace: messageKeyField.optional(),
  }),
  /** XEP-0424: retract one of the user's own messages. */
  z.object({ type: z.literal("message.retract"), requestId, peer: jid, key: messageKeyField }),
  /** XEP-0444: the user's whole set of reactions to a message (empty: none). */
  z.object({
    type: z.literal("message.react"),
    requestId,
    peer: jid,
    key: messageKeyField,
    emojis: z.array(emoji).max(MAX_REACTIONS),
  }),
  /** XEP-0425: as a room's moderator, retract anyone's message in the room `peer` (issue #8 §1). */
  z.object({
    type: z.literal("message.moderate"),
    requestId,
    peer: jid,
    key: messageKeyField,
    reason: xmlText().max(MAX_MODERATION_REASON).optional(),
  }),
  // PEP (XEP-0163) for OMEMO's device lists and bundles only: the browser owns the keys, the object relays.
  z.object({
    type: z.literal("pep.publish"),
    requestId,
    node: pepNode,
    itemId: xmlText().min(1).max(64),
    /** The item's payload element, serialised (a <list/> or a <bundle/>). */
    payload: xmlText()
      .min(1)
      .max(60 * 1024),
  }),
  z.object({ type: z.literal("pep.fetch"), requestId, jid, node: pepNode }),
  z.object({ type: z.literal("presence.set"), show: z.enum(SHOWS), status: xmlText().max(1024) }),
  z.object({ type: z.literal("roster.add"), requestId, jid, name: xmlText().max(256).optional() }),
  z.object({ type: z.literal("subscription.answer"), jid, accept: z.boolean() }),
  /**
   * A page of history: the one before `before` (null: the newest), or the one after `after` (newer, for a
   * conversation opened in its middle), or the page around the message `around` (a search result: half before,
   * half after). At most one of them.
   */
  z
    .object({
      type: z.literal("history.load"),
      requestId,
      peer: jid,
      before: historyCursor.nullable(),
      after: historyCursor.optional(),
      around: messageKeyField.optional(),
    })
    .refine(
      (f) => [f.before !== null, f.after !== undefined, f.around !== undefined].filter(Boolean).length <= 1,
      "at most one of before, after, around",
    ),
  /** Read up to the message `key` (seen on screen), or everything when absent (XEP-0333, XEP-0490). */
  z.object({ type: z.literal("conversation.read"), peer: jid, key: messageKeyField.optional() }),
  /** Pin, mute or hide a conversation (what is absent stays as it is). */
  z.object({
    type: z.literal("conversation.set"),
    peer: jid,
    pinned: z.boolean().optional(),
    muted: z.boolean().optional(),
    hidden: z.boolean().optional(),
  }),
  /** The page of conversations older than `before` (keyset on lastTs, then peer). */
  z.object({
    type: z.literal("conversations.load"),
    requestId,
    before: z.object({ lastTs: z.number().int(), peer: jid }),
  }),
  z.object({ type: z.literal("ping") }),
  /**
   * Full-text search over the user's clear messages (issue #7 §5, src/durable/features/search.ts); `before` is
   * the last result of the previous page. Answered by search.results.
   */
  z.object({
    type: z.literal("search"),
    requestId,
    query: xmlText().min(1).max(MAX_QUERY_CHARS),
    before: z.object({ ts: z.number().int(), peer: jid, key: messageKeyField }).optional(),
  }),
  /** The composer's text for `peer`, kept by the object for every tab (empty: no draft). */
  z.object({ type: z.literal("draft.set"), peer: jid, text: xmlText().max(MAX_BODY_CHARS) }),
  /** XEP-0085: what the user is doing in the conversation with `to` (sent at most every few seconds). */
  z.object({ type: z.literal("chatstate"), to: jid, state: z.enum(["active", "composing", "paused"]) }),
  /**
   * Join a room (XEP-0045 §7.2; issue #8): the nickname is the bookmark's, else the one the room reserved for us,
   * else the account's local part, unless given. Answered by `ack` once joined (a `room` frame follows every
   * change), or `error` (room-failed, with the XMPP condition as message).
   */
  z.object({
    type: z.literal("room.join"),
    requestId,
    room: jid,
    nick: xmlText().min(1).max(MAX_NICK_CHARS).optional(),
    password: xmlText().min(1).max(256).optional(),
  }),
  /** Leave a room (XEP-0045 §7.14): it stays in the list, state "left"; its bookmark's autojoin goes false. */
  z.object({ type: z.literal("room.leave"), requestId, room: jid }),
  /** Who has read how far in a group chat (XEP-0333 markers in the room: "Read by"), answered by `room.reads`. */
  z.object({ type: z.literal("room.reads"), requestId, room: jid }),
  /**
   * The real addresses of a group chat's owners, admins and members, offline ones too, never outcasts (issue #8 §2:
   * the recipients of an OMEMO message). Answered by `room.members`, or `error` (room-failed) when the room is not
   * a group chat (members-only and non-anonymous) or its lists cannot be read.
   */
  z.object({ type: z.literal("room.members"), requestId, room: jid }),
  /**
   * When a room notifies (XEP-0492 in its XEP-0402 bookmark, shared with the user's other clients): every message,
   * mentions only, or never. Answered by `ack` (the room's frame follows), or `error` (room-failed).
   */
  z.object({
    type: z.literal("room.notify"),
    requestId,
    room: jid,
    notify: z.enum(["always", "on-mention", "never"]),
  }),
  /**
   * Search the deployment's group chats and channels (issue #8 §1; src/durable/features/room-directory.ts): by
   * name, address and description, case-folded; empty lists them all. Answered by room.search.results.
   */
  z.object({ type: z.literal("room.search"), requestId, query: xmlText().max(MAX_ROOM_QUERY_CHARS) }),
  /** Owners: a room's name and description (XEP-0045 §10.2). Answered by `ack` or `error` (room-failed). */
  z.object({
    type: z.literal("room.configure"),
    requestId,
    room: jid,
    name: xmlText().min(1).max(MAX_ROOM_NAME_CHARS),
    description: xmlText().max(MAX_ROOM_DESCRIPTION_CHARS),
  }),
  /** Owners and admins: the room's owners, admins, members and outcasts (§9.5, §10.5), answered by room.affiliations. */
  z.object({ type: z.literal("room.affiliations"), requestId, room: jid }),
  /**
   * Owners and admins: give `jid` an affiliation (§9.3 member, §10.6 admin, §9.1 outcast: a ban; "none" removes
   * it). Answered by `ack` or `error`.
   */
  z.object({
    type: z.literal("room.affiliate"),
    requestId,
    room: jid,
    jid,
    affiliation: z.enum(["owner", "admin", "member", "outcast", "none"]),
    reason: xmlText().max(MAX_REASON_CHARS).optional(),
  }),
  /** Moderators: remove a participant (§8.2, role none), with a reason. Answered by `ack` or `error`. */
  z.object({
    type: z.literal("room.kick"),
    requestId,
    room: jid,
    nick: xmlText().min(1).max(MAX_NICK_CHARS),
    reason: xmlText().max(MAX_REASON_CHARS).optional(),
  }),
  /** Owners: destroy the room (§10.9). Answered by `ack` or `error`. */
  z.object({
    type: z.literal("room.destroy"),
    requestId,
    room: jid,
    reason: xmlText().max(MAX_REASON_CHARS).optional(),
  }),
  /**
   * Create a group chat (a unique address is found) or a channel (at `address`: a local part on the deployment's
   * service, or a whole address), configured for its kind, joined and bookmarked; `invite` are invited (issue #8
   * §1). Answered by `room.created`, or `error` (room-failed: conflict when the address is taken).
   */
  z
    .object({
      type: z.literal("room.create"),
      requestId,
      kind: z.enum(["group", "channel"]),
      name: xmlText().trim().min(1).max(MAX_ROOM_NAME_CHARS),
      address: xmlText().trim().min(1).max(1023).optional(),
      description: xmlText().max(MAX_ROOM_DESCRIPTION_CHARS).optional(),
      invite: z.array(jid).max(MAX_INVITEES),
    })
    .refine((f) => f.kind === "group" || f.address !== undefined, "a channel needs an address"),
  /** Invite `jid` to a room we are in: through the room (XEP-0045 §7.8.2) and directly (XEP-0249). */
  z.object({ type: z.literal("room.invite"), requestId, room: jid, jid }),
  /** Join (with the invitation's password, if any) or decline (XEP-0045 §7.8.2 for mediated ones) an invitation. */
  z.object({ type: z.literal("invitation.answer"), requestId, room: jid, accept: z.boolean() }),
  /**
   * The participants present in a room we are in (answered by `room.participants`): those whose nick or address
   * contains `query` (searched in the object, issue #8 §3), from `offset` in list order, at most `limit`
   * (MAX_PARTICIPANTS_SENT at most).
   */
  z.object({
    type: z.literal("room.participants"),
    requestId,
    room: jid,
    query: xmlText().max(MAX_NICK_CHARS).optional(),
    offset: z.number().int().nonnegative().max(1_000_000).optional(),
    limit: z.number().int().positive().max(MAX_PARTICIPANTS_SENT).optional(),
  }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

// ---- object -> tab -------------------------------------------------------------------------------------------

export const ERROR_CODES = [
  "frame-too-large",
  "bad-encrypted",
  "pep-failed",
  "bad-frame",
  "unknown-type",
  "not-connected",
  "bad-address",
  "send-failed",
  "history-failed",
  "search-failed",
  "room-failed",
  "rate-limited",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ServerFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("snapshot"),
    self: z.object({ jid: z.string(), show, status: z.string() }),
    connection: connectionState,
    roster: z.array(ContactSchema),
    conversations: z.array(ConversationSchema),
    /** More (older) conversations than the snapshot carries: page them with conversations.load. */
    moreConversations: z.boolean().optional(),
    /** Unsent composer texts, per conversation. */
    drafts: z.array(z.object({ peer: z.string(), text: z.string() })).optional(),
    /** The rooms the account is in or was in (issue #8); their conversations are in `conversations`, kind "room". */
    rooms: z.array(RoomViewSchema).optional(),
    /** Invitations to rooms not answered yet (issue #8 §1). */
    invitations: z.array(InvitationViewSchema).optional(),
    subscriptionRequests: z.array(z.string()),
  }),
  z.object({ type: z.literal("connection"), state: connectionState, reason: z.string().optional() }),
  z.object({ type: z.literal("presence"), updates: z.array(PresenceDeltaSchema) }),
  z.object({ type: z.literal("self.presence"), show, status: z.string() }),
  z.object({ type: z.literal("roster"), items: z.array(contactBase), removed: z.array(z.string()) }),
  z.object({ type: z.literal("subscription.request"), jid: z.string() }),
  z.object({ type: z.literal("subscription.handled"), jid: z.string() }),
  z.object({
    type: z.literal("message"),
    message: ChatMessageSchema,
    conversation: ConversationSchema,
    requestId: z.string().optional(),
  }),
  z.object({ type: z.literal("receipt"), peer: z.string(), key: z.string() }),
  /** A loaded message changed (corrected, retracted, reacted to): the tab replaces its copy by key. */
  z.object({ type: z.literal("message.update"), message: ChatMessageSchema }),
  z.object({ type: z.literal("conversation"), conversation: ConversationSchema }),
  z.object({
    type: z.literal("conversations.page"),
    requestId: z.string(),
    conversations: z.array(ConversationSchema),
    hasMore: z.boolean(),
  }),
  z.object({
    type: z.literal("history"),
    requestId: z.string(),
    peer: z.string(),
    /** Oldest first. */
    messages: z.array(ChatMessageSchema),
    /** Older messages exist before this page. */
    hasMore: z.boolean(),
    /** Newer messages exist after this page (only on answers to `after` and `around`: else it is the newest). */
    hasNewer: z.boolean().optional(),
  }),
  /**
   * Search results, newest first: descending (ts, peer, key), the order the `before` cursor pages in. A tab
   * groups them by `peer` in order of first appearance (each conversation placed by its newest match, its
   * messages newest first), and appends later pages to those groups; browser-side results of encrypted messages
   * merge in the same order (web/src/features/search/local.ts). `query` is the query as asked, so a tab drops
   * answers to queries the user has since changed.
   */
  z.object({
    type: z.literal("search.results"),
    requestId: z.string(),
    query: z.string(),
    results: z.array(SearchResultSchema),
    hasMore: z.boolean(),
  }),
  /**
   * A history.load waits while a hole in the conversation's history is filled from the server's archive (issue
   * #7 §6): `loaded` messages so far; `done` when the fill for this request has ended (its history frame follows).
   */
  z.object({
    type: z.literal("history.progress"),
    requestId: z.string(),
    peer: z.string(),
    loaded: z.number().int().nonnegative(),
    done: z.boolean(),
  }),
  /** A request done. For a correction, `key` is the correction's own key (an encrypted one's text is cached by it). */
  z.object({ type: z.literal("ack"), requestId: z.string(), key: z.string().optional() }),
  /** The items of a PEP node (answer to pep.fetch), payloads serialised. */
  z.object({
    type: z.literal("pep.items"),
    requestId: z.string(),
    jid: z.string(),
    node: z.string(),
    items: z.array(z.object({ id: z.string(), payload: z.string() })),
  }),
  /** A PEP notification (XEP-0163 §4.3): a contact's (or our own) OMEMO device list changed. */
  z.object({
    type: z.literal("pep.event"),
    jid: z.string(),
    node: z.string(),
    items: z.array(z.object({ id: z.string(), payload: z.string() })),
  }),
  z.object({ type: z.literal("pong") }),
  /** A room changed (joined, left, kicked, renamed, participants, bookmark settings): the tab replaces its copy. */
  z.object({ type: z.literal("room"), room: RoomViewSchema }),
  /**
   * A room's participants (moderators first, then by name), at most MAX_PARTICIPANTS_SENT of them; `total` is how
   * many are present.
   */
  z.object({
    type: z.literal("room.participants"),
    requestId: z.string(),
    room: z.string(),
    participants: z.array(ParticipantViewSchema),
    total: z.number().int().nonnegative(),
    /** The request's search and where this page starts (absent: no search, from the first). */
    query: z.string().optional(),
    offset: z.number().int().nonnegative().optional(),
    /** How many match `query` (absent: `total`). */
    matching: z.number().int().nonnegative().optional(),
  }),
  /**
   * Who came, changed and left in the rooms since the last flush (issue #8 §3): at most one such frame per flush
   * of the presence buffer, whatever the number of presences. `reset`: the room's list was replaced (a join, a
   * leave, or more changes than one frame carries); `added` then holds its first page and a tab that shows the
   * list asks for it again. Tabs that hold no list of a room take only `total`.
   */
  z.object({
    type: z.literal("room.participants.delta"),
    rooms: z.array(
      z.object({
        room: z.string(),
        total: z.number().int().nonnegative(),
        reset: z.boolean().optional(),
        added: z.array(ParticipantViewSchema),
        changed: z.array(ParticipantViewSchema),
        /** Nicks of those who left. */
        removed: z.array(z.string()),
      }),
    ),
  }),
  /**
   * How far participants of a group chat have read it (issue #8 §1, XEP-0333 displayed markers by the room's
   * stanza-id): each reader's nickname and the time of the newest message they marked, newest first, at most
   * MAX_ROOM_READS. Sent on request and to every tab when it changes.
   */
  z.object({
    type: z.literal("room.reads"),
    requestId: z.string().optional(),
    room: z.string(),
    reads: z.array(z.object({ nick: z.string(), ts: z.number() })),
  }),
  /** A group chat's members (answers `room.members`), at most MAX_ROOM_MEMBERS; our own address is not listed. */
  z.object({
    type: z.literal("room.members"),
    requestId: z.string(),
    room: z.string(),
    members: z.array(z.string()).max(MAX_ROOM_MEMBERS),
  }),
  /**
   * Rooms found by a room.search, most participants first, at most ROOM_SEARCH_PAGE; `total` is how many matched.
   * `query` is the query as asked (a tab drops answers to queries the user has since changed).
   */
  z.object({
    type: z.literal("room.search.results"),
    requestId: z.string(),
    query: z.string(),
    results: z.array(RoomListingSchema),
    total: z.number().int().nonnegative(),
  }),
  /** A room's affiliation lists (answer to room.affiliations), at most MAX_AFFILIATIONS_SENT items. */
  z.object({
    type: z.literal("room.affiliations"),
    requestId: z.string(),
    room: z.string(),
    items: z.array(AffiliationItemSchema),
  }),
  /** A room.create done: the room's address (its `room` frame came before). */
  z.object({ type: z.literal("room.created"), requestId: z.string(), room: z.string() }),
  /** The invitations not answered yet, all of them (a few dozen at most), whenever they change. */
  z.object({ type: z.literal("invitations"), invitations: z.array(InvitationViewSchema) }),
  /** A draft changed (in another tab, or cleared by a send): empty text means none. */
  z.object({ type: z.literal("draft"), peer: z.string(), text: z.string() }),
  /** XEP-0085: a contact's chat state in the conversation with them (composing: "… is typing"). */
  z.object({
    type: z.literal("typing"),
    peer: z.string(),
    state: z.enum(["active", "composing", "paused", "inactive", "gone"]),
  }),
  z.object({
    type: z.literal("error"),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    requestId: z.string().optional(),
  }),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

export type RoomFrame = Extract<ServerFrame, { type: "room" }>;
/** Everything the object sends to tabs. */
export type OutgoingFrame = ServerFrame;

/** A `room` frame, or null (tests that watch rooms only). */
export function parseRoomFrame(raw: unknown): RoomFrame | null {
  const frame = parseServerFrame(raw);
  return frame?.type === "room" ? frame : null;
}

/** Parses a frame from the object (in the tab). Null when it is not one: the tab logs and ignores it. */
export function parseServerFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== "string") return null;
  try {
    const parsed = ServerFrameSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export type ParseResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: ErrorCode; message: string; requestId?: string };

function byteLength(raw: string | ArrayBuffer): number {
  return typeof raw === "string" ? new TextEncoder().encode(raw).byteLength : raw.byteLength;
}

/** Parses one frame from a tab: size first (before any decoding work), then JSON, then the schema. */
export function parseClientFrame(raw: string | ArrayBuffer): ParseResult<ClientFrame> {
  if (byteLength(raw) > MAX_FRAME_BYTES) {
    return { ok: false, code: "frame-too-large", message: `frames are limited to ${MAX_FRAME_BYTES} bytes` };
  }
  if (typeof raw !== "string") return { ok: false, code: "bad-frame", message: "binary frames are not accepted" };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: "bad-frame", message: "frame is not JSON" };
  }
  const type = typeof value === "object" && value !== null && "type" in value ? value.type : undefined;
  if (typeof type !== "string") return { ok: false, code: "bad-frame", message: "frame has no type" };
  if (!ClientFrameSchema.options.some((o) => o.shape.type.value === type)) {
    return { ok: false, code: "unknown-type", message: `unknown frame type ${JSON.stringify(type.slice(0, 64))}` };
  }
  const parsed = ClientFrameSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const failure: ParseResult<ClientFrame> = {
      ok: false,
      code: "bad-frame",
      message: `invalid ${type}: ${issue ? `${issue.path.join(".")} ${issue.message}` : "?"}`,
    };
    // The refusal names the request when it had a well-formed id, so the tab can tell which one failed.
    const id = requestId.safeParse((value as { requestId?: unknown }).requestId);
    if (id.success) failure.requestId = id.data;
    return failure;
  }
  return { ok: true, frame: parsed.data };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
