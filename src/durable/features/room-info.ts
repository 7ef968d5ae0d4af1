// What a room is (XEP-0045 §6.4 disco#info) and what it reserved for us (§7.12), read for the join, after a
// configuration change (status 104) and before an encrypted send (issue #8 §2: a group chat that became open must
// not get one).
import { XMPPError } from "../../xmpp/errors.ts";
import {
  buildDiscoInfo,
  parseReservedNick,
  parseRoomInfo,
  RESERVED_NICK_NODE,
  roomKind,
  type RoomInfo,
} from "../../xmpp/muc.ts";
import { logFailure, type Link } from "./context.ts";
import type { RoomEntry } from "./room-entry.ts";

/**
 * XEP-0045 §6.4: the room's disco#info; "not-a-room" when the address answers as something else. Swallowed, as
 * null: item-not-found (the room does not exist yet: the join creates it, §10.1.1).
 */
export async function roomInfo(link: Link, room: string): Promise<RoomInfo | "not-a-room" | null> {
  try {
    return parseRoomInfo(await link.iq("get", buildDiscoInfo(), room)) ?? "not-a-room";
  } catch (err) {
    if (err instanceof XMPPError && err.condition === "item-not-found") return null;
    throw err;
  }
}

/**
 * XEP-0045 §7.12: the nickname the room reserved for us. Swallowed, as none: any XMPP error (the room does not
 * support it, or does not exist yet).
 */
export async function reservedNick(link: Link, room: string): Promise<string | null> {
  try {
    return parseReservedNick(await link.iq("get", buildDiscoInfo(RESERVED_NICK_NODE), room));
  } catch (err) {
    if (!(err instanceof XMPPError)) throw err;
    return null;
  }
}

/**
 * Reads the room's disco#info again and applies it to the entry: "changed" when what the tabs see changed (kind,
 * name, description). Swallowed, logged, as "failed": the room did not answer (destroyed meanwhile, the link
 * dropped); the view stays as it was.
 */
export async function refreshRoomInfo(link: Link, entry: RoomEntry): Promise<"changed" | "same" | "failed"> {
  try {
    const info = await roomInfo(link, entry.view.room);
    if (!info || info === "not-a-room") return "failed";
    const before = JSON.stringify([entry.view.kind, entry.view.name, entry.view.description]);
    entry.applyInfo(info, roomKind(info));
    if (!info.description) delete entry.view.description;
    return JSON.stringify([entry.view.kind, entry.view.name, entry.view.description]) === before ? "same" : "changed";
  } catch (err) {
    logFailure(`reading ${entry.view.room} again`, err);
    return "failed";
  }
}
