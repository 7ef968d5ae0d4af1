// OMEMO's PEP side (XEP-0384 v0.3 §4.2-4.3 over XEP-0163): the browser owns the keys; the object publishes the
// device list and bundles a tab built (allow-listed as whole trees), fetches a contact's, and passes device-list
// notifications on. Encrypted messages themselves go through the chat feature.
import type { Element } from "@xmpp/xml";
import { isOmemoNode, MAX_FRAME_BYTES } from "../../protocol/index.ts";
import { XMPPError } from "../../xmpp/errors.ts";
import { bare } from "../../xmpp/jid.ts";
import { parsePepPayloadFromTab } from "../../xmpp/omemo.ts";
import {
  buildConfigure,
  buildItems,
  buildPublish,
  isPreconditionNotMet,
  parseEvent,
  parseItemsResult,
} from "../../xmpp/pubsub.ts";
import {
  conditionOf,
  linkOrRefuse,
  refuse,
  type Feature,
  type FeatureContext,
  type FrameHandlers,
  type Link,
} from "./context.ts";

/** Items per notification we pass on, and their size: a device list has one item ("current"). */
const MAX_EVENT_ITEMS = 8;

export class OmemoRelayFeature implements Feature {
  constructor(private readonly ctx: FeatureContext) {}

  readonly frames: Pick<FrameHandlers, "pep.publish" | "pep.fetch"> = {
    "pep.publish": async (ws, frame) => {
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      // The whole tree is allow-listed: a device list on the device-list node, a bundle on a bundle node.
      const payload = parsePepPayloadFromTab(frame.node, frame.payload);
      if (!payload) {
        const why = "only well-formed OMEMO device lists and bundles are published";
        refuse(this.ctx.tabs, ws, "pep-failed", why, frame.requestId);
        return;
      }
      try {
        await publishOpen(link, frame.node, frame.itemId, payload);
        this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
      } catch (err) {
        refuse(this.ctx.tabs, ws, "pep-failed", conditionOf(err, "pep"), frame.requestId);
      }
    },
    "pep.fetch": async (ws, frame) => {
      const link = linkOrRefuse(this.ctx, ws, frame.requestId);
      if (!link) return;
      try {
        const iq = await link.iq("get", buildItems(frame.node), frame.jid);
        const items = parseItemsResult(iq);
        this.ctx.tabs.send(ws, {
          type: "pep.items",
          requestId: frame.requestId,
          jid: frame.jid,
          node: frame.node,
          items,
        });
      } catch (err) {
        // forbidden (a presence-only node of a non-contact), item-not-found (no such device): the tab says why.
        refuse(this.ctx.tabs, ws, "pep-failed", conditionOf(err, "pep"), frame.requestId);
      }
    },
  };

  onStanza(el: Element): boolean {
    if (el.name !== "message") return false;
    const event = parseEvent(el);
    if (!event) return false;
    // XEP-0163 §4.3: only OMEMO device lists interest the tabs; PEP events come from the contact's bare JID.
    // Bounded (issue #6 §10).
    const size = event.items.reduce((n, item) => n + item.payload.length + item.id.length, 0);
    if (
      isOmemoNode(event.node) &&
      el.attrs.from &&
      event.items.length <= MAX_EVENT_ITEMS &&
      size <= MAX_FRAME_BYTES / 2
    ) {
      this.ctx.tabs.broadcast({ type: "pep.event", jid: bare(el.attrs.from), node: event.node, items: event.items });
    }
    return true;
  }
}

/**
 * Publishes with access_model=open (XEP-0223): OMEMO bundles and device lists must be readable by anyone who
 * may write to us. A node that exists with another model answers precondition-not-met: reconfigure, retry.
 */
async function publishOpen(link: Link, node: string, itemId: string, payload: Element): Promise<void> {
  try {
    await link.iq("set", buildPublish(node, itemId, payload, "open"));
  } catch (err) {
    if (!(err instanceof XMPPError) || !isPreconditionNotMet(err)) throw err;
    await link.iq("set", buildConfigure(node, "open"));
    await link.iq("set", buildPublish(node, itemId, payload, "open"));
  }
}
