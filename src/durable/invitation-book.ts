// The invitations to rooms the user has not answered yet (issue #8 §1): one per room, whatever way it came. An
// invitation usually comes twice — mediated through the room (XEP-0045 §7.8.2) and direct (XEP-0249) — and the two
// become one entry: mediated (a decline goes back through the room) and direct are flags of it. Anyone may invite,
// so the book is bounded (the oldest give way), each sender holds a few entries at most, and new entries are
// rate-limited. Pure: no I/O, the clock is passed in.
import type { InvitationView } from "../protocol/index.ts";
import type { Invitation } from "../xmpp/muc-invites.ts";
import { TokenBucket } from "./rate.ts";

/** Invitations kept at once; the oldest gives way to a new one. */
export const MAX_INVITATIONS = 50;
/** Entries one sender may hold at once (one person cannot push everybody else's invitations out). */
export const MAX_PER_SENDER = 5;
/** New invitations accepted: bursts of 10, then one every 30 seconds. */
export const INVITATION_RATE = { capacity: 10, perSecond: 1 / 30 } as const;

export interface HeldInvitation {
  room: string;
  from: string;
  reason?: string;
  password?: string;
  mediated: boolean;
  direct: boolean;
  ts: number;
}

export type AddOutcome = "added" | "merged" | "unchanged" | "refused";

export class InvitationBook {
  /** room -> invitation, oldest first. */
  readonly #byRoom = new Map<string, HeldInvitation>();
  readonly #bucket: TokenBucket;

  constructor(now = Date.now()) {
    this.#bucket = new TokenBucket(INVITATION_RATE.capacity, INVITATION_RATE.perSecond, now);
  }

  get size(): number {
    return this.#byRoom.size;
  }

  get(room: string): HeldInvitation | undefined {
    return this.#byRoom.get(room);
  }

  /** Takes an invitation: merged with the one already held for its room, else added when limits allow. */
  add(invitation: Invitation, now: number): AddOutcome {
    const held = this.#byRoom.get(invitation.room);
    if (held) return merge(held, invitation) ? "merged" : "unchanged";
    let fromSender = 0;
    for (const h of this.#byRoom.values()) if (h.from === invitation.from) fromSender++;
    if (fromSender >= MAX_PER_SENDER || !this.#bucket.take(now)) return "refused";
    const entry: HeldInvitation = {
      room: invitation.room,
      from: invitation.from,
      mediated: invitation.kind === "mediated",
      direct: invitation.kind === "direct",
      ts: now,
    };
    if (invitation.reason !== undefined) entry.reason = invitation.reason;
    if (invitation.password !== undefined) entry.password = invitation.password;
    this.#byRoom.set(entry.room, entry);
    while (this.#byRoom.size > MAX_INVITATIONS) {
      const oldest = this.#byRoom.keys().next();
      if (oldest.done) break;
      this.#byRoom.delete(oldest.value);
    }
    return "added";
  }

  /** Forgets the invitation to `room` (answered, or the room joined); false when there was none. */
  remove(room: string): boolean {
    return this.#byRoom.delete(room);
  }

  /** Everything held, oldest first (what storage keeps). */
  entries(): HeldInvitation[] {
    return [...this.#byRoom.values()].map((h) => ({ ...h }));
  }

  /** After a restart: what storage kept (oldest first, bounded again). */
  restore(entries: readonly HeldInvitation[]): void {
    for (const e of entries.slice(-MAX_INVITATIONS)) this.#byRoom.set(e.room, { ...e });
  }

  /** What tabs see (passwords stay in the object: joining from the invitation uses them there). */
  views(): InvitationView[] {
    return [...this.#byRoom.values()].map((h) => {
      const view: InvitationView = { room: h.room, from: h.from, ts: h.ts };
      if (h.reason !== undefined) view.reason = h.reason;
      return view;
    });
  }
}

/** The second copy of an invitation fills in what the first lacked; true when anything changed. */
function merge(held: HeldInvitation, next: Invitation): boolean {
  let changed = false;
  if (next.kind === "mediated" && !held.mediated) {
    held.mediated = true;
    // The room names the inviter as it knows them: the address a decline must go back to.
    held.from = next.from;
    changed = true;
  }
  if (next.kind === "direct" && !held.direct) {
    held.direct = true;
    changed = true;
  }
  if (held.reason === undefined && next.reason !== undefined) {
    held.reason = next.reason;
    changed = true;
  }
  if (held.password === undefined && next.password !== undefined) {
    held.password = next.password;
    changed = true;
  }
  return changed;
}
