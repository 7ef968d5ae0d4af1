// The receiving side of end-to-end encryption (split from e2ee.ts): every encrypted message (and encrypted
// correction, XEP-0308) a frame brings is decrypted once, in order, through this browser's plaintext cache; the
// texts of our own sends are remembered by key; where each message belongs is recorded beside its plaintext so
// this device can search it. No DOM.
import type { ChatMessage, SearchCursor } from "../../../src/protocol/index.ts";
import type { OmemoDevice, Plain } from "../crypto/device.ts";
import type { MessageInfo } from "../crypto/plaintexts.ts";
import { searchLocal, type LocalPage } from "../features/search/local.ts";

export type PlainView = Plain | { readonly kind: "pending" };

export interface DecryptorDeps {
  /** The account's bare JID (the sender of our own messages). */
  readonly jid: string;
  device(): Promise<OmemoDevice>;
  /** This browser's device id, once known. */
  deviceId(): number | null;
  /** An encrypted message was seen in a conversation with `peer` at `ts` (OMEMO is in use there). */
  markInUse(peer: string, ts: number): void;
  /** The trust records of `jid` may have changed (a device's first message). */
  readTrust(jid: string): void;
  destroyed(): boolean;
  changed(): void;
  /** Batched: many decryptions in a row render once. */
  changedSoon(): void;
  changedNow(): void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Decryptor {
  readonly #deps: DecryptorDeps;
  readonly #plain = new Map<string, PlainView>();
  readonly #queue: ChatMessage[] = [];
  /** requestId -> the text of an encrypted send of ours, until the object says under which key it was stored. */
  readonly #sent = new Map<string, string>();
  #draining = false;

  constructor(deps: DecryptorDeps) {
    this.#deps = deps;
  }

  plaintext(key: string): PlainView | undefined {
    return this.#plain.get(key);
  }

  /** An encrypted send of `body` went out as `requestId`. */
  sending(requestId: string, body: string): void {
    this.#sent.set(requestId, body);
  }

  /** The send failed (error frame or timeout): forget the pending text. */
  forget(requestId: string): void {
    this.#sent.delete(requestId);
  }

  isSending(requestId: string): boolean {
    return this.#sent.has(requestId);
  }

  /** Our own encrypted message (or correction) is known by `key` now: its text is the one we encrypted. */
  sentAs(requestId: string, key: string): void {
    const text = this.#sent.get(requestId);
    if (text === undefined) return;
    this.#sent.delete(requestId);
    this.#remember(key, text);
    this.#deps.changed();
  }

  #remember(key: string, text: string): void {
    this.#plain.set(key, { kind: "text", text, sender: this.#deps.deviceId() ?? undefined });
    void this.#deps
      .device()
      .then((d) => d.rememberSent(key, text))
      .catch(() => undefined);
  }

  /**
   * Searches this device's plaintexts of encrypted messages (to merge with the server's search.results). A
   * device that cannot load has no plaintexts: no results.
   */
  async search(query: string, before?: SearchCursor): Promise<LocalPage> {
    let device: OmemoDevice;
    try {
      device = await this.#deps.device();
    } catch {
      return { results: [], hasMore: false };
    }
    return searchLocal(device.cache, query, before);
  }

  /** Messages from a frame; `requestId` when it answers an encrypted send of this tab. */
  observe(messages: readonly ChatMessage[], requestId?: string): void {
    this.#recordInfos(messages);
    let added = false;
    for (const m of messages) {
      // XEP-0308 in an encrypted chat: the correction's text is its own OMEMO message, decrypted by its key.
      const edit = m.edit?.encrypted;
      if (m.edit && edit && !m.retracted && !this.#plain.has(m.edit.key)) {
        this.#plain.set(m.edit.key, { kind: "pending" });
        this.#queue.push({ ...m, key: m.edit.key, ts: m.edit.ts, encrypted: edit, edit: undefined });
        added = true;
      }
      if (!m.encrypted || m.retracted) continue;
      this.#deps.markInUse(m.peer, m.ts);
      const sentText = requestId !== undefined ? this.#sent.get(requestId) : undefined;
      if (sentText !== undefined && requestId !== undefined) {
        this.#sent.delete(requestId);
        this.#remember(m.key, sentText);
        added = true;
        continue;
      }
      if (this.#plain.has(m.key)) continue;
      this.#plain.set(m.key, { kind: "pending" });
      this.#queue.push(m);
      added = true;
    }
    if (added) this.#deps.changed();
    void this.#drain();
  }

  /**
   * Remembers where encrypted messages belong (conversation, time, direction, current correction, retracted) next
   * to their plaintexts, so this device can search them (features/search/local.ts). One write per frame.
   */
  #recordInfos(messages: readonly ChatMessage[]): void {
    const entries: [string, MessageInfo][] = [];
    for (const m of messages) {
      if (!m.encrypted?.hasPayload && !m.edit?.encrypted) continue;
      const info: MessageInfo = { peer: m.peer, ts: m.ts, direction: m.direction };
      if (m.edit?.encrypted) info.current = m.edit.key;
      if (m.retracted) info.retracted = true;
      entries.push([m.key, info]);
    }
    if (entries.length > 0) void this.#storeInfos(entries);
  }

  /**
   * Swallows the failures of recording infos: the device cannot load (no IndexedDB, private mode) or the write
   * fails. Either only leaves those messages out of this device's search; nothing else depends on it.
   */
  async #storeInfos(entries: [string, MessageInfo][]): Promise<void> {
    try {
      const device = await this.#deps.device();
      await device.cache.putInfos(entries);
    } catch {
      // See above: search misses these messages, nothing more.
    }
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0 && !this.#deps.destroyed()) {
        // Oldest first: the ratchet moves forward, and a session starts with its pre-key message.
        this.#queue.sort((a, b) => a.ts - b.ts);
        // Known messages first, all at once: one IndexedDB read and one re-render for a whole history page.
        await this.#fromCache();
        const m = this.#queue.shift();
        if (!m?.encrypted) continue;
        this.#plain.set(m.key, await this.#decryptOne(m, m.encrypted.xml, m.encrypted.hasPayload));
        this.#deps.changedSoon();
      }
    } finally {
      this.#draining = false;
      this.#deps.changedNow();
    }
  }

  /** Resolves every queued message whose outcome is already cached, in one read; the rest stay queued. */
  async #fromCache(): Promise<void> {
    const queued = this.#queue.filter((m) => m.encrypted !== undefined);
    if (queued.length < 2) return;
    let device: OmemoDevice;
    try {
      device = await this.#deps.device();
    } catch {
      return; // #decryptOne reports it per message
    }
    const inputs = queued.map((m) => ({
      key: m.key,
      from: this.#senderOf(m) ?? "",
      xml: m.encrypted?.xml ?? "",
      hasPayload: m.encrypted?.hasPayload ?? false,
    }));
    const cached = await device.cachedMany(inputs).catch(() => []);
    const resolved = new Set<string>();
    cached.forEach((plain, i) => {
      const m = queued[i];
      if (plain && m) {
        this.#plain.set(m.key, plain);
        resolved.add(m.key);
      }
    });
    if (resolved.size === 0) return;
    const rest = this.#queue.filter((m) => !resolved.has(m.key));
    this.#queue.splice(0, this.#queue.length, ...rest);
    this.#deps.changedNow();
  }

  /** The sending account: ours, the contact, or in a room the participant's real address (null if unknown). */
  #senderOf(m: ChatMessage): string | null {
    if (m.direction === "out") return this.#deps.jid;
    if (m.from) return m.from.jid ?? null;
    return m.peer;
  }

  async #decryptOne(m: ChatMessage, xml: string, hasPayload: boolean): Promise<Plain> {
    let device: OmemoDevice;
    try {
      device = await this.#deps.device();
    } catch (err) {
      return { kind: "failed", reason: `Encryption is not available in this browser (${message(err)}).` };
    }
    const from = this.#senderOf(m);
    // XEP-0384 v0.3 §5.6: a group chat message is the sender's, by real address, never by nickname.
    if (from === null) return { kind: "failed", reason: "The group chat did not tell who sent this message." };
    try {
      const input = { key: m.key, from, xml, hasPayload };
      const cached = await device.cached(input);
      if (cached) return cached;
      const plain = await device.decrypt(input);
      // The sender's trust may just have been recorded (first message of a device).
      if (plain.kind !== "hidden" && plain.sender !== undefined) this.#deps.readTrust(from);
      return plain;
    } catch (err) {
      return { kind: "failed", reason: `Could not decrypt (${message(err)}).` };
    }
  }
}
