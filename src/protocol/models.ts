// The shapes both sides of the tab <-> object socket share (the data inside frames): contacts, presences, messages,
// conversations, search results, rooms. The frames themselves are in ./index.ts, which re-exports all of this.
import { z } from "zod";
export const SHOWS = ["online", "chat", "away", "xa", "dnd"] as const;
export type Show = (typeof SHOWS)[number];
export type ConnectionState = "connecting" | "online" | "reconnecting" | "offline";
export type Subscription = "none" | "to" | "from" | "both";

export const show = z.enum(SHOWS);
export const subscription = z.enum(["none", "to", "from", "both"]);
export const connectionState = z.enum(["connecting", "online", "reconnecting", "offline"]);

export const PresenceInfoSchema = z.object({ resource: z.string(), show, status: z.string(), priority: z.number() });
export type PresenceInfo = z.infer<typeof PresenceInfoSchema>;

export const contactBase = z.object({
  jid: z.string(),
  name: z.string(),
  subscription,
  ask: z.boolean(),
  groups: z.array(z.string()),
});
export const ContactSchema = contactBase.extend({ presences: z.array(PresenceInfoSchema) });
export type Contact = z.infer<typeof ContactSchema>;
export type RosterEntry = z.infer<typeof contactBase>;

const EncryptedViewSchema = z.object({
  namespace: z.literal("eu.siacs.conversations.axolotl"),
  xml: z.string(),
  hasPayload: z.boolean(),
});

/** Reactions a message carries (XEP-0444): per emoji, who (bare JIDs; the user's own JID for theirs). */
export const ReactionSchema = z.object({ emoji: z.string(), from: z.array(z.string()) });
export type Reaction = z.infer<typeof ReactionSchema>;

export const ChatMessageSchema = z.object({
  /** Dedupe key (origin-id / stanza-id based, see src/xmpp/message.ts). Tabs name messages by key only. */
  key: z.string(),
  peer: z.string(),
  direction: z.enum(["in", "out"]),
  body: z.string(),
  ts: z.number(),
  /** XEP-0184 state of an outgoing message: sent, or received by the peer's client. */
  receipt: z.enum(["sent", "received"]).nullable(),
  /**
   * An end-to-end encrypted message: the OMEMO element as it arrived (body is then ""). Only the browser
   * decrypts it; `hasPayload` false is a key-transport message, processed silently.
   */
  encrypted: EncryptedViewSchema.optional(),
  /**
   * XEP-0461: the message this one replies to. `key` is null when the target is not stored here; `body` is its
   * clear text (its latest correction), "" when it is encrypted (the tab has its plaintext by key) or unknown.
   */
  replyTo: z
    .object({
      key: z.string().nullable(),
      direction: z.enum(["in", "out"]).nullable(),
      body: z.string(),
      /** The replied message was retracted (XEP-0424). */
      retracted: z.boolean().optional(),
      /** XEP-0428: the quote inside an encrypted target's decrypted text (a reply itself), to leave out. */
      fallback: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
    })
    .optional(),
  /** XEP-0428: the quote at the start of an encrypted reply's decrypted body, [start, end) in code points. */
  fallback: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
  /** XEP-0308: the latest correction by the sender (clear `body`, or an OMEMO element decrypted by its `key`). */
  edit: z
    .object({ key: z.string(), body: z.string(), encrypted: EncryptedViewSchema.optional(), ts: z.number() })
    .optional(),
  /** XEP-0424: the sender retracted it (body and edit are then gone). */
  retracted: z.boolean().optional(),
  /** XEP-0425: a room's moderator retracted it (`by`: their nickname), with the reason they gave. */
  moderated: z.object({ by: z.string().optional(), reason: z.string().optional() }).optional(),
  reactions: z.array(ReactionSchema).optional(),
  /**
   * A group chat message (issue #8): who wrote it, as the room says. `nick` is the sender's nickname at the time;
   * `occupantId` (XEP-0421) identifies them across nick changes where the room provides it; `jid` is their real
   * bare JID where the room shows it. Absent in one-to-one chats.
   */
  from: z.object({ nick: z.string(), occupantId: z.string().optional(), jid: z.string().optional() }).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ConversationSchema = z.object({
  peer: z.string(),
  lastTs: z.number(),
  lastBody: z.string(),
  /** Incoming messages after `readTs` (the read position, XEP-0490). */
  unread: z.number(),
  readTs: z.number().optional(),
  /** The contact has seen (XEP-0333 displayed) our messages up to this time: they show "Read". */
  peerReadTs: z.number().optional(),
  pinned: z.boolean().optional(),
  muted: z.boolean().optional(),
  hidden: z.boolean().optional(),
  /** "room": `peer` is a room (its state is the snapshot's `rooms` entry); absent: a one-to-one chat. */
  kind: z.literal("room").optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const PresenceDeltaSchema = z.object({
  jid: z.string(),
  resource: z.string(),
  available: z.boolean(),
  show,
  status: z.string(),
  priority: z.number(),
});
export type PresenceDelta = z.infer<typeof PresenceDeltaSchema>;

export interface HistoryCursor {
  ts: number;
  key: string;
}

/**
 * One search hit (issue #7 §5): the message's text, cut to a snippet around the match (src/protocol/search.ts),
 * and the matched ranges of that text as [start, end) in UTF-16 code units, for the tab to wrap in elements
 * (never HTML from the server).
 */
export const SearchResultSchema = z.object({
  peer: z.string(),
  key: z.string(),
  ts: z.number(),
  direction: z.enum(["in", "out"]),
  text: z.string(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;
/** Where a search page ends: the last result's (ts, peer, key). Results come in descending order of these. */
export interface SearchCursor {
  ts: number;
  peer: string;
  key: string;
}

/**
 * A room the account is in or was in (issue #8), as tabs see it: `kind` is what the user is told ("group": a
 * group chat, members-only and non-anonymous; "channel": open; "other"), `state` whether we are in it now.
 * `error` says why we are not (a refused join, a kick or ban: status 307/301/321/332, with the reason when
 * given). `participants` counts the occupants present.
 */
export const RoomViewSchema = z.object({
  room: z.string(),
  kind: z.enum(["group", "channel", "other"]),
  name: z.string().optional(),
  description: z.string().optional(),
  subject: z.string().optional(),
  nick: z.string(),
  state: z.enum(["joining", "joined", "left", "error"]),
  error: z.string().optional(),
  participants: z.number().int().nonnegative(),
  role: z.enum(["moderator", "participant", "visitor", "none"]),
  affiliation: z.enum(["owner", "admin", "member", "outcast", "none"]),
  autojoin: z.boolean(),
  notify: z.enum(["always", "on-mention", "never"]).nullable(),
});
export type RoomView = z.infer<typeof RoomViewSchema>;

/** One participant of a room as the tabs see it (issue #8 §1: the "Participants" list). */
export const ParticipantViewSchema = z.object({
  nick: z.string(),
  role: z.enum(["moderator", "participant", "visitor", "none"]),
  affiliation: z.enum(["owner", "admin", "member", "outcast", "none"]),
  show,
  /** The real bare JID, where the room shows it. */
  jid: z.string().optional(),
  /** XEP-0421, where the room provides it. */
  occupantId: z.string().optional(),
});
export type ParticipantView = z.infer<typeof ParticipantViewSchema>;
