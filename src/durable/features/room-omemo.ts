// OMEMO in group chats, the object's part (issue #8 §2): the tabs encrypt, the object tells them for whom. A group
// chat (members-only and non-anonymous, XEP-0045 §4.2) is the only kind of room where every member's real address
// is known to every member, so the only kind where OMEMO can work (XEP-0384 v0.3 §5.6 "Group chats"). The
// recipients are the room's owners, admins and members, offline ones too, never outcasts: read fresh from the
// room for each send, so an affiliation change (status 321/301/322) is never missed by a stale copy.
import { MAX_ROOM_MEMBERS, type ClientFrame } from "../../protocol/index.ts";
import { parseEncryptedFromTab } from "../../xmpp/omemo.ts";
import { buildAffiliationList, parseAffiliationList, type Affiliation } from "../../xmpp/muc.ts";
import { conditionOf, linkOrRefuse, refuse, type FeatureContext, type FrameHandlers, type Link } from "./context.ts";
import type { MucFeature } from "./muc.ts";
import type { RoomEntry } from "./room-entry.ts";

/** The affiliations whose holders receive an encrypted group chat message (XEP-0045 §5.2; outcasts never). */
const RECIPIENTS: readonly Exclude<Affiliation, "none" | "outcast">[] = ["owner", "admin", "member"];

/** Why a room is not eligible for OMEMO, or null when it is (checked again at every send). */
export function notEncryptable(entry: RoomEntry | undefined): string | null {
  if (!entry) return "Not in this group chat.";
  if (entry.view.kind !== "group") {
    return "This room is not a private group chat (members-only, addresses visible): messages there cannot be end-to-end encrypted.";
  }
  if (entry.view.state !== "joined") return "Not in this group chat.";
  return null;
}

/** The real bare addresses of the room's owners, admins and members, without ours, at most MAX_ROOM_MEMBERS. */
export async function roomMembers(link: Link, room: string, self: string): Promise<string[]> {
  // XEP-0045 §9.5: Prosody lets members read these lists in members-only, non-anonymous rooms.
  const lists = await Promise.all(RECIPIENTS.map((a) => link.iq("get", buildAffiliationList(a), room, 20_000)));
  const members = new Set<string>();
  for (const list of lists) {
    for (const item of parseAffiliationList(list)) if (item.jid !== self) members.add(item.jid);
  }
  return [...members].sort().slice(0, MAX_ROOM_MEMBERS);
}

export class RoomOmemoFeature {
  constructor(
    private readonly ctx: FeatureContext,
    private readonly muc: MucFeature,
  ) {}

  /**
   * An OMEMO message the tab encrypted for the members: the room is asked again what it is first (a group chat that
   * became open or anonymous must not get it), then the element's shape is checked and it is relayed.
   */
  async sendEncrypted(ws: WebSocket, frame: Extract<ClientFrame, { type: "message.send-encrypted" }>): Promise<void> {
    const entry = this.muc.get(frame.to);
    if (entry) await this.muc.refreshInfo(entry);
    const why = notEncryptable(entry);
    if (why !== null || !entry) {
      refuse(this.ctx.tabs, ws, "send-failed", why ?? "Not in this group chat.", frame.requestId);
      return;
    }
    const encrypted = parseEncryptedFromTab(frame.encrypted);
    if (!encrypted) {
      refuse(this.ctx.tabs, ws, "bad-encrypted", "not a valid OMEMO <encrypted/> element", frame.requestId);
      return;
    }
    await this.muc.sendEncrypted(ws, frame, encrypted);
  }

  readonly frames: Pick<FrameHandlers, "room.members"> = {
    "room.members": async (ws, frame) => {
      const why = notEncryptable(this.muc.get(frame.room));
      if (why !== null) {
        refuse(this.ctx.tabs, ws, "room-failed", why, frame.requestId);
        return;
      }
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      try {
        const members = await roomMembers(link, frame.room, this.ctx.info.jid);
        this.ctx.tabs.send(ws, { type: "room.members", requestId: frame.requestId, room: frame.room, members });
      } catch (err) {
        refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "reading a room's members"), frame.requestId);
      }
    },
  };
}
