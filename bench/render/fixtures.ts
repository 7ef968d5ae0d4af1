// The render benchmark's data (bench/render.mjs): a 1,000-message conversation as the object would send it (pages
// of history frames) and a deterministic stream of events (reactions, new messages, receipts, read markers) drawn
// from the state as it stands, so both variants see the very same frames. Pure: no DOM.
import type { ChatMessage, Conversation, Reaction, ServerFrame } from "../../src/protocol/index.ts";
import { HISTORY_PAGE } from "../../src/protocol/index.ts";

export const SELF = "alice@localhost";
export const PEER = "bob@localhost";
export const MESSAGE_COUNT = 1000;
/** The stream of events after the first render (the issue: reactions, new messages, receipts). */
export const EVENT_MIX = { react: 200, message: 100, receipt: 100, marker: 20 } as const;
export type EventKind = keyof typeof EVENT_MIX;

const DAY = 86_400_000;
const EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🙏", "🎉", "🔥"] as const;
const WORDS = [
  "the",
  "release",
  "*tomorrow*",
  "meeting",
  "_really_",
  "works",
  "now",
  "`npm test`",
  "lunch?",
  "see",
  "https://example.org/notes",
  "ok",
  "~maybe~",
  "thanks",
  "deploy",
  "done",
] as const;

/** mulberry32: a small seeded PRNG, so every run (and both variants) get the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const v = items[Math.floor(random() * items.length)];
  if (v === undefined) throw new Error("pick from an empty list");
  return v;
}

function sentence(random: () => number): string {
  const n = 3 + Math.floor(random() * 14);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(pick(random, WORDS));
  return words.join(" ");
}

function someReactions(random: () => number): Reaction[] {
  const n = 1 + Math.floor(random() * 3);
  const out: Reaction[] = [];
  for (const emoji of EMOJI.slice(0, n)) out.push({ emoji, from: random() < 0.5 ? [PEER] : [PEER, SELF] });
  return out;
}

/** The conversation's messages, oldest first: groups of each sender, over ~12 days, with reactions on a third,
 * a reply every 10th, a correction every 15th, a retraction every 97th, and OMEMO every 7th (plaintext faked). */
export function conversationMessages(now: number): ChatMessage[] {
  const random = rng(7);
  const out: ChatMessage[] = [];
  let ts = now - 12 * DAY;
  let direction: "in" | "out" = "in";
  for (let i = 0; i < MESSAGE_COUNT; i++) {
    if (random() < 0.35) direction = direction === "in" ? "out" : "in";
    ts += Math.floor(random() * 1_000_000);
    const encrypted = i % 7 === 3;
    const m: ChatMessage = {
      key: `m${i}`,
      peer: PEER,
      direction,
      body: encrypted ? "" : sentence(random),
      ts,
      // The last 150 of ours wait for their receipt (the stream delivers some).
      receipt: direction === "out" ? (i < MESSAGE_COUNT - 150 ? "received" : "sent") : null,
    };
    if (encrypted) m.encrypted = { namespace: "eu.siacs.conversations.axolotl", xml: "", hasPayload: true };
    if (i % 3 === 0) m.reactions = someReactions(random);
    const target = out[i - 1 - Math.floor(random() * 20)];
    if (i % 10 === 5 && target) {
      m.replyTo = { key: target.key, direction: target.direction, body: target.encrypted ? "" : target.body };
    }
    if (i % 15 === 7 && !encrypted) m.edit = { key: `e${i}`, body: `${m.body} (fixed)`, ts: ts + 30_000 };
    if (i % 97 === 50) {
      m.retracted = true;
      m.body = "";
      delete m.reactions;
      delete m.edit;
    }
    out.push(m);
  }
  return out;
}

/** The fake plaintext of an encrypted fixture message (what the OMEMO cache would hold). */
export function plaintextOf(key: string): string {
  return `secret ${key}: ${sentence(rng(key.length * 31 + key.charCodeAt(key.length - 1)))}`;
}

/** The conversation entry at the start: read up to its newest message (XEP-0490), the peer read up to `peerReadTs`. */
export function conversation(messages: readonly ChatMessage[], peerReadTs: number): Conversation {
  const last = messages.at(-1);
  const lastTs = last?.ts ?? 0;
  return { peer: PEER, lastTs, lastBody: last?.body ?? "", unread: 0, readTs: lastTs, peerReadTs };
}

export function snapshot(messages: readonly ChatMessage[], peerReadTs: number): ServerFrame {
  return {
    type: "snapshot",
    self: { jid: SELF, show: "online", status: "" },
    connection: "online",
    roster: [
      {
        jid: PEER,
        name: "Bob",
        subscription: "both",
        ask: false,
        groups: [],
        presences: [{ resource: "phone", show: "online", status: "", priority: 0 }],
      },
    ],
    conversations: [conversation(messages, peerReadTs)],
    drafts: [],
    subscriptionRequests: [],
  };
}

/** The history as the object pages it: newest page first, each `hasMore` until the oldest. */
export function historyPages(messages: readonly ChatMessage[]): { requestId: string; frame: ServerFrame }[] {
  const pages: { requestId: string; frame: ServerFrame }[] = [];
  for (let end = messages.length, n = 0; end > 0; end -= HISTORY_PAGE, n++) {
    const start = Math.max(0, end - HISTORY_PAGE);
    const requestId = `h${n}`;
    const page = messages.slice(start, end);
    pages.push({ requestId, frame: { type: "history", requestId, peer: PEER, messages: page, hasMore: start > 0 } });
  }
  return pages;
}

/** The kinds of the event stream, shuffled with a fixed seed. */
export function eventKinds(mix: Readonly<Record<EventKind, number>> = EVENT_MIX): EventKind[] {
  const kinds: EventKind[] = [];
  for (const kind of ["react", "message", "receipt", "marker"] as const) {
    for (let i = 0; i < mix[kind]; i++) kinds.push(kind);
  }
  const random = rng(42);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = kinds[i];
    const b = kinds[j];
    if (a === undefined || b === undefined) continue;
    kinds[i] = b;
    kinds[j] = a;
  }
  return kinds;
}

/** Toggles `from`'s `emoji` on a reaction list (XEP-0444: a new full set per sender). */
function withReaction(reactions: readonly Reaction[] | undefined, emoji: string, from: string): Reaction[] {
  const list = (reactions ?? []).map((r) => ({ emoji: r.emoji, from: [...r.from] }));
  const r = list.find((x) => x.emoji === emoji);
  if (!r) return [...list, { emoji, from: [from] }];
  r.from = r.from.includes(from) ? r.from.filter((j) => j !== from) : [...r.from, from];
  return list.filter((x) => x.from.length > 0);
}

/** Draws the next event's frame from the state as it stands; the same `random` sequence gives the same frames. */
export class EventSource {
  readonly #random = rng(99);
  #sent = 0;
  #peerReadTs: number;

  constructor(peerReadTs: number) {
    this.#peerReadTs = peerReadTs;
  }

  /** `current`: the conversation entry as the tab has it (its read position and unread count go on from there). */
  next(kind: EventKind, messages: readonly ChatMessage[], current: Conversation | undefined): ServerFrame | null {
    const random = this.#random;
    switch (kind) {
      case "react": {
        const live = messages.filter((m) => !m.retracted);
        const m = live[Math.floor(random() * live.length)];
        if (!m) return null;
        const emoji = pick(random, EMOJI);
        const from = random() < 0.7 ? PEER : SELF;
        return { type: "message.update", message: { ...m, reactions: withReaction(m.reactions, emoji, from) } };
      }
      case "message": {
        const last = messages.at(-1);
        const n = this.#sent++;
        const direction = random() < 0.5 ? "in" : "out";
        const message: ChatMessage = {
          key: `new${n}`,
          peer: PEER,
          direction,
          body: sentence(random),
          ts: (last?.ts ?? 0) + 1000 + Math.floor(random() * 60_000),
          receipt: direction === "out" ? "sent" : null,
        };
        const unread = (current?.unread ?? 0) + (direction === "in" ? 1 : 0);
        const conv = { ...conversation(messages, this.#peerReadTs), ...current, lastTs: message.ts };
        return { type: "message", message, conversation: { ...conv, lastBody: message.body, unread } };
      }
      case "receipt": {
        const waiting = messages.filter((m) => m.direction === "out" && m.receipt === "sent");
        const m = waiting[Math.floor(random() * waiting.length)];
        return m ? { type: "receipt", peer: PEER, key: m.key } : null;
      }
      case "marker": {
        // XEP-0333 displayed: the peer read further; "Read" moves over a few of ours.
        const later = messages.filter((m) => m.ts > this.#peerReadTs);
        const m = later[Math.min(later.length - 1, Math.floor(random() * 10))];
        if (!m) return null;
        this.#peerReadTs = m.ts;
        const conv = current ?? conversation(messages, this.#peerReadTs);
        return { type: "conversation", conversation: { ...conv, peerReadTs: this.#peerReadTs } };
      }
    }
  }
}
