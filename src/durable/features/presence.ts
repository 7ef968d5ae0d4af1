// Presence (RFC 6121 §4): contacts' presences in (bounded, batched), our own presence out, with XEP-0115 caps so
// the server sends us the PEP notifications we announce (OMEMO device lists).
import type { Element } from "@xmpp/xml";
import { buildCaps, capsVer } from "../../xmpp/caps.ts";
import { buildPresence, parsePresence } from "../../xmpp/presence.ts";
import type { Feature, FeatureContext, FrameHandlers, Link } from "./context.ts";

export class PresenceFeature implements Feature {
  #capsVer: string | undefined;

  constructor(private readonly ctx: FeatureContext) {}

  readonly frames: Pick<FrameHandlers, "presence.set"> = {
    "presence.set": async (_ws, frame) => {
      const { ctx } = this;
      ctx.state.self = { show: frame.show, status: frame.status };
      await ctx.storage.put("self", ctx.state.self);
      const link = ctx.link();
      if (link?.online) await link.send(await this.ownPresence());
      ctx.tabs.broadcast({ type: "self.presence", show: frame.show, status: frame.status });
    },
  };

  onStanza(el: Element): boolean {
    if (el.name !== "presence") return false;
    const parsed = parsePresence(el);
    if (parsed.kind !== "update") return false; // subscriptions: the roster feature
    if (parsed.update.jid === this.ctx.info.jid) return true; // our own other resources
    // Only contacts, at most 16 resources each (issue #6 §10); stored and fanned out in batches.
    if (this.ctx.state.applyPresence(parsed.update)) this.ctx.store({ kind: "presence", update: parsed.update });
    return true;
  }

  /** Initial presence after a login (RFC 6121 §4.2), sent once the roster is in. */
  async announce(link: Link): Promise<void> {
    await link.send(await this.ownPresence());
  }

  /** Our presence: show, status and XEP-0115 caps. */
  async ownPresence(): Promise<Element> {
    this.#capsVer ??= await capsVer();
    return buildPresence(this.ctx.state.self.show, this.ctx.state.self.status, buildCaps(this.#capsVer));
  }
}
