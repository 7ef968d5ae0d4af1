// One IndexedDB database per storage context (the signed-in account): "parley-omemo-<jid>". It holds the
// Signal-protocol state (store.ts), the trust of remote devices, the cache of decrypted texts (plaintexts.ts) and
// the per-contact OMEMO state (contacts.ts).

/**
 * 2: "trust" (per-device trust records, see trust.ts). 3: "contacts" (OMEMO in use, "Only verified devices", the
 * device set last seen and its change notices, see contacts.ts). Upgrades only add the stores that are missing.
 */
export const DB_VERSION = 3;
export const STORES = [
  "meta",
  "preKeys",
  "signedPreKeys",
  "sessions",
  "identities",
  "plaintexts",
  "trust",
  "contacts",
] as const;
export type StoreName = (typeof STORES)[number];

export function storageContext(jid: string): string {
  return `parley-omemo-${jid.toLowerCase()}`;
}

export function requestToPromise<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
  });
}

export function openDatabase(name: string, factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let req: IDBOpenDBRequest;
    try {
      req = factory.open(name, DB_VERSION);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const store of STORES) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading (a newer app version) must not be blocked by us.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error("cannot open IndexedDB"));
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
}

/** A thin key-value view over the database. */
export class Kv {
  readonly #db: IDBDatabase;

  constructor(db: IDBDatabase) {
    this.#db = db;
  }

  async get<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
    const tx = this.#db.transaction(store, "readonly");
    const value = (await requestToPromise(tx.objectStore(store).get(key))) as T | undefined;
    return value;
  }

  async put(store: StoreName, key: IDBValidKey, value: unknown): Promise<void> {
    const tx = this.#db.transaction(store, "readwrite");
    tx.objectStore(store).put(value, key);
    await transactionDone(tx);
  }

  /** Several reads in one transaction (a history page's cached texts: one round trip, not one per message). */
  async getMany(store: StoreName, keys: readonly IDBValidKey[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    const tx = this.#db.transaction(store, "readonly");
    const os = tx.objectStore(store);
    return Promise.all(keys.map((key) => requestToPromise(os.get(key))));
  }

  /** Several writes in one transaction (all or nothing). */
  async putMany(store: StoreName, entries: readonly (readonly [IDBValidKey, unknown])[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.#db.transaction(store, "readwrite");
    const os = tx.objectStore(store);
    for (const [key, value] of entries) os.put(value, key);
    await transactionDone(tx);
  }

  async delete(store: StoreName, key: IDBValidKey): Promise<void> {
    const tx = this.#db.transaction(store, "readwrite");
    tx.objectStore(store).delete(key);
    await transactionDone(tx);
  }

  async keys(store: StoreName): Promise<IDBValidKey[]> {
    const tx = this.#db.transaction(store, "readonly");
    return requestToPromise(tx.objectStore(store).getAllKeys());
  }

  /** All [key, value] pairs of a store, in key order. */
  async entries<T>(store: StoreName): Promise<[IDBValidKey, T][]> {
    const tx = this.#db.transaction(store, "readonly");
    const os = tx.objectStore(store);
    const [keys, values] = await Promise.all([requestToPromise(os.getAllKeys()), requestToPromise(os.getAll())]);
    return keys.map((k, i) => [k, values[i] as T]);
  }

  /** The [key, value] pairs whose string keys start with `prefix`, in key order, in one transaction. */
  async withPrefix<T>(store: StoreName, prefix: string): Promise<[IDBValidKey, T][]> {
    const tx = this.#db.transaction(store, "readonly");
    const os = tx.objectStore(store);
    // Every string that starts with the prefix sorts between it and prefix + U+FFFF.
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const [keys, values] = await Promise.all([
      requestToPromise(os.getAllKeys(range)),
      requestToPromise(os.getAll(range)),
    ]);
    return keys.map((k, i) => [k, values[i] as T]);
  }

  async count(store: StoreName): Promise<number> {
    const tx = this.#db.transaction(store, "readonly");
    return requestToPromise(tx.objectStore(store).count());
  }

  close(): void {
    this.#db.close();
  }
}
