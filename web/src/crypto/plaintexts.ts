// Decrypted texts, kept in IndexedDB: an OMEMO message can be decrypted only once (its message key is deleted),
// so every tab, reload and history page reads the text from here. `false` marks a message that could not be
// decrypted: it is never retried automatically. Own sent messages are stored at send time, by the key of the
// echoed message and by the sender reference (the IV), so other tabs of this browser find them too.
import type { Kv } from "./idb.ts";

/** A decrypted text ("" for a key-transport message) or false (cannot be decrypted). */
export type CachedPlaintext = string | false;

const MESSAGE = "m:";
const SENT = "s:";

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

  /** The text of a message this device sent, by sender reference (namespace + IV). */
  async getSent(ref: string): Promise<string | undefined> {
    const value = await this.#kv.get<unknown>("plaintexts", SENT + ref);
    return typeof value === "string" ? value : undefined;
  }

  async putSent(ref: string, text: string): Promise<void> {
    await this.#kv.put("plaintexts", SENT + ref, text);
  }
}
