// A room's settings for its owners and admins (issue #8 §1 "Room header and details"): name and description
// (XEP-0045 §10.2, the owner's configuration form), the owners', admins', members' and outcasts' lists (§9.5,
// §10.5) with additions and removals (§9.3, §10.6; a ban is affiliation outcast, §9.1), removing a participant
// (§8.2 kick: role none) with a reason, and destroying the room (§10.9). The room decides who may do what: its
// refusal (forbidden, not-allowed) reaches the tab as the condition.
import type { Element } from "@xmpp/xml";
import { MAX_AFFILIATIONS_SENT, type AffiliationItemView } from "../../protocol/index.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import {
  buildAffiliationList,
  buildConfigFetch,
  buildConfigSubmit,
  buildDestroy,
  buildSetAffiliation,
  buildSetRole,
  parseAffiliationList,
  parseConfigFields,
  isConfigChange,
  type AffiliationItem,
} from "../../xmpp/muc.ts";
import { bare } from "../../xmpp/jid.ts";
import { conditionOf, linkOrRefuse, refuse, type FeatureContext, type FrameHandlers, type Link } from "./context.ts";
import type { RoomEntry } from "./room-entry.ts";
import type { RoomMembers, TrackedAffiliation } from "./room-members.ts";

const LISTS: readonly TrackedAffiliation[] = ["owner", "admin", "member", "outcast"];
const IQ_TIMEOUT_MS = 15_000;

/** What the settings need of the rooms feature (./muc.ts). */
export interface SettingsRooms {
  get(room: string): RoomEntry | undefined;
  changed(entry: RoomEntry): void;
  /** Reads the room's disco#info again and applies it (./room-info.ts). */
  refreshInfo(entry: RoomEntry): Promise<boolean>;
  readonly members: RoomMembers;
}

type Handled = "room.configure" | "room.affiliations" | "room.affiliate" | "room.kick" | "room.destroy";

export class RoomSettingsFeature {
  constructor(
    private readonly ctx: FeatureContext,
    private readonly rooms: SettingsRooms,
  ) {}

  /** Runs `job` for a room we know with the link up; its success is an ack, its failure the room's condition. */
  async #act(
    ws: WebSocket,
    frame: { requestId: string; room: string },
    what: string,
    job: (link: Link, entry: RoomEntry) => Promise<void>,
  ): Promise<void> {
    const link = linkOrRefuse(this.ctx, ws, frame.requestId);
    if (!link) return;
    const entry = this.rooms.get(frame.room);
    if (!entry) {
      refuse(this.ctx.tabs, ws, "room-failed", "item-not-found", frame.requestId);
      return;
    }
    try {
      await job(link, entry);
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    } catch (err) {
      refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, what), frame.requestId);
    }
  }

  readonly frames: Pick<FrameHandlers, Handled> = {
    "room.configure": (ws, frame) =>
      this.#act(ws, frame, "configuring a room", async (link, entry) => {
        // §10.2: the form first, so that only the fields this room offers are submitted (the rest keep their values).
        const offered = parseConfigFields(await link.iq("get", buildConfigFetch(), frame.room, IQ_TIMEOUT_MS));
        const fields = { "muc#roomconfig_roomname": frame.name, "muc#roomconfig_roomdesc": frame.description };
        await link.iq("set", buildConfigSubmit(fields, offered), frame.room, IQ_TIMEOUT_MS);
        entry.view.name = frame.name;
        if (frame.description) entry.view.description = frame.description;
        else delete entry.view.description;
        this.rooms.changed(entry);
      }),
    "room.affiliations": async (ws, frame) => {
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      try {
        const items = await this.affiliations(link, frame.room);
        this.ctx.tabs.send(ws, {
          type: "room.affiliations",
          requestId: frame.requestId,
          room: frame.room,
          items: items.slice(0, MAX_AFFILIATIONS_SENT),
        });
      } catch (err) {
        refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "reading a room's members"), frame.requestId);
      }
    },
    "room.affiliate": (ws, frame) =>
      this.#act(ws, frame, "changing an affiliation", async (link) => {
        await link.iq(
          "set",
          buildSetAffiliation(frame.jid, frame.affiliation, frame.reason),
          frame.room,
          IQ_TIMEOUT_MS,
        );
        this.rooms.members.set(frame.room, frame.jid, frame.affiliation);
      }),
    "room.kick": (ws, frame) =>
      this.#act(ws, frame, "removing a participant", async (link) => {
        await link.iq("set", buildSetRole(frame.nick, "none", frame.reason), frame.room, IQ_TIMEOUT_MS);
      }),
    "room.destroy": (ws, frame) =>
      this.#act(ws, frame, "destroying a room", async (link) => {
        await link.iq("set", buildDestroy(frame.reason), frame.room, IQ_TIMEOUT_MS);
        this.rooms.members.forget(frame.room);
      }),
  };

  /**
   * §10.2.1 status 104 (a groupchat message from the room): its name or description changed, by any owner; its
   * disco#info is read again for the header. Never takes the stanza (the rooms feature still sees it).
   */
  onStanza(el: Element): boolean {
    if (el.name !== "message" || !isConfigChange(el)) return false;
    const entry = this.rooms.get(bare(el.attrs.from ?? ""));
    if (entry) void this.rooms.refreshInfo(entry);
    return false;
  }

  /**
   * The room's four lists (§9.5 members and outcasts, §10.5 owners and admins), each also kept by the members map.
   * A list the room does not show us (forbidden, not-allowed: an admin asking for the owners on some servers) is
   * left out; the others are still shown. Other errors fail the whole request.
   */
  async affiliations(link: Link, room: string): Promise<AffiliationItemView[]> {
    const out: AffiliationItemView[] = [];
    for (const affiliation of LISTS) {
      const answer = await listOf(link, room, affiliation);
      if (answer === null) continue;
      // §9.5: every item of the answer has the affiliation asked for (one without the attribute reads as "none").
      const items = parseAffiliationList(answer);
      this.rooms.members.applyList(
        room,
        affiliation,
        items.map((i) => ({ ...i, affiliation })),
      );
      out.push(...items.map((i) => view(i, affiliation)));
    }
    return out;
  }
}

function view(item: AffiliationItem, affiliation: TrackedAffiliation): AffiliationItemView {
  const out: AffiliationItemView = { jid: item.jid, affiliation };
  if (item.nick) out.nick = item.nick;
  return out;
}

/**
 * One affiliation list, or null. Swallowed, as null: forbidden and not-allowed (the room does not show this list
 * to us).
 */
async function listOf(link: Link, room: string, affiliation: TrackedAffiliation): Promise<Element | null> {
  try {
    return await link.iq("get", buildAffiliationList(affiliation), room, IQ_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof XMPPError && (err.condition === "forbidden" || err.condition === "not-allowed")) return null;
    throw err;
  }
}
