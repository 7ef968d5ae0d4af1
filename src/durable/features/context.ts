// What a feature module gets from the object (issue #7 §0): the account, the shared state, storage, the tabs and
// the current link, behind one small interface, so each module is unit-tested with fakes. The object's router
// (../account.ts) hands each stanza and each tab frame to the module that owns it.
import type { Element } from "@xmpp/xml";
import type { Db } from "../../db/client.ts";
import type { StoredAction, StoredMessage } from "../../db/store.ts";
import type { StoredRoom } from "../../db/rooms.ts";
import type { ClientFrame, ErrorCode, OutgoingFrame, PresenceDelta } from "../../protocol/index.ts";
import type { ChatState } from "../chat-state.ts";
import { XMPPError } from "../../xmpp/errors.ts";

export interface AccountInfo {
  jid: string;
  service: string;
  domain: string;
}

/** The part of the XMPP link features use (src/durable/xmpp-link.ts implements it). */
export interface Link {
  readonly online: boolean;
  /** The full JID the stream is bound to. */
  readonly boundJid: string | null;
  /** XEP-0198: whether acks will come, the stream's id, and what the server said it handled on resumption. */
  readonly smEnabled: boolean;
  readonly streamId: string | null;
  readonly handled: { streamId: string; h: number } | null;
  send(el: Element): Promise<void>;
  iq(type: "get" | "set", child: Element, to?: string, timeoutMs?: number): Promise<Element>;
  seqOf(stanza: Element): number | null;
  queuedIds(): Set<string>;
}

/** The tabs of the account: one, or all of them. */
export interface TabsOut {
  send(ws: WebSocket, frame: OutgoingFrame): void;
  broadcast(frame: OutgoingFrame): void;
}

/** The object's own key-value storage (DurableObjectStorage implements it). */
export interface KeyValue {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(options: { prefix: string }): Promise<Map<string, unknown>>;
}

/** Writes that go to D1 in batches (one statement per kind and flush, see ../account.ts). */
export type Pending =
  | { kind: "presence"; update: PresenceDelta }
  | { kind: "message"; message: StoredMessage; countUnread: boolean }
  | { kind: "receipt"; peer: string; stanzaId: string; ts: number }
  | { kind: "action"; action: StoredAction }
  | { kind: "room"; room: StoredRoom };

export interface FeatureContext {
  readonly info: AccountInfo;
  readonly state: ChatState;
  readonly db: Db;
  readonly storage: KeyValue;
  readonly tabs: TabsOut;
  /** The current link when it is up, else null. */
  link(): Link | null;
  /** Queues a batched write. */
  store(item: Pending): void;
  /** Everything queued so far is written. */
  flush(): Promise<void>;
  /** Every stanza received so far is handled (archive results come as stanzas before their IQ result). */
  drained(): Promise<void>;
  /**
   * Runs `job` in the stanza queue: no stanza is handled while it runs (a read position recount sees every
   * message accepted before it and none during it). Never call it from a stanza handler (it would wait on itself).
   */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
}

export type FrameType = ClientFrame["type"];
export type FrameOf<K extends FrameType> = Extract<ClientFrame, { type: K }>;
export type FrameHandler<K extends FrameType> = (ws: WebSocket, frame: FrameOf<K>) => Promise<void>;
/** Every frame type has exactly one handler: the router's table is checked for completeness at compile time. */
export type FrameHandlers = { [K in FrameType]: FrameHandler<K> };

export interface Feature {
  /** Handles an incoming message or presence stanza; false when it is not this feature's. */
  onStanza?(el: Element): boolean | Promise<boolean>;
  /** After a fresh login (not a resumption), in registration order. */
  onLogin?(link: Link): Promise<void>;
  /** After every connect, fresh or resumed, once the link is up to date. */
  onOnline?(link: Link, resumed: boolean): Promise<void>;
}

/** Answers one tab's frame with an error frame (the text stays in that tab's composer). */
export function refuse(tabs: TabsOut, ws: WebSocket, code: ErrorCode, message: string, requestId?: string): void {
  tabs.send(ws, requestId ? { type: "error", code, message, requestId } : { type: "error", code, message });
}

/** The link when it is up; else refuses the frame with not-connected and returns null. */
export function linkOrRefuse(ctx: FeatureContext, ws: WebSocket, requestId?: string): Link | null {
  const link = ctx.link();
  if (link?.online) return link;
  refuse(ctx.tabs, ws, "not-connected", "Not connected.", requestId);
  return null;
}

export function logFailure(what: string, err: unknown): void {
  console.warn(`parley: ${what} failed`, err instanceof Error ? err.message : String(err));
}

/**
 * What a tab is told about a failure: the RFC 6120 condition of an XMPP error (a fixed token the tab can act on:
 * forbidden, item-not-found, …), else a fixed word. Internal error text only goes to the log (issue #6 §11).
 */
export function conditionOf(err: unknown, what: string): string {
  if (err instanceof XMPPError) return err.condition;
  logFailure(what, err);
  return "internal-error";
}
