// Sending from the composer, per conversation: what is in flight, the error or note shown under the composer, and
// the refused encrypted send that offers "Send unencrypted" (the composer never falls back to clear text on its
// own). Also holds each conversation's composer text in this tab. No DOM: the composer renders `view` and `text`.
import { signal, type ReadonlySignal, type Signal } from "@preact/signals";
import { MAX_BODY_CHARS, stripXmlIllegal } from "../../../../src/protocol/index.ts";
import type { ChatMessage, ClientFrame } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import type { EncryptedExtra } from "../../core/e2ee.ts";
import { quoteOf } from "../actions/text.ts";
import type { ChatCrypto } from "./crypto.ts";

/**
 * What the next send of a conversation is: a reply to a message (XEP-0461, with the quote for clients without
 * replies) or the correction of one of the user's messages (XEP-0308).
 */
export type ComposeMode =
  | { readonly kind: "reply"; readonly target: ChatMessage; readonly text: string | null }
  | { readonly kind: "edit"; readonly target: ChatMessage; readonly restore: string };

/** The body that goes out and what travels beside it. */
interface Outgoing {
  body: string;
  extra: EncryptedExtra;
  /** A correction of an encrypted message: only ever encrypted (never "Send unencrypted"). */
  encryptedOnly: boolean;
}

const SEND_TIMEOUT_MS = 30_000;

export interface SendView {
  /** A message is being encrypted or waits for the server's answer (the Send button is disabled). */
  readonly busy: boolean;
  readonly error: string | null;
  /** E.g. the devices a message could not be encrypted for. */
  readonly note: string | null;
  /** Why the last encrypted send was refused ("Send unencrypted" is offered next to it). */
  readonly block: string | null;
  /**
   * Group chat members the refused send could not be encrypted for: "Send without them" is offered instead of
   * "Send unencrypted" (issue #8 §2: never clear text).
   */
  readonly missing: readonly string[] | null;
}

const IDLE: SendView = { busy: false, error: null, note: null, block: null, missing: null };

interface Pending {
  /** Null while the message is being encrypted (nothing has been sent yet). */
  requestId: string | null;
  /** The composer text that was sent (cleared on success only if the user has not edited it since). */
  raw: string;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface SenderDeps {
  send(frame: ClientFrame): boolean;
  crypto: ChatCrypto;
  /** A message to `peer` went out (the contact reads "active"; the waiting draft is the sent text). */
  sent(peer: string): void;
}

export class Sender {
  readonly #deps: SenderDeps;
  readonly #pending = new Map<string, Pending>();
  readonly #texts = new Map<string, Signal<string>>();
  readonly #view = signal<ReadonlyMap<string, SendView>>(new Map());
  readonly #modes = signal<ReadonlyMap<string, ComposeMode>>(new Map());

  constructor(deps: SenderDeps) {
    this.#deps = deps;
  }

  /** Per conversation; a conversation with nothing to say is absent. */
  get views(): ReadonlySignal<ReadonlyMap<string, SendView>> {
    return this.#view;
  }

  view(peer: string): SendView {
    return this.#view.value.get(peer) ?? IDLE;
  }

  /** Replying or editing in `peer`'s composer; null for a plain new message. */
  mode(peer: string): ComposeMode | null {
    return this.#modes.value.get(peer) ?? null;
  }

  #setMode(peer: string, mode: ComposeMode | null): void {
    const map = new Map(this.#modes.value);
    if (mode) map.set(peer, mode);
    else map.delete(peer);
    this.#modes.value = map;
  }

  /** The next message answers `target`; `text` is its text as shown (quoted), null when unknown. */
  replyTo(peer: string, target: ChatMessage, text: string | null): void {
    const prev = this.mode(peer);
    if (prev?.kind === "edit") this.text(peer).value = prev.restore;
    this.#setMode(peer, { kind: "reply", target, text });
  }

  /** The composer takes `text` (the message's current text) to correct `target`; cancelling restores it. */
  edit(peer: string, target: ChatMessage, text: string): void {
    const prev = this.mode(peer);
    const composer = this.text(peer);
    this.#setMode(peer, { kind: "edit", target, restore: prev?.kind === "edit" ? prev.restore : composer.value });
    composer.value = text;
  }

  /** Back to a plain new message (an edit gives the composer its earlier text back). */
  cancelMode(peer: string): void {
    const mode = this.mode(peer);
    if (mode?.kind === "edit") this.text(peer).value = mode.restore;
    if (mode) this.#setMode(peer, null);
  }

  #outgoing(peer: string, body: string): Outgoing {
    const mode = this.mode(peer);
    if (mode?.kind === "edit") {
      return { body, extra: { replace: mode.target.key }, encryptedOnly: mode.target.encrypted !== undefined };
    }
    if (mode?.kind === "reply") {
      // XEP-0461 §4 + XEP-0428: the quote leads the body; its length is marked as fallback.
      const quote = mode.text ? quoteOf(mode.text) : { quote: "", length: 0 };
      return {
        body: quote.quote + body,
        extra: { replyTo: { key: mode.target.key, quoteLength: quote.length } },
        encryptedOnly: false,
      };
    }
    return { body, extra: {}, encryptedOnly: false };
  }

  busy(peer: string): boolean {
    return this.#pending.has(peer);
  }

  /** The composer text of `peer` in this tab; `initial` (the object's draft) when the conversation is opened fresh. */
  text(peer: string, initial = ""): Signal<string> {
    let text = this.#texts.get(peer);
    if (!text) {
      text = signal(initial);
      this.#texts.set(peer, text);
    }
    return text;
  }

  /** The user leaves `peer`: an empty composer is forgotten, so the object's draft shows when it is opened again. */
  leave(peer: string): void {
    if (this.#texts.get(peer)?.value === "") this.#texts.delete(peer);
  }

  #set(peer: string, change: Partial<SendView>): void {
    const next = { ...this.view(peer), ...change, busy: this.#pending.has(peer) };
    const map = new Map(this.#view.value);
    if (!next.busy && next.error === null && next.note === null && next.block === null) map.delete(peer);
    else map.set(peer, next);
    this.#view.value = map;
  }

  /** Sends what the composer of `peer` holds (encrypted unless the conversation's choice is clear text). */
  submit(peer: string): void {
    if (this.#pending.has(peer)) return;
    const raw = this.text(peer).value;
    const body = stripXmlIllegal(raw).trim();
    if (body === "") return;
    if (body.length > MAX_BODY_CHARS) {
      this.#set(peer, { error: `Messages are limited to ${MAX_BODY_CHARS} characters.` });
      return;
    }
    const out = this.#outgoing(peer, body);
    if (out.body.length > MAX_BODY_CHARS) {
      this.#set(peer, { error: `Messages are limited to ${MAX_BODY_CHARS} characters.` });
      return;
    }
    const choice = out.encryptedOnly ? true : this.#deps.crypto.composer(peer).encrypt;
    if (choice === false) {
      this.#set(peer, { block: null });
      this.#sendPlain(peer, raw, out);
      return;
    }
    // Encrypted (or not decided yet): nothing leaves the tab until the choice is known and encryption worked.
    this.#pending.set(peer, { requestId: null, raw, timer: null });
    this.#set(peer, { block: null, error: null, note: null, missing: null });
    void this.#sendEncrypted(peer, raw, out, choice === null);
  }

  /** The user's choice after a refused group chat send: encrypted, leaving out the members named. */
  sendWithout(peer: string): void {
    const without = this.view(peer).missing;
    if (this.#pending.has(peer) || without === null) return;
    const raw = this.text(peer).value;
    const body = stripXmlIllegal(raw).trim();
    if (body === "") return;
    const out = this.#outgoing(peer, body);
    if (out.body.length > MAX_BODY_CHARS) return;
    this.#pending.set(peer, { requestId: null, raw, timer: null });
    this.#set(peer, { block: null, error: null, note: null, missing: null });
    void this.#sendEncrypted(peer, raw, out, false, without);
  }

  /** The user's explicit choice for this one message: the composer's text goes out in clear. */
  sendUnencrypted(peer: string): void {
    if (this.#pending.has(peer)) return;
    const raw = this.text(peer).value;
    const body = stripXmlIllegal(raw).trim();
    if (body === "") return;
    const out = this.#outgoing(peer, body);
    if (out.encryptedOnly || out.body.length > MAX_BODY_CHARS) return;
    this.#set(peer, { block: null, missing: null });
    this.#sendPlain(peer, raw, out);
  }

  /** A message/error frame answering a message.send of this tab; false when the requestId is not ours. */
  settle(requestId: string, error: string | null): boolean {
    for (const [peer, entry] of this.#pending) {
      if (entry.requestId === requestId) {
        this.#finish(peer, error);
        return true;
      }
    }
    return false;
  }

  /**
   * `blocked`: the error is a refused encrypted send; "Send unencrypted" is offered next to it, or with `missing`
   * (group chat members without a reachable device) "Send without them".
   */
  #finish(peer: string, error: string | null, blocked = false, missing: readonly string[] | null = null): void {
    const entry = this.#pending.get(peer);
    if (!entry) return;
    if (entry.timer !== null) clearTimeout(entry.timer);
    if (error !== null && entry.requestId !== null) this.#deps.crypto.forgetSend(entry.requestId);
    this.#pending.delete(peer);
    if (error === null) {
      const text = this.#texts.get(peer);
      if (text?.value === entry.raw) text.value = "";
      if (this.mode(peer)) this.#setMode(peer, null); // the reply or correction went out
    }
    this.#set(peer, {
      error: blocked ? null : error,
      block: blocked ? error : null,
      missing: blocked ? missing : null,
    });
  }

  #awaitAnswer(peer: string, requestId: string, raw: string): void {
    const timer = setTimeout(
      () => this.#finish(peer, "No answer from the server. The message may not have been sent."),
      SEND_TIMEOUT_MS,
    );
    this.#pending.set(peer, { requestId, raw, timer });
  }

  #sendPlain(peer: string, raw: string, out: Outgoing): void {
    const requestId = newRequestId();
    if (!this.#deps.send({ type: "message.send", requestId, to: peer, body: out.body, ...out.extra })) {
      this.#pending.delete(peer);
      this.#set(peer, { error: "Not connected. Your message was not sent; try again in a moment." });
      return;
    }
    this.#awaitAnswer(peer, requestId, raw);
    this.#deps.sent(peer);
    this.#set(peer, { error: null, note: null });
  }

  async #sendEncrypted(
    peer: string,
    raw: string,
    out: Outgoing,
    undecided: boolean,
    without: readonly string[] = [],
  ): Promise<void> {
    if (undecided && !(await this.#deps.crypto.encryptFor(peer))) {
      this.#sendPlain(peer, raw, out);
      return;
    }
    const result = await this.#deps.crypto.sendEncrypted(peer, out.body, out.extra, without);
    if (!result.ok) {
      const missing = result.missing ?? null;
      this.#finish(peer, result.error, missing !== null || (result.offerPlain && !out.encryptedOnly), missing);
      return;
    }
    if (this.#pending.get(peer)?.requestId !== null) return;
    this.#awaitAnswer(peer, result.requestId, raw);
    this.#deps.sent(peer);
    this.#set(peer, {});
    const missed = result.skipped.filter((d) => d.id !== 0);
    if (missed.length > 0) {
      const list = missed.map((d) => `${d.jid} device ${d.id} (${d.reason})`).join(", ");
      this.#set(peer, { note: `Not encrypted for ${missed.length} device${missed.length === 1 ? "" : "s"}: ${list}.` });
    }
  }
}
