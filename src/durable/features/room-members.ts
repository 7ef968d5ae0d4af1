// Who belongs to each room, by real address (issue #8 §1 settings, and §2: OMEMO in a group chat encrypts to the
// real addresses of all members, admins and owners, offline ones too, never outcasts). Kept current from what the
// room tells us: occupants' presences with their affiliation (XEP-0045 §7.2.3; status 321 affiliation change, 301
// ban, 322 members-only), the room's message announcing a change for someone not in the room (§9.3, Prosody's
// "affiliation change for a user that is not currently in the room"), and the affiliation lists fetched when an
// owner opens the settings (§9.5, §10.5). Memory only, bounded per room.
import type { Element } from "@xmpp/xml";
import { bare, parseBareJid } from "../../xmpp/jid.ts";
import { NS_MUC_USER, type Affiliation, type AffiliationItem, type Occupant } from "../../xmpp/muc.ts";

/** Affiliations remembered per room (a big channel's member list; beyond it, new entries are not kept). */
export const MAX_TRACKED_PER_ROOM = 10_000;
const AFFILIATIONS: readonly Affiliation[] = ["owner", "admin", "member", "outcast", "none"];

export type TrackedAffiliation = Exclude<Affiliation, "none">;

export class RoomMembers {
  readonly #rooms = new Map<string, Map<string, TrackedAffiliation>>();

  /** `isRoom`: whether an address is a room the account knows (only those rooms' announcements are taken). */
  constructor(private readonly isRoom: (room: string) => boolean) {}

  /** Real bare JID → affiliation of `room`, as far as we know it ("none" is absence). */
  of(room: string): ReadonlyMap<string, TrackedAffiliation> {
    return this.#rooms.get(room) ?? new Map();
  }

  /** The addresses a group chat message is for (§2: members, admins and owners; never outcasts). */
  recipients(room: string): string[] {
    return [...this.of(room)].filter(([, a]) => a !== "outcast").map(([jid]) => jid);
  }

  set(room: string, jid: string, affiliation: Affiliation): void {
    let map = this.#rooms.get(room);
    if (affiliation === "none") {
      map?.delete(jid);
      return;
    }
    if (!map) {
      map = new Map();
      this.#rooms.set(room, map);
    }
    if (map.has(jid) || map.size < MAX_TRACKED_PER_ROOM) map.set(jid, affiliation);
  }

  /** An occupant's presence (§7.2.3, §9: 301, 321, 322 carry the new affiliation): when the room shows its address. */
  observe(occupant: Occupant): void {
    if (occupant.realJid) this.set(occupant.room, occupant.realJid, occupant.affiliation);
  }

  /** The room's list of one affiliation (§9.5, §10.5) replaces what we knew of that affiliation. */
  applyList(room: string, affiliation: TrackedAffiliation, items: readonly AffiliationItem[]): void {
    const map = this.#rooms.get(room);
    if (map) for (const [jid, a] of map) if (a === affiliation) map.delete(jid);
    for (const item of items) this.set(room, item.jid, item.affiliation === "none" ? "none" : affiliation);
  }

  /** The room is gone (destroyed): nothing of it is kept. */
  forget(room: string): void {
    this.#rooms.delete(room);
  }

  /**
   * XEP-0045 §9.3 (Prosody: muc.lib.lua set_affiliation): a message from the room itself, no body, with an
   * x muc#user item naming a real address and its new affiliation, for someone not in the room. Invitations and
   * declines (also x muc#user from the room) are not this; they are left to their feature.
   */
  onStanza(el: Element): boolean {
    if (el.name !== "message" || el.attrs.type === "error" || el.attrs.type === "groupchat") return false;
    const from = el.attrs.from;
    if (typeof from !== "string" || from !== bare(from) || !this.isRoom(from)) return false;
    const x = el.getChild("x", NS_MUC_USER);
    if (!x || el.getChild("body") || x.getChild("invite") || x.getChild("decline")) return false;
    const items = x.getChildren("item").slice(0, 20);
    let taken = false;
    for (const item of items) {
      const jid = typeof item.attrs.jid === "string" ? parseBareJid(bare(item.attrs.jid)) : null;
      const affiliation = AFFILIATIONS.find((a) => a === item.attrs.affiliation);
      if (!jid || !affiliation) continue;
      this.set(from, jid, affiliation);
      taken = true;
    }
    return taken;
  }
}
