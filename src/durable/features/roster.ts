// The roster (RFC 6121 §2) and subscriptions (§3): fetched at login, kept in step by pushes, contacts added and
// subscription requests answered for the tabs.
import type { Element } from "@xmpp/xml";
import { assertNever } from "../../protocol/index.ts";
import { buildSubscription, parsePresence } from "../../xmpp/presence.ts";
import { buildRosterGet, buildRosterSet, NS_ROSTER, parseRosterItems } from "../../xmpp/roster.ts";
import {
  conditionOf,
  linkOrRefuse,
  refuse,
  type Feature,
  type FeatureContext,
  type FrameHandlers,
  type Link,
} from "./context.ts";

export class RosterFeature implements Feature {
  constructor(private readonly ctx: FeatureContext) {}

  readonly frames: Pick<FrameHandlers, "roster.add" | "subscription.answer"> = {
    "roster.add": async (ws, frame) => {
      const { ctx } = this;
      if (frame.jid === ctx.info.jid) {
        refuse(ctx.tabs, ws, "bad-address", "You cannot add yourself.", frame.requestId);
        return;
      }
      const link = linkOrRefuse(ctx, ws, frame.requestId);
      if (!link) return;
      try {
        // RFC 6121 §2.3 then §3.1.1: add to the roster, then ask for their presence.
        await link.iq("set", buildRosterSet(frame.jid, frame.name));
        await link.send(buildSubscription(frame.jid, "subscribe"));
        ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
      } catch (err) {
        refuse(ctx.tabs, ws, "send-failed", conditionOf(err, "roster.add"), frame.requestId);
      }
    },
    "subscription.answer": async (ws, frame) => {
      const { ctx } = this;
      const jid = frame.jid;
      const link = linkOrRefuse(ctx, ws);
      if (!link) return;
      if (frame.accept) {
        // RFC 6121 §3.1.4 approve, and ask back so the subscription is mutual (what users expect).
        await link.send(buildSubscription(jid, "subscribed"));
        const item = ctx.state.roster.get(jid);
        if (!item || (item.subscription !== "to" && item.subscription !== "both")) {
          await link.send(buildSubscription(jid, "subscribe"));
        }
      } else {
        await link.send(buildSubscription(jid, "unsubscribed"));
      }
      ctx.state.subscriptionRequests.delete(jid);
      await ctx.storage.put("subscriptionRequests", [...ctx.state.subscriptionRequests]);
      ctx.tabs.broadcast({ type: "subscription.handled", jid });
    },
  };

  onStanza(el: Element): boolean {
    if (el.name !== "presence") return false;
    const parsed = parsePresence(el);
    switch (parsed.kind) {
      case "update":
        return false; // the presence feature
      case "subscribe": {
        // RFC 6121 §3.1.3: a contact we already granted gets an automatic answer from the server.
        if (!this.ctx.state.addSubscriptionRequest(parsed.jid)) return true; // known already, or the list is full
        void this.ctx.storage.put("subscriptionRequests", [...this.ctx.state.subscriptionRequests]);
        this.ctx.tabs.broadcast({ type: "subscription.request", jid: parsed.jid });
        return true;
      }
      case "subscribed":
      case "unsubscribe":
      case "unsubscribed":
      case "ignored":
        return true;
      default:
        return assertNever(parsed);
    }
  }

  /** RFC 6121 §2.1.3: the whole roster, replacing what we kept. */
  async fetch(link: Link): Promise<void> {
    const roster = await link.iq("get", buildRosterGet());
    const frame = this.ctx.state.applyRoster(parseRosterItems(roster.getChild("query", NS_ROSTER)), true);
    await this.#save();
    if (frame) this.ctx.tabs.broadcast(frame);
  }

  /** RFC 6121 §2.1.6: a push (already checked to come from our own account and answered by the link). */
  async onPush(el: Element): Promise<void> {
    const frame = this.ctx.state.applyRoster(parseRosterItems(el.getChild("query", NS_ROSTER)));
    if (!frame) return;
    await this.#save();
    this.ctx.tabs.broadcast(frame);
  }

  async #save(): Promise<void> {
    await this.ctx.storage.put("roster", [...this.ctx.state.roster.values()]);
  }
}
