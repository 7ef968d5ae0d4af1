// XEP-0085 Chat State Notifications: build a standalone notification, read one from a message. Pure.
import { xml, type Element } from "@xmpp/xml";

export const NS_CHATSTATES = "http://jabber.org/protocol/chatstates";
export const CHAT_STATES = ["active", "composing", "paused", "inactive", "gone"] as const;
export type ChatStateName = (typeof CHAT_STATES)[number];

const NS_HINTS = "urn:xmpp:hints"; // XEP-0334

/** XEP-0085 §5.5: a standalone notification (no body), not stored in archives or offline (XEP-0334 no-store). */
export function buildChatState(to: string, state: ChatStateName): Element {
  return xml(
    "message",
    { to, type: "chat" },
    xml(state, { xmlns: NS_CHATSTATES }),
    xml("no-store", { xmlns: NS_HINTS }),
  );
}

/** The chat-state element to add to a message with a body (XEP-0085 §5.1: a sent message means "active"). */
export function activeState(): Element {
  return xml("active", { xmlns: NS_CHATSTATES });
}

/** The chat state a message carries, or null (the first chat-state child counts). */
export function parseChatState(message: Element): ChatStateName | null {
  for (const child of message.getChildElements()) {
    if (child.getNS() !== NS_CHATSTATES) continue;
    const name = CHAT_STATES.find((s) => s === child.name);
    if (name) return name;
  }
  return null;
}
