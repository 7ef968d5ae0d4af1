// One room as the object keeps it (issue #8): what tabs see (RoomView), what the room supports, the bookmark's
// settings, our occupant id, the occupants present (in memory only, bounded), and a join waiting for its answer.
import type { RoomFeatures, StoredRoom } from "../../db/rooms.ts";
import type { RoomView } from "../../protocol/index.ts";
import type { XMPPError } from "../../xmpp/errors.ts";
import type { Occupant, RoomInfo } from "../../xmpp/muc.ts";

/** Occupants kept per room (issue #8 §3: big rooms are paged from storage later; this bounds memory now). */
export const MAX_OCCUPANTS = 10_000;

export function defaultRoom(room: string, nick: string): StoredRoom {
  return {
    room,
    kind: "other",
    name: null,
    description: null,
    subject: null,
    nick,
    autojoin: false,
    notify: null,
    extensions: "",
    password: null,
    features: {
      occupantIds: false,
      moderation: null,
      stableIds: false,
      archived: false,
      membersOnly: false,
      nonAnonymous: false,
    },
    lastArchiveId: null,
  };
}

export class RoomEntry {
  readonly view: RoomView;
  features: RoomFeatures;
  /** XEP-0402: the bookmark's other-client extensions (kept on every publish), its nick, whether one exists. */
  extensions: string;
  bookmarkNick: string | undefined;
  bookmarked = false;
  password: string | null;
  lastArchiveId: string | null;
  /** XEP-0421: our own occupant id in the room (our reflected messages carry it). */
  selfOccupantId: string | undefined;
  readonly occupants = new Map<string, Occupant>();
  /** Last time the room said anything (XEP-0410: silence is what triggers a self-ping). */
  lastActivity = 0;
  /** XEP-0045 §10.1.1 status 201: our join created the room (it waits for its configuration). */
  created = false;
  /** We asked to leave: the unavailable self-presence that follows is the answer, not a removal. */
  leaving = false;
  /** A join presence waiting for the room's answer. */
  pending: { nick: string; settle(result: Occupant | XMPPError): void } | undefined;

  constructor(row: StoredRoom) {
    this.view = {
      room: row.room,
      kind: row.kind,
      nick: row.nick,
      state: "left",
      participants: 0,
      role: "none",
      affiliation: "none",
      autojoin: row.autojoin,
      notify: row.notify,
    };
    if (row.name !== null) this.view.name = row.name;
    if (row.description !== null) this.view.description = row.description;
    if (row.subject !== null) this.view.subject = row.subject;
    this.features = { ...row.features };
    this.extensions = row.extensions;
    this.password = row.password;
    this.lastArchiveId = row.lastArchiveId;
  }

  static fromStored(row: StoredRoom): RoomEntry {
    const entry = new RoomEntry(row);
    entry.bookmarked = row.autojoin;
    entry.bookmarkNick = row.nick;
    return entry;
  }

  /** XEP-0045 §6.4: what disco#info said of the room. */
  applyInfo(info: RoomInfo, kind: RoomView["kind"]): void {
    this.view.kind = kind;
    if (info.name) this.view.name = info.name;
    if (info.description) this.view.description = info.description;
    if (info.subject) this.view.subject = info.subject;
    this.features = {
      occupantIds: info.occupantIds,
      moderation: info.moderation,
      stableIds: info.stableIds,
      archived: info.archived,
      membersOnly: info.membersOnly,
      nonAnonymous: info.nonAnonymous,
    };
  }
}

/** The room's row as storage keeps it. */
export function roomRecord(entry: RoomEntry): StoredRoom {
  const v = entry.view;
  return {
    room: v.room,
    kind: v.kind,
    name: v.name ?? null,
    description: v.description ?? null,
    subject: v.subject ?? null,
    nick: v.nick,
    autojoin: v.autojoin,
    notify: v.notify,
    extensions: entry.extensions,
    password: entry.password,
    features: entry.features,
    lastArchiveId: entry.lastArchiveId,
  };
}
