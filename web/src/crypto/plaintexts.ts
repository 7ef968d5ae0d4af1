// Decrypted texts, kept in IndexedDB: an OMEMO message can be decrypted only once (its message key is deleted),
// so every tab, reload and history page reads the text from here. `false` marks a message that could not be
// decrypted: it is never retried automatically. Own sent messages are stored at send time, by the key of the
// echoed message and by the sender reference (the IV), so other tabs of this browser find them too.
import type { Kv } from "./idb.ts";

/** A decrypted text ("" for a key-transport message) or false (cannot be decrypted). */
export type CachedPlaintext = string | false;

const MESSAGE = "m:";
const SENT = "s:";
const INFO = "i:";

/**
 * Where an encrypted message belongs, so this device can search its plaintexts (web/src/features/search/local.ts)
 * without asking the server: its conversation, time and direction, and what its current text is (the key of
 * its latest XEP-0308 correction, whose plaintext is cached under that key; retracted: none).
 */
export interface MessageInfo {
  peer: string;
  ts: number;
  direction: "in" | "out";
  current?: string;
  retracted?: boolean;
}

/** A stored info record, checked (IndexedDB is shared with other code versions: never trusted blindly). */
export function parseInfo(value: unknown): MessageInfo | null {
  if (typeof value !== "object" || value === null) return null;
  const { peer, ts, direction, current, retracted } = value as Record<string, unknown>;
  if (typeof peer !== "string" || typeof ts !== "number" || (direction !== "in" && direction !== "out")) return null;
  const info: MessageInfo = { peer, ts, direction };
  if (typeof current === "string") info.current = current;
  if (retracted === true) info.retracted = true;
  return info;
}

export class PlaintextCache {
  readonly #kv: Kv;

  constructor(kv: Kv) {
    this.#kv = kv;
  }

  async get(messageKey: string): Promise<CachedPlaintext | undefined> {
    const value = await this.#kv.get<unknown>("plaintexts", MESSAGE + messageKey);
    return typeof value === "string" || value === false ? value : undefined;
  }

  /** Many at once, in one transaction; `undefined` where nothing is cached. */
  async getMany(messageKeys: readonly string[]): Promise<(CachedPlaintext | undefined)[]> {
    const values = await this.#kv.getMany(
      "plaintexts",
      messageKeys.map((k) => MESSAGE + k),
    );
    return values.map((value) => (typeof value === "string" || value === false ? value : undefined));
  }

  async put(messageKey: string, value: CachedPlaintext): Promise<void> {
    await this.#kv.put("plaintexts", MESSAGE + messageKey, value);
  }

  /** Records where messages belong (one transaction for a whole history page). */
  async putInfos(entries: readonly (readonly [string, MessageInfo])[]): Promise<void> {
    await this.#kv.putMany(
      "plaintexts",
      entries.map(([key, info]) => [INFO + key, info] as const),
    );
  }

  /** Every decrypted text and every info record (for a search over this device's plaintexts). */
  async everything(): Promise<{ texts: Map<string, CachedPlaintext>; infos: Map<string, MessageInfo> }> {
    const [texts, infos] = await Promise.all([
      this.#kv.withPrefix<unknown>("plaintexts", MESSAGE),
      this.#kv.withPrefix<unknown>("plaintexts", INFO),
    ]);
    const out = { texts: new Map<string, CachedPlaintext>(), infos: new Map<string, MessageInfo>() };
    for (const [k, v] of texts) {
      if (typeof k === "string" && (typeof v === "string" || v === false)) out.texts.set(k.slice(MESSAGE.length), v);
    }
    for (const [k, v] of infos) {
      const info = parseInfo(v);
      if (typeof k === "string" && info) out.infos.set(k.slice(INFO.length), info);
    }
    return out;
  }

  /** The text of a message this device sent, by sender reference (namespace + IV). */
  async getSent(ref: string): Promise<string | undefined> {
    const value = await this.#kv.get<unknown>("plaintexts", SENT + ref);
    return typeof value === "string" ? value : undefined;
  }

  async putSent(ref: string, text: string): Promise<void> {
    await this.#kv.put("plaintexts", SENT + ref, text);
  }
}

/** What a message turned into, for display. */
export type Plain =
  /** `sender`: the sending device id (from the message header). */
  | { readonly kind: "text"; readonly text: string; readonly sender?: number }
  /** Key transport: processed, never shown. */
  | { readonly kind: "hidden" }
  | { readonly kind: "failed"; readonly reason: string; readonly sender?: number };

export const NOT_FOR_US = "Not encrypted for this browser.";
export const UNDECRYPTABLE = "This message could not be decrypted.";

/** `notForUs`: the message carries no key for this device (told apart from other failures for display). */
export function plainFromCache(value: CachedPlaintext, notForUs = false): Plain {
  if (value === false) return { kind: "failed", reason: notForUs ? NOT_FOR_US : UNDECRYPTABLE };
  return value === "" ? { kind: "hidden" } : { kind: "text", text: value };
}

export interface EncryptedMessage {
  /** The message's dedupe key (the plaintext cache key). */
  readonly key: string;
  /** Bare JID of the sending account. */
  readonly from: string;
  readonly xml: string;
  readonly hasPayload: boolean;
}
