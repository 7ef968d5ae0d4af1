// The rooms' part of the tab <-> object wire format (issue #8: group chats and channels): the frames a tab sends
// about rooms and those the object answers with. ./index.ts puts them into its two frame unions.
import { z } from "zod";
import { jid, requestId, xmlText } from "./fields.ts";
import { ParticipantViewSchema, RoomViewSchema } from "./models.ts";
import {
  AffiliationItemSchema,
  MAX_REASON_CHARS,
  MAX_ROOM_DESCRIPTION_CHARS,
  MAX_ROOM_NAME_CHARS,
  MAX_ROOM_QUERY_CHARS,
  RoomListingSchema,
} from "./room-admin.ts";
import { InvitationViewSchema, MAX_INVITEES } from "./rooms-create.ts";

/** Longest nickname a tab may ask for in a room. */
export const MAX_NICK_CHARS = 256;
/** Participants one room.participants frame carries (the list is searched in the object beyond that: issue #8 §3). */
export const MAX_PARTICIPANTS_SENT = 2_000;
/** Members (owners, admins, members) one room.members frame carries: OMEMO in group chats encrypts for them all. */
export const MAX_ROOM_MEMBERS = 1_000;
/** Readers one room.reads frame names (the newest). */
export const MAX_ROOM_READS = 100;

/** Tab -> object. */
export const ROOM_CLIENT_FRAMES = [
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
] as const;

/** Object -> tab. */
export const ROOM_SERVER_FRAMES = [
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
] as const;
