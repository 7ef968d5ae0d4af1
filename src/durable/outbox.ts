// Outgoing messages survive an eviction (issue #6 §14). Each is written to the object's storage before it is sent
// and dropped when the server acknowledges it (XEP-0198 §4). Where a stream resumes, or fails with the count of
// what the server handled (XEP-0198 §5, <failed h/>), only the messages past that count are sent again; after a
// fresh login without a count, every one left is. A resent message keeps its id and origin-id (XEP-0359), so
// receivers that see it twice show it once.

/** What storage keeps of one outgoing message. */
export interface OutboxEntry {
  id: string;
  /** The stanza as sent, serialised. */
  xml: string;
  /** The stream it went out on and its number there (1 = first stanza after <enable/>), once known. */
  streamId?: string;
  seq?: number;
  at: number;
}

/** The part of DurableObjectStorage the outbox needs (a Map-backed fake in unit tests). */
export interface OutboxStorage {
  put(key: string, value: OutboxEntry): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(options: { prefix: string }): Promise<Map<string, unknown>>;
}

const PREFIX = "out:";
/** Older unacknowledged messages are given up (and logged): a week offline is not a retry. */
export const OUTBOX_MAX_AGE_MS = 7 * 24 * 3600_000;
/** Messages kept at most; a tab sending more while nothing is acknowledged waits (send-failed). */
export const OUTBOX_MAX = 500;

function isEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === "string" && typeof v.xml === "string" && typeof v.at === "number";
}

export class Outbox {
  #size = 0;

  constructor(private readonly storage: OutboxStorage) {}

  /** Loads the count after a restart. */
  async load(): Promise<void> {
    this.#size = (await this.storage.list({ prefix: PREFIX })).size;
  }

  get full(): boolean {
    return this.#size >= OUTBOX_MAX;
  }

  /** Before sending: the message is kept until acknowledged. */
  async add(id: string, xml: string, now = Date.now()): Promise<void> {
    await this.storage.put(PREFIX + id, { id, xml, at: now });
    this.#size++;
  }

  /** After sending: where the message sits in the stream's count. */
  async placed(entry: OutboxEntry, streamId: string, seq: number): Promise<void> {
    await this.storage.put(PREFIX + entry.id, { ...entry, streamId, seq });
  }

  async acked(id: string): Promise<void> {
    if (await this.storage.delete(PREFIX + id)) this.#size = Math.max(0, this.#size - 1);
  }

  async entries(): Promise<OutboxEntry[]> {
    const all = [...(await this.storage.list({ prefix: PREFIX })).values()].filter(isEntry);
    return all.sort((a, b) => a.at - b.at || (a.seq ?? 0) - (b.seq ?? 0));
  }

  /**
   * After the link came up: which messages to send again. `handled` is what the server reported it handled of
   * stream `streamId` (<resumed h/> or <failed h/>), when it did; `inFlight` are ids the link itself still
   * queues (xmpp.js resends those on a resumption of the same instance's stream).
   */
  async toResend(
    handled: { streamId: string; h: number } | null,
    inFlight: ReadonlySet<string>,
    now = Date.now(),
  ): Promise<OutboxEntry[]> {
    const out: OutboxEntry[] = [];
    for (const entry of await this.entries()) {
      const received =
        handled !== null && entry.streamId === handled.streamId && entry.seq !== undefined && entry.seq <= handled.h;
      if (received || now - entry.at > OUTBOX_MAX_AGE_MS) {
        if (!received) console.warn(`parley: giving up message ${entry.id}, unacknowledged for a week`);
        await this.acked(entry.id);
        continue;
      }
      if (!inFlight.has(entry.id)) out.push(entry);
    }
    return out;
  }
}
