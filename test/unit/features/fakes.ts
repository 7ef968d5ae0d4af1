// Fakes for feature-module unit tests: a link that records what is sent and answers IQs with a function, tabs that
// record frames, Map-backed storage. The modules see only the FeatureContext interface.
import type { Element } from "@xmpp/xml";
import type { Db } from "../../../src/db/client.ts";
import { ChatState } from "../../../src/durable/chat-state.ts";
import type { FeatureContext, KeyValue, Link, Pending } from "../../../src/durable/features/context.ts";
import type { OutgoingFrame } from "../../../src/protocol/index.ts";

export class FakeLink implements Link {
  online = true;
  boundJid: string | null = "me@example.org/parley";
  smEnabled = true;
  streamId: string | null = "stream-1";
  handled: { streamId: string; h: number } | null = null;
  readonly sent: Element[] = [];
  readonly iqs: { type: "get" | "set"; child: Element; to: string | undefined }[] = [];
  /** Answers an IQ (return the result element, or throw an XMPPError). */
  answer: (type: "get" | "set", child: Element, to: string | undefined) => Element = () => {
    throw new Error("no IQ expected");
  };
  failSend = false;
  #seq = 0;
  readonly #queue = new Map<Element, number>();

  async send(el: Element): Promise<void> {
    if (this.failSend) throw new Error("socket closed");
    this.sent.push(el);
    this.#queue.set(el, ++this.#seq);
  }

  async iq(type: "get" | "set", child: Element, to?: string): Promise<Element> {
    this.iqs.push({ type, child, to });
    return this.answer(type, child, to);
  }

  seqOf(stanza: Element): number | null {
    return this.#queue.get(stanza) ?? null;
  }

  queuedIds(): Set<string> {
    return new Set([...this.#queue.keys()].flatMap((el) => (el.attrs.id ? [el.attrs.id] : [])));
  }
}

export function memoryStorage(): KeyValue & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async <T>(key: string) => map.get(key) as T | undefined,
    put: async (key, value) => {
      map.set(key, value);
    },
    delete: async (key) => map.delete(key),
    list: async ({ prefix }) => new Map([...map].filter(([k]) => k.startsWith(prefix))),
  };
}

export interface Harness {
  ctx: FeatureContext;
  link: FakeLink;
  storage: ReturnType<typeof memoryStorage>;
  /** Frames sent to one tab (the socket is a token) and broadcast. */
  sent: { ws: unknown; frame: OutgoingFrame }[];
  broadcast: OutgoingFrame[];
  stored: Pending[];
  ws: WebSocket;
}

export function harness(jid = "me@example.org"): Harness {
  const link = new FakeLink();
  const storage = memoryStorage();
  const sent: Harness["sent"] = [];
  const broadcast: OutgoingFrame[] = [];
  const stored: Pending[] = [];
  const ctx: FeatureContext = {
    info: { jid, service: "wss://example.org/xmpp", domain: "example.org" },
    state: new ChatState(),
    // Feature modules under unit test do not reach D1 (history is covered by the workers tests); raw reads, such
    // as the newest stored keys a chat loads once, find nothing.
    db: { all: async () => [] } as unknown as Db,
    storage,
    tabs: {
      send: (ws, frame) => sent.push({ ws, frame }),
      broadcast: (frame) => broadcast.push(frame),
    },
    link: () => (link.online ? link : null),
    store: (item) => stored.push(item),
    flush: async () => undefined,
    drained: async () => undefined,
    exclusive: (job) => job(),
  };
  const ws = {} as WebSocket;
  return { ctx, link, storage, sent, broadcast, stored, ws };
}
