// What the room search and a room's settings send to tabs (issue #8 §1 "Room search", "Room header and details"):
// listings of the deployment's rooms and a room's affiliation lists. Kept beside models.ts so the frames of other
// room features stay apart.
import { z } from "zod";

/** Listings one room.search.results frame carries (the rest is found by typing more). */
export const ROOM_SEARCH_PAGE = 50;
/** Longest search text a tab may send for rooms. */
export const MAX_ROOM_QUERY_CHARS = 200;
/** Longest room name and description a tab may set (XEP-0045 §10.2 leaves it to the service; Prosody keeps them whole). */
export const MAX_ROOM_NAME_CHARS = 256;
export const MAX_ROOM_DESCRIPTION_CHARS = 2_000;
/** Longest reason a tab may give for a kick, a ban or a destruction. */
export const MAX_REASON_CHARS = 1_024;
/** Affiliation items one room.affiliations frame carries. */
export const MAX_AFFILIATIONS_SENT = 2_000;

/** One room found by the search: its address, name, description, participants present (null: unknown), kind. */
export const RoomListingSchema = z.object({
  room: z.string(),
  name: z.string(),
  description: z.string(),
  participants: z.number().int().nonnegative().nullable(),
  kind: z.enum(["group", "channel", "other"]),
});
export type RoomListingView = z.infer<typeof RoomListingSchema>;

/** Someone with an affiliation to a room (XEP-0045 §5.2): their real bare JID, and nickname where reserved. */
export const AffiliationItemSchema = z.object({
  jid: z.string(),
  affiliation: z.enum(["owner", "admin", "member", "outcast"]),
  nick: z.string().optional(),
});
export type AffiliationItemView = z.infer<typeof AffiliationItemSchema>;
