// What the tab and the object say about creating rooms and about invitations (issue #8 §1), beside the rest of the
// wire format (./index.ts, which includes these in its frame unions).
import { z } from "zod";

// The longest name and description of a room (new or changed): MAX_ROOM_NAME_CHARS and MAX_ROOM_DESCRIPTION_CHARS
// in ./room-admin.ts.
/** Contacts invited with a new group chat at most. */
export const MAX_INVITEES = 50;

/** An invitation to a room, waiting for the user's Join or Decline. */
export const InvitationViewSchema = z.object({
  room: z.string(),
  /** Who invited (bare JID). */
  from: z.string(),
  reason: z.string().optional(),
  /** When it arrived (ms). */
  ts: z.number().int(),
});
export type InvitationView = z.infer<typeof InvitationViewSchema>;
