// The tab <-> object wire format, shared by src/durable and web/. A union keyed on `type`; every frame that
// crosses the socket is parsed (never cast) on the receiving side.
import { z } from "zod";
import { jid, requestId, xmlText } from "./fields.ts";
import { ROOM_CLIENT_FRAMES, ROOM_SERVER_FRAMES } from "./rooms.ts";
import { MAX_QUERY_CHARS } from "./search.ts";
import { InvitationViewSchema } from "./rooms-create.ts";
import {
  ChatMessageSchema,
  ContactSchema,
  ConversationSchema,
  PresenceDeltaSchema,
  RoomViewSchema,
  SHOWS,
  SearchResultSchema,
  connectionState,
  contactBase,
  show,
} from "./models.ts";

export * from "./models.ts";
export * from "./fields.ts";
export * from "./rooms.ts";
export * from "./room-admin.ts";
export * from "./rooms-create.ts";

/** Frames larger than this are refused with an error frame (issue #2 §3). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Longest message body a tab may send (XMPP servers commonly cap stanzas around 256 KiB; 10,000 chars is plenty). */
export const MAX_BODY_CHARS = 10_000;
export const HISTORY_PAGE = 50;
/** Conversations per conversations.load page. */
export const CONVERSATIONS_PAGE = 100;

// ---- tab -> object -------------------------------------------------------------------------------------------

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
  ...ROOM_CLIENT_FRAMES,
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
  ...ROOM_SERVER_FRAMES,
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
