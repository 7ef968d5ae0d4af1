// Invitations to rooms (issue #8 §1): XEP-0045 §7.8.2 mediated invitations (sent through the room, which makes the
// invitee a member of a members-only room) and declines (§7.8.2 example 60), and XEP-0249 direct invitations (sent
// to the contact, who may not be able to see the room's invitations otherwise). Pure, no I/O.
import { xml, type Element } from "@xmpp/xml";
import { bare, parseBareJid, resourceOf } from "./jid.ts";
import { NS_MUC_USER } from "./muc.ts";

export const NS_CONFERENCE = "jabber:x:conference"; // XEP-0249

const MAX_REASON = 1024;
const MAX_PASSWORD = 256;

export interface Invitation {
  /** The room (bare JID). */
  room: string;
  /** Who invites (bare JID), as far as known. */
  from: string;
  reason?: string;
  password?: string;
  kind: "mediated" | "direct";
}

/** XEP-0045 §7.8.2: ask the room to invite `to`. */
export function buildMediatedInvite(room: string, to: string, id: string, reason?: string): Element {
  return xml(
    "message",
    { to: room, id },
    xml("x", { xmlns: NS_MUC_USER }, xml("invite", { to }, reason ? xml("reason", {}, reason) : null)),
  );
}

/** XEP-0249 §2: invite `to` directly. */
export function buildDirectInvite(to: string, room: string, id: string, reason?: string): Element {
  return xml(
    "message",
    { to, id },
    xml("x", reason ? { xmlns: NS_CONFERENCE, jid: room, reason } : { xmlns: NS_CONFERENCE, jid: room }),
  );
}

/** XEP-0045 §7.8.2: decline, through the room, an invitation from `inviter`. */
export function buildDecline(room: string, inviter: string, id: string, reason?: string): Element {
  return xml(
    "message",
    { to: room, id },
    xml("x", { xmlns: NS_MUC_USER }, xml("decline", { to: inviter }, reason ? xml("reason", {}, reason) : null)),
  );
}

function bounded(text: string | undefined, max: number): string | undefined {
  return text ? text.slice(0, max) : undefined;
}

/**
 * An invitation in a message; null when it is not one. Mediated: from the room's bare JID (a message from an
 * occupant JID or anyone else is not the room speaking). Direct: from anyone (the user decides), naming a room.
 */
export function parseInvitation(message: Element): Invitation | null {
  const from = message.attrs.from;
  if (typeof from !== "string") return null;
  const mediated = message.getChild("x", NS_MUC_USER)?.getChild("invite");
  if (mediated) {
    const room = parseBareJid(from);
    if (!room || resourceOf(from) !== "") return null;
    const inviter = typeof mediated.attrs.from === "string" ? parseBareJid(bare(mediated.attrs.from)) : null;
    const invitation: Invitation = { room, from: inviter ?? room, kind: "mediated" };
    const reason = bounded(mediated.getChildText("reason") ?? undefined, MAX_REASON);
    if (reason) invitation.reason = reason;
    const password = bounded(message.getChild("x", NS_MUC_USER)?.getChildText("password") ?? undefined, MAX_PASSWORD);
    if (password) invitation.password = password;
    return invitation;
  }
  const direct = message.getChild("x", NS_CONFERENCE);
  if (direct) {
    const room = typeof direct.attrs.jid === "string" ? parseBareJid(direct.attrs.jid) : null;
    const sender = parseBareJid(bare(from));
    if (!room || !sender) return null;
    const invitation: Invitation = { room, from: sender, kind: "direct" };
    const reason = bounded(typeof direct.attrs.reason === "string" ? direct.attrs.reason : undefined, MAX_REASON);
    if (reason) invitation.reason = reason;
    const password = bounded(
      typeof direct.attrs.password === "string" ? direct.attrs.password : undefined,
      MAX_PASSWORD,
    );
    if (password) invitation.password = password;
    return invitation;
  }
  return null;
}

/** XEP-0045 §7.8.2: a decline the room passes on to us; null when the message is not one. */
export function parseDecline(message: Element): { room: string; from: string; reason?: string } | null {
  const decline = message.getChild("x", NS_MUC_USER)?.getChild("decline");
  const from = message.attrs.from;
  if (!decline || typeof from !== "string") return null;
  const room = parseBareJid(from);
  const who = typeof decline.attrs.from === "string" ? parseBareJid(bare(decline.attrs.from)) : null;
  if (!room || !who) return null;
  const reason = bounded(decline.getChildText("reason") ?? undefined, MAX_REASON);
  return reason ? { room, from: who, reason } : { room, from: who };
}
