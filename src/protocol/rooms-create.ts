// What the tab and the object say about creating rooms and about invitations (issue #8 §1), beside the rest of the
// wire format (./index.ts, which includes these in its frame unions).
import { z } from "zod";

/** Longest name of a new group chat or channel, and of its description. */
export const MAX_ROOM_NAME_CHARS = 256;
export const MAX_ROOM_DESCRIPTION_CHARS = 1024;
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
