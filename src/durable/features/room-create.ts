// Creating group chats and channels, and inviting to them (issue #8 §1). A group chat gets a unique address
// (XEP-0307 on the MUC service, else a slug of its name with a random tail); a channel the address the user chose
// (refused as "conflict" when a room is already there). The room is joined (./muc.ts), and since our join created
// it (XEP-0045 §10.1.1 status 201) its configuration is submitted at once (§10.1.3: it stays locked until then),
// then it is bookmarked with autojoin as any joined room, and each contact picked is invited twice: through the
// room (§7.8.2: in a members-only room Prosody makes the invitee a member) and directly (XEP-0249, which every
// client shows even when the room's own invitation is filtered).
import type { ClientFrame } from "../../protocol/index.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { splitJid } from "../../xmpp/jid.ts";
import {
  buildDiscoItems,
  buildUniqueRequest,
  createConfig,
  parseDiscoItems,
  parseMucService,
  parseUnique,
  roomAddress,
  slugAddress,
  type MucService,
} from "../../xmpp/muc-create.ts";
import { buildDirectInvite, buildMediatedInvite } from "../../xmpp/muc-invites.ts";
import {
  buildConfigFetch,
  buildConfigSubmit,
  buildDestroy,
  buildDiscoInfo,
  parseConfigFields,
  parseRoomInfo,
  roomKind,
} from "../../xmpp/muc.ts";
import { TokenBucket } from "../rate.ts";
import {
  conditionOf,
  linkOrRefuse,
  logFailure,
  refuse,
  type FeatureContext,
  type FrameHandlers,
  type Link,
} from "./context.ts";
import type { MucFeature } from "./muc.ts";

/** Rooms created: bursts of 5, then one a minute (each is several round trips and a room on the server). */
const CREATE_RATE = { capacity: 5, perSecond: 1 / 60 } as const;
/** Invitations sent from the room header: bursts of 20, then one every 5 seconds. */
const INVITE_RATE = { capacity: 20, perSecond: 1 / 5 } as const;

type CreateFrame = Extract<ClientFrame, { type: "room.create" }>;

export class RoomCreateFeature {
  /** The deployment's MUC service, found once per object (null: none). */
  #service: Promise<MucService | null> | null = null;
  readonly #creates = new TokenBucket(CREATE_RATE.capacity, CREATE_RATE.perSecond);
  readonly #invites = new TokenBucket(INVITE_RATE.capacity, INVITE_RATE.perSecond);

  constructor(
    private readonly ctx: FeatureContext,
    private readonly muc: MucFeature,
  ) {}

  readonly frames: Pick<FrameHandlers, "room.create" | "room.invite"> = {
    "room.create": async (ws, frame) => {
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      if (!this.#creates.take()) {
        refuse(this.ctx.tabs, ws, "rate-limited", "Too many new group chats at once.", frame.requestId);
        return;
      }
      try {
        const room = await this.create(link, frame);
        this.ctx.tabs.send(ws, { type: "room.created", requestId: frame.requestId, room });
      } catch (err) {
        refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "creating a room"), frame.requestId);
      }
    },
    "room.invite": async (ws, frame) => {
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      const entry = this.muc.get(frame.room);
      // §7.8.2: the room passes on invitations from its occupants only.
      if (entry?.view.state !== "joined") {
        refuse(this.ctx.tabs, ws, "room-failed", "not-joined", frame.requestId);
        return;
      }
      if (frame.jid === this.ctx.info.jid) {
        refuse(this.ctx.tabs, ws, "bad-address", "You are already in it.", frame.requestId);
        return;
      }
      if (!this.#invites.take()) {
        refuse(this.ctx.tabs, ws, "rate-limited", "Too many invitations at once.", frame.requestId);
        return;
      }
      try {
        await invite(link, frame.room, frame.jid);
        this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
      } catch (err) {
        refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "inviting"), frame.requestId);
      }
    },
  };

  /** Creates, configures, joins, bookmarks and invites; the room's address. Throws XMPPError on refusals. */
  async create(link: Link, frame: CreateFrame): Promise<string> {
    const room = await this.#address(link, frame);
    // A room already there is not ours to configure: the address is taken (§10.1.1 would just join it).
    if (await roomExists(link, room)) throw new XMPPError("conflict", "address taken");
    const entry = this.muc.entry(room);
    entry.created = false;
    entry.view.name = frame.name;
    await this.muc.join(room);
    if (!entry.created) {
      // Someone made it between our check and our join: not ours.
      await this.muc.leave(room);
      throw new XMPPError("conflict", "address taken");
    }
    const settings = { name: frame.name, description: frame.description ?? "" };
    try {
      const offered = parseConfigFields(await link.iq("get", buildConfigFetch(), room));
      await link.iq("set", buildConfigSubmit(createConfig(frame.kind, settings), offered), room);
    } catch (err) {
      // A locked room nobody can enter is of no use: it goes (§10.9), and the user hears why.
      await link.iq("set", buildDestroy("configuration refused"), room).catch(() => undefined);
      await this.muc.leave(room);
      throw err;
    }
    const info = await link
      .iq("get", buildDiscoInfo(), room)
      .then(parseRoomInfo, logAndNull("reading a new room's description"));
    if (info) entry.applyInfo(info, roomKind(info));
    else entry.view.kind = frame.kind;
    if (!entry.view.name) entry.view.name = frame.name;
    this.muc.changed(entry);
    await this.muc.bookmarks.joined(entry);
    for (const jid of frame.invite) {
      if (jid === this.ctx.info.jid) continue;
      await invite(link, room, jid).catch((err: unknown) => logFailure(`inviting to ${room}`, err));
    }
    return room;
  }

  async #address(link: Link, frame: CreateFrame): Promise<string> {
    // A whole address typed for a channel needs no service.
    if (frame.kind === "channel" && frame.address?.includes("@")) {
      const whole = roomAddress(frame.address, "");
      if (!whole) throw new XMPPError("jid-malformed", "not an address");
      return whole;
    }
    const service = await this.#mucService(link);
    if (!service) throw new XMPPError("service-unavailable", "no group chat service");
    if (frame.kind === "channel") {
      const room = roomAddress(frame.address ?? "", service.jid);
      if (!room) throw new XMPPError("jid-malformed", "not an address");
      return room;
    }
    if (service.unique) {
      const unique = await link
        .iq("get", buildUniqueRequest(), service.jid)
        .then((iq) => parseUnique(iq, service.jid), logAndNull("asking for a unique room name"));
      if (unique) return unique;
    }
    return slugAddress(frame.name, service.jid, crypto.randomUUID().replace(/-/gu, "").slice(0, 6));
  }

  /** XEP-0045 §6.1: the server's items, the first that is a MUC service. Cached (a failure is asked again). */
  #mucService(link: Link): Promise<MucService | null> {
    this.#service ??= findMucService(link, splitJid(this.ctx.info.jid).domain).then((found) => {
      if (!found) this.#service = null;
      return found;
    });
    return this.#service;
  }
}

/** §7.8.2 through the room, and XEP-0249 directly. */
async function invite(link: Link, room: string, jid: string): Promise<void> {
  await link.send(buildMediatedInvite(room, jid, crypto.randomUUID()));
  await link.send(buildDirectInvite(jid, room, crypto.randomUUID()));
}

/**
 * Swallowed, as null, for the caller's fallback: any XMPP error (the service does not hand out names after all),
 * logged.
 */
function logAndNull(what: string): (err: unknown) => null {
  return (err) => {
    if (!(err instanceof XMPPError)) throw err;
    logFailure(what, err);
    return null;
  };
}

/**
 * Whether a room answers at `room` (XEP-0045 §6.4). Swallowed, as false: item-not-found (nothing there: our join
 * creates it). Other errors are thrown.
 */
async function roomExists(link: Link, room: string): Promise<boolean> {
  try {
    await link.iq("get", buildDiscoInfo(), room);
    return true;
  } catch (err) {
    if (err instanceof XMPPError && err.condition === "item-not-found") return false;
    throw err;
  }
}

/**
 * The domain's first item that is a MUC service. Swallowed: XMPP errors of the item list (none: null) and of each
 * item's disco#info (that item is not the one).
 */
async function findMucService(link: Link, domain: string): Promise<MucService | null> {
  const items = await link.iq("get", buildDiscoItems(), domain).then(parseDiscoItems, logAndNull("listing services"));
  for (const jid of items ?? []) {
    const service = await link
      .iq("get", buildDiscoInfo(), jid)
      .then((iq) => parseMucService(jid, iq), logAndNull(`asking ${jid} what it is`));
    if (service) return service;
  }
  return null;
}
