import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A signed-in browser: only the SHA-256 of the cookie's token is stored (issue #2 §2). */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    jid: text("jid").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Last use, refreshed at most every few minutes: a session unused for SESSION_IDLE_MS ends (issue #6 §12). */
    lastSeenAt: integer("last_seen_at").notNull().default(0),
    /** The account's credential generation when the session was made; a password change bumps it (issue #6 §5). */
    generation: integer("generation").notNull().default(0),
  },
  (t) => [index("sessions_jid").on(t.jid), index("sessions_expiry").on(t.expiresAt)],
);

/** Accounts that signed in here at least once, with their credential generation (issue #6 §3, §5). */
export const accounts = sqliteTable("accounts", {
  jid: text("jid").primaryKey(),
  generation: integer("generation").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Consecutive failed sign-ins per address: an exponential delay before the next attempt (issue #6 §3). */
export const loginFailures = sqliteTable("login_failures", {
  jid: text("jid").primaryKey(),
  failures: integer("failures").notNull(),
  lockedUntil: integer("locked_until").notNull(),
});

/** Fixed-window counters for rate limits (key = what is limited, window = start of the window in ms). */
export const rateCounters = sqliteTable(
  "rate_counters",
  {
    key: text("key").notNull(),
    window: integer("window").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.window] }), index("rate_counters_window").on(t.window)],
);

/** 1:1 messages of an account (`owner`, a bare JID) with `peer`. `key` dedupes (XEP-0359). */
export const messages = sqliteTable(
  "messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    owner: text("owner").notNull(),
    peer: text("peer").notNull(),
    key: text("key").notNull(),
    /** The stanza's id attribute, what XEP-0184 receipts refer to. */
    stanzaId: text("stanza_id"),
    /** XEP-0313 archive id (our server's XEP-0359 stanza-id), when known. */
    archiveId: text("archive_id"),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    body: text("body").notNull(),
    /** An end-to-end encrypted message's OMEMO element, exactly as it arrived (never decrypted here). */
    encrypted: text("encrypted"),
    ts: integer("ts").notNull(),
    /** XEP-0461: the id of the message this one replies to (in 1:1, the target's stanza id attribute). */
    replyTo: text("reply_to"),
    /**
     * XEP-0428: the quote an encrypted reply carries in its body, as "start:end" code points, removed by the
     * browser after decrypting (a clear reply's fallback is removed before storing).
     */
    fallback: text("fallback"),
    /** XEP-0333: the sender asked for chat markers. */
    markable: integer("markable", { mode: "boolean" }).notNull().default(false),
    /** A group chat message (issue #8): the sender's nickname in the room (XEP-0045 §7.4). */
    senderNick: text("sender_nick"),
    /** XEP-0421: the sender's occupant id, when the room provides it. */
    senderOccupantId: text("sender_occupant_id"),
    /** The sender's real bare JID, when the room shows it (non-anonymous rooms, or we moderate). */
    senderJid: text("sender_jid"),
    /**
     * A group chat message's own id as its sender gave it (XEP-0359 origin-id, else the id attribute): what
     * XEP-0308 corrections in rooms name it by (everything else names it by the room's stanza-id, `stanza_id`).
     */
    originId: text("origin_id"),
  },
  (t) => [
    uniqueIndex("messages_owner_peer_key").on(t.owner, t.peer, t.key),
    index("messages_page").on(t.owner, t.peer, t.ts, t.key),
    index("messages_stanza").on(t.owner, t.peer, t.stanzaId),
    index("messages_archive").on(t.owner, t.archiveId),
    index("messages_origin").on(t.owner, t.peer, t.originId),
  ],
);

/**
 * Read markers in group chats (issue #8 §1, XEP-0333 in rooms): how far each participant (`reader`: occupant id,
 * real JID or nickname, src/durable/features/room-actions.ts) has read a room, by the room's stanza-id of the
 * message they marked and its time; "Read by" under our own messages comes from here.
 */
export const roomReads = sqliteTable(
  "room_reads",
  {
    owner: text("owner").notNull(),
    room: text("room").notNull(),
    reader: text("reader").notNull(),
    nick: text("nick").notNull(),
    stanzaId: text("stanza_id").notNull(),
    ts: integer("ts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.room, t.reader] })],
);

/**
 * What later messages did to a message (issue #7 §2), related by (owner, peer, target id): a correction
 * (XEP-0308, `actor` = the correction's key), a retraction (XEP-0424, `actor` = its direction) or a sender's set
 * of reactions (XEP-0444, `actor` = the reactor, `body` = JSON array of emoji). Kept apart from the target so
 * that order of arrival does not matter (an archive page can bring the edit before the original); an action
 * counts only when its direction is the target's (only the sender corrects or retracts).
 */
export const messageActions = sqliteTable(
  "message_actions",
  {
    owner: text("owner").notNull(),
    peer: text("peer").notNull(),
    target: text("target").notNull(),
    kind: text("kind", { enum: ["edit", "retract", "react"] }).notNull(),
    actor: text("actor").notNull(),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    body: text("body").notNull(),
    encrypted: text("encrypted"),
    ts: integer("ts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.peer, t.target, t.kind, t.actor] })],
);

/** XEP-0184 receipts, related to messages by (owner, peer, stanza id). */
export const receipts = sqliteTable(
  "receipts",
  {
    owner: text("owner").notNull(),
    peer: text("peer").notNull(),
    stanzaId: text("stanza_id").notNull(),
    ts: integer("ts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.peer, t.stanzaId] })],
);

/** Last known presence of each resource of each contact, so a resumed stream (which repeats none) has them. */
export const presences = sqliteTable(
  "presences",
  {
    owner: text("owner").notNull(),
    jid: text("jid").notNull(),
    resource: text("resource").notNull(),
    show: text("show").notNull(),
    status: text("status").notNull(),
    priority: integer("priority").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.jid, t.resource] })],
);

/** One row per conversation: ordering by last activity and unread counts. */
export const conversations = sqliteTable(
  "conversations",
  {
    owner: text("owner").notNull(),
    peer: text("peer").notNull(),
    lastTs: integer("last_ts").notNull(),
    lastBody: text("last_body").notNull(),
    unread: integer("unread").notNull(),
    /** Our read position (XEP-0490): incoming messages after it are unread. */
    readTs: integer("read_ts").notNull().default(0),
    /** The contact's read position of our messages (XEP-0333 displayed): ours up to it show "Read". */
    peerReadTs: integer("peer_read_ts").notNull().default(0),
    pinned: integer("pinned", { mode: "boolean" }).notNull().default(false),
    muted: integer("muted", { mode: "boolean" }).notNull().default(false),
    /** Hidden from the list until a new message comes. */
    hidden: integer("hidden", { mode: "boolean" }).notNull().default(false),
    /** A one-to-one chat, or a room (issue #8: `peer` is then the room's bare JID). */
    kind: text("kind", { enum: ["chat", "room"] })
      .notNull()
      .default("chat"),
  },
  (t) => [primaryKey({ columns: [t.owner, t.peer] }), index("conversations_recent").on(t.owner, t.lastTs)],
);

/**
 * The rooms (XEP-0045) the account is in or was in (issue #8): what the room says of itself (disco#info), our
 * nickname, and the XEP-0402 bookmark's settings (unknown extensions kept as they came). Written on join, leave and
 * bookmark changes (a handful per session, not per message).
 */
export const rooms = sqliteTable(
  "rooms",
  {
    owner: text("owner").notNull(),
    room: text("room").notNull(),
    kind: text("kind", { enum: ["group", "channel", "other"] }).notNull(),
    name: text("name"),
    description: text("description"),
    subject: text("subject"),
    nick: text("nick").notNull(),
    autojoin: integer("autojoin", { mode: "boolean" }).notNull().default(false),
    /** XEP-0492: always | on-mention | never; null: not set. */
    notify: text("notify", { enum: ["always", "on-mention", "never"] }),
    /** XEP-0402 extensions of other clients, serialized ("" when none). */
    extensions: text("extensions").notNull().default(""),
    password: text("password"),
    /** What the room supports (occupant ids, moderation namespace, stable ids, archive), as JSON. */
    features: text("features").notNull().default("{}"),
    /** The newest archive id of the room's archive (XEP-0313 on the room) seen: where the next catch-up starts. */
    lastArchiveId: text("last_archive_id"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.room] })],
);

/**
 * The participants present in the rooms the account is in (issue #8 §3), last known: replaced in bulk when a join
 * completes, kept in step by the presence buffer's batched deltas (src/db/room-participants.ts), read back after
 * a restart (count and first page). `rank` is the role's place in the list order (moderators first).
 */
export const roomParticipants = sqliteTable(
  "room_participants",
  {
    owner: text("owner").notNull(),
    room: text("room").notNull(),
    nick: text("nick").notNull(),
    rank: integer("rank").notNull(),
    role: text("role").notNull(),
    affiliation: text("affiliation").notNull(),
    show: text("show").notNull(),
    jid: text("jid"),
    occupantId: text("occupant_id"),
  },
  (t) => [primaryKey({ columns: [t.owner, t.room, t.nick] })],
);
