// Invitations received (issue #8 §1): mediated ones from a room (XEP-0045 §7.8.2) and direct ones from a contact
// (XEP-0249), parsed by src/xmpp/muc-invites.ts, kept one per room (../invitation-book.ts: the pair sent for one
// invitation is one entry; bounded, rate-limited) in the object's storage, and shown in every tab as a request with
// Join and Decline. Join enters the room with the invitation's password and bookmarks it as any join does; Decline
// sends the §7.8.2 decline through the room when the invitation came that way (a direct one has nobody to tell).
// Declines of the user's own invitations, passed on by a room, are taken here too (logged; nothing to show yet).
import type { Element } from "@xmpp/xml";
import { z } from "zod";
import type { InvitationView } from "../../protocol/index.ts";
import { buildDecline, parseDecline, parseInvitation } from "../../xmpp/muc-invites.ts";
import { InvitationBook, MAX_INVITATIONS, type HeldInvitation } from "../invitation-book.ts";
import { conditionOf, linkOrRefuse, refuse, type Feature, type FeatureContext, type FrameHandlers } from "./context.ts";
import type { MucFeature } from "./muc.ts";

const STORAGE_KEY = "invitations";

/** What storage holds is parsed again on load (an older version may have written something else). */
const StoredSchema = z
  .array(
    z.object({
      room: z.string(),
      from: z.string(),
      reason: z.string().optional(),
      password: z.string().optional(),
      mediated: z.boolean(),
      direct: z.boolean(),
      ts: z.number(),
    }),
  )
  .max(MAX_INVITATIONS * 2);

export class InvitationsFeature implements Feature {
  readonly #book = new InvitationBook();
  #loaded = false;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly muc: MucFeature,
  ) {}

  readonly frames: Pick<FrameHandlers, "invitation.answer"> = {
    "invitation.answer": async (ws, frame) => {
      const held = this.#book.get(frame.room);
      if (!held) {
        refuse(this.ctx.tabs, ws, "room-failed", "item-not-found", frame.requestId);
        return;
      }
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      if (!frame.accept) {
        if (held.mediated) {
          await link.send(buildDecline(held.room, held.from, crypto.randomUUID())).catch(() => undefined);
        }
        this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
        await this.#forget(held.room);
        return;
      }
      try {
        await this.muc.join(held.room, held.password === undefined ? {} : { password: held.password });
      } catch (err) {
        // Kept: the user may still decline it (or the room may let them in later).
        refuse(this.ctx.tabs, ws, "room-failed", conditionOf(err, "joining from an invitation"), frame.requestId);
        return;
      }
      // The ack first: the tab's request is its invitation's row, which the list without it would take away.
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
      await this.#forget(held.room);
      const entry = this.muc.get(held.room);
      if (entry) await this.muc.bookmarks.joined(entry);
    },
  };

  /** Once per object: the invitations storage kept. */
  async load(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    const parsed = StoredSchema.safeParse(await this.ctx.storage.get(STORAGE_KEY));
    if (parsed.success) {
      this.#book.restore(
        parsed.data.map((e) => {
          const held: HeldInvitation = { room: e.room, from: e.from, mediated: e.mediated, direct: e.direct, ts: e.ts };
          if (e.reason !== undefined) held.reason = e.reason;
          if (e.password !== undefined) held.password = e.password;
          return held;
        }),
      );
    }
  }

  /** The invitations not answered, for a snapshot (those to rooms the user has since joined left out). */
  list(): InvitationView[] {
    return this.#book.views().filter((v) => !this.#inside(v.room));
  }

  onStanza(el: Element): boolean | Promise<boolean> {
    if (el.name !== "message") return false;
    const type = el.attrs.type;
    if (type === "error" || type === "groupchat" || type === "headline") return false;
    const decline = parseDecline(el);
    if (decline) {
      console.info(`parley: ${decline.from} declined the invitation to ${decline.room}`);
      return true;
    }
    const invitation = parseInvitation(el);
    if (!invitation) return false;
    // Our own direct invitations, copied back to us (XEP-0280), and rooms we are in already: nothing to answer.
    if (invitation.from === this.ctx.info.jid || this.#inside(invitation.room)) return true;
    const outcome = this.#book.add(invitation, Date.now());
    if (outcome === "refused") console.warn("parley: an invitation was dropped (too many)");
    return outcome === "added" || outcome === "merged" ? this.#changed().then(() => true) : true;
  }

  #inside(room: string): boolean {
    const state = this.muc.get(room)?.view.state;
    return state === "joined" || state === "joining";
  }

  async #forget(room: string): Promise<void> {
    if (this.#book.remove(room)) await this.#changed();
  }

  /** Stored, then every tab told. */
  async #changed(): Promise<void> {
    await this.ctx.storage.put(STORAGE_KEY, this.#book.entries());
    this.ctx.tabs.broadcast({ type: "invitations", invitations: this.list() });
  }
}
