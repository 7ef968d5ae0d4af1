// XEP-0085 Chat State Notifications: a contact's "composing"/"paused" reaches every tab as a typing frame; a tab's
// own state goes to the contact. Nothing is stored: a state is only ever about now.
import type { Element } from "@xmpp/xml";
import { bare } from "../../xmpp/jid.ts";
import { buildChatState, parseChatState } from "../../xmpp/chatstates.ts";
import { NS_MAM } from "../../xmpp/mam.ts";
import { NS_PUBSUB_EVENT } from "../../xmpp/pubsub.ts";
import type { Feature, FeatureContext, FrameHandlers } from "./context.ts";

export class ChatStatesFeature implements Feature {
  constructor(private readonly ctx: FeatureContext) {}

  readonly frames: Pick<FrameHandlers, "chatstate"> = {
    chatstate: async (_ws, frame) => {
      // Best effort: a state that cannot go out now is stale by the time the link is back.
      await this.ctx
        .link()
        ?.send(buildChatState(frame.to, frame.state))
        .catch(() => undefined);
    },
  };

  /**
   * Takes standalone notifications (a chat state and no body) from someone else; a message with a body goes on to
   * the chat feature (its arrival ends "typing" in the tabs).
   */
  onStanza(el: Element): boolean {
    if (el.name !== "message" || el.attrs.type === "error" || el.attrs.type === "groupchat") return false;
    // Messages with content (a body, an OMEMO element, archive results, PEP events) belong to other features.
    if (el.getChild("body") || el.getChild("encrypted") || el.getChild("result", NS_MAM)) return false;
    if (el.getChild("event", NS_PUBSUB_EVENT)) return false;
    const state = parseChatState(el);
    if (!state) return false;
    const from = el.attrs.from ? bare(el.attrs.from) : null;
    // Our own other clients' states (carbons are wrapped, so not here) and strangers' are not shown.
    if (
      from &&
      from !== this.ctx.info.jid &&
      (this.ctx.state.roster.has(from) || this.ctx.state.conversations.has(from))
    ) {
      this.ctx.tabs.broadcast({ type: "typing", peer: from, state });
    }
    return true;
  }
}
