// A small record per conversation that must outlive the object (an eviction, a restart, a deploy): kept in the
// object's own storage, one key per peer under a prefix (as drafts are), bounded in count, oldest written first
// to go. The read-state feature keeps its reads still to be announced and its XEP-0490 positions still waiting
// for their message here.
import type { KeyValue } from "./features/context.ts";

/** What is stored under a key: the value and when it was written (restores the write order after a restart). */
interface Stored {
  at: number;
  value: unknown;
}

function isStored(v: unknown): v is Stored {
  return typeof v === "object" && v !== null && "at" in v && typeof v.at === "number" && "value" in v;
}

export class PeerRecords<T> {
  /** peer -> value, in write order (oldest first). */
  readonly #records = new Map<string, T>();
  #clock = 0;

  constructor(
    private readonly storage: KeyValue,
    private readonly prefix: string,
    private readonly max: number,
    /** Checks a stored value's shape (storage outlives code versions); what fails is dropped. */
    private readonly valid: (value: unknown) => value is T,
  ) {}

  /** After a restart: what storage holds, in write order. */
  async load(): Promise<void> {
    const stored = await this.storage.list({ prefix: this.prefix });
    const rows = [...stored].flatMap(([key, v]) =>
      isStored(v) && this.valid(v.value) ? [{ peer: key.slice(this.prefix.length), at: v.at, value: v.value }] : [],
    );
    rows.sort((a, b) => a.at - b.at);
    this.#records.clear();
    for (const row of rows.slice(-this.max)) this.#records.set(row.peer, row.value);
    this.#clock = rows.at(-1)?.at ?? 0;
  }

  get size(): number {
    return this.#records.size;
  }

  get(peer: string): T | undefined {
    return this.#records.get(peer);
  }

  entries(): [string, T][] {
    return [...this.#records];
  }

  /** Writes `peer`'s record (now the newest); beyond the bound, the oldest is forgotten. */
  async set(peer: string, value: T): Promise<void> {
    this.#records.delete(peer);
    this.#records.set(peer, value);
    // Strictly increasing, so that two writes within one millisecond keep their order after a restart.
    this.#clock = Math.max(this.#clock + 1, Date.now());
    await this.storage.put(this.prefix + peer, { at: this.#clock, value } satisfies Stored);
    while (this.#records.size > this.max) {
      const oldest = this.#records.keys().next();
      if (oldest.done) break;
      this.#records.delete(oldest.value);
      await this.storage.delete(this.prefix + oldest.value);
    }
  }

  async delete(peer: string): Promise<void> {
    if (!this.#records.delete(peer)) return;
    await this.storage.delete(this.prefix + peer);
  }
}
