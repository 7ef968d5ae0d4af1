import type { ChatMessage, Contact, Conversation, ServerFrame } from "../../src/protocol/index.ts";

export function msg(key: string, ts: number, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { key, peer: "bob@localhost", direction: "in", body: `body ${key}`, ts, receipt: null, ...extra };
}

export function conv(peer: string, lastTs: number, unread = 0, lastBody = "hi"): Conversation {
  return { peer, lastTs, lastBody, unread };
}

export function contact(jid: string, extra: Partial<Contact> = {}): Contact {
  return { jid, name: "", subscription: "both", ask: false, groups: [], presences: [], ...extra };
}

export function snapshot(extra: Partial<Extract<ServerFrame, { type: "snapshot" }>> = {}): ServerFrame {
  return {
    type: "snapshot",
    self: { jid: "alice@localhost", show: "online", status: "" },
    connection: "online",
    roster: [contact("bob@localhost", { name: "Bob" })],
    conversations: [conv("bob@localhost", 1000, 2)],
    subscriptionRequests: [],
    ...extra,
  };
}
