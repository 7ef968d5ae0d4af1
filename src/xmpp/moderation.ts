// XEP-0425 Message Moderation (issue #8 §1): a moderator retracts anyone's message in a room. Rooms speak
// urn:xmpp:message-moderate:1 (XEP-0425 0.3, with XEP-0424 retract:1) or only :0 (fastening, retract:0); Prosody's
// mod_muc_moderation announces both at once. Requests are built for the version the room advertises; both
// announcement forms and the archive's tombstone are parsed. Pure, no I/O.
import { xml, type Element } from "@xmpp/xml";
import { parseBareJid, resourceOf } from "./jid.ts";
import { NS_OCCUPANT_ID } from "./muc.ts";
import { NS_FASTEN, NS_RETRACT, NS_RETRACT_0 } from "./retraction.ts";

export const NS_MODERATE = "urn:xmpp:message-moderate:1";
export const NS_MODERATE_0 = "urn:xmpp:message-moderate:0";

const MAX_REASON = 1024;
const MAX_ID = 256;

/** The iq payload asking the room to retract the message with the room's stanza-id `stanzaId`. */
export function buildModerate(
  version: typeof NS_MODERATE | typeof NS_MODERATE_0,
  stanzaId: string,
  reason?: string,
): Element {
  const why = reason ? xml("reason", {}, reason) : null;
  if (version === NS_MODERATE) {
    // XEP-0425 0.3 §4 example 1.
    return xml("moderate", { xmlns: NS_MODERATE, id: stanzaId }, xml("retract", { xmlns: NS_RETRACT }), why);
  }
  // XEP-0425 0.2 (fastening): <apply-to><moderate><retract/></moderate></apply-to>.
  return xml(
    "apply-to",
    { xmlns: NS_FASTEN, id: stanzaId },
    xml("moderate", { xmlns: NS_MODERATE_0 }, xml("retract", { xmlns: NS_RETRACT_0 }), why),
  );
}

export interface Moderation {
  /** The room's stanza-id of the retracted message. */
  stanzaId: string;
  /** The moderator's nickname, when the room says. */
  by?: string;
  /** The moderator's XEP-0421 occupant id, when the room says. */
  moderatorOccupantId?: string;
  reason?: string;
}

function idOk(id: unknown): id is string {
  return typeof id === "string" && id !== "" && id.length <= MAX_ID;
}

function reasonOf(el: Element | undefined): string | undefined {
  const t = el?.getChildText("reason");
  return t ? t.slice(0, MAX_REASON) : undefined;
}

/**
 * A moderation announcement; null when the message is not one. Only the room itself (its bare JID) moderates: an
 * occupant's message carrying these elements is a forgery. The :1 form is read first (its <moderated/> sits inside
 * a retract:1), then the :0 form.
 */
export function parseModeration(message: Element): Moderation | null {
  const from = message.attrs.from;
  if (
    message.attrs.type !== "groupchat" ||
    typeof from !== "string" ||
    resourceOf(from) !== "" ||
    !parseBareJid(from)
  ) {
    return null;
  }
  const retract = message.getChild("retract", NS_RETRACT);
  const moderated1 = retract?.getChild("moderated", NS_MODERATE);
  if (retract && moderated1 && idOk(retract.attrs.id)) {
    const out: Moderation = { stanzaId: retract.attrs.id };
    const oid = moderated1.getChild("occupant-id", NS_OCCUPANT_ID)?.attrs.id;
    if (idOk(oid)) out.moderatorOccupantId = oid;
    if (typeof moderated1.attrs.by === "string") out.by = resourceOf(moderated1.attrs.by);
    // Prosody 13 sends both forms in one announcement; only the :0 one names the moderator (its `by`).
    const by0 = message.getChild("apply-to", NS_FASTEN)?.getChild("moderated", NS_MODERATE_0)?.attrs.by;
    if (out.by === undefined && typeof by0 === "string") out.by = resourceOf(by0);
    const reason = reasonOf(retract) ?? reasonOf(message);
    if (reason) out.reason = reason;
    return out;
  }
  const applyTo = message.getChild("apply-to", NS_FASTEN);
  const moderated0 = applyTo?.getChild("moderated", NS_MODERATE_0);
  if (applyTo && moderated0 && moderated0.getChild("retract", NS_RETRACT_0) && idOk(applyTo.attrs.id)) {
    const out: Moderation = { stanzaId: applyTo.attrs.id };
    if (typeof moderated0.attrs.by === "string") out.by = resourceOf(moderated0.attrs.by);
    const oid = moderated0.getChild("occupant-id", NS_OCCUPANT_ID)?.attrs.id;
    if (idOk(oid)) out.moderatorOccupantId = oid;
    const reason = reasonOf(moderated0);
    if (reason) out.reason = reason;
    return out;
  }
  return null;
}

/**
 * A tombstone the room's archive holds in place of a moderated message (what mod_muc_moderation stores:
 * <moderated by><retracted/></moderated>, and the :1 form <retracted><moderated/></retracted>); null when the
 * archived message is not one.
 */
export function parseTombstone(message: Element): { by?: string; reason?: string } | null {
  const m0 = message.getChild("moderated", NS_MODERATE_0);
  if (m0?.getChild("retracted", NS_RETRACT_0)) {
    const out: { by?: string; reason?: string } = {};
    if (typeof m0.attrs.by === "string") out.by = resourceOf(m0.attrs.by);
    const reason = reasonOf(m0) ?? reasonOf(message);
    if (reason) out.reason = reason;
    return out;
  }
  const retracted = message.getChild("retracted", NS_RETRACT);
  const m1 = retracted?.getChild("moderated", NS_MODERATE);
  if (m1) {
    const out: { by?: string; reason?: string } = {};
    if (typeof m1.attrs.by === "string") out.by = resourceOf(m1.attrs.by);
    const reason = reasonOf(retracted) ?? reasonOf(message);
    if (reason) out.reason = reason;
    return out;
  }
  return null;
}
