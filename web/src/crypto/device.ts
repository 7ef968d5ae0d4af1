// This browser's OMEMO device for the signed-in account, as the app uses it (loaded lazily: it pulls in
// libsignal). It owns the storage context (one IndexedDB database "parley-omemo-<jid>"), serialises every
// ratchet operation across the tabs of that context with the Web Locks API, keeps the plaintext cache in step
// with the ratchet, publishes our device list and bundle, and keeps the per-account OMEMO state (contacts.ts):
// "OMEMO in use", "Only verified devices", and notices when a device set or identity key changes.
import { ContactBook, newNotice, withDeviceList, withFingerprint, withInUse, withNotices } from "./contacts.ts";
import type { ContactOmemo, DeviceNotice, ListChange } from "./contacts.ts";
import { E2EEError } from "./e2ee.ts";
import type { E2EE, EncryptResult, GroupEncryptResult, PepItem, PepTransport, SkippedDevice } from "./e2ee.ts";
import { Kv, openDatabase, storageContext } from "./idb.ts";
import { CURRENT_ITEM, DEVICELIST_NODE, buildDeviceList } from "./omemo03-xml.ts";
import { Omemo03 } from "./omemo03.ts";
import type { DeviceInfo, EncryptOptions } from "./omemo03.ts";
import { PlaintextCache } from "./plaintexts.ts";
import type { CachedPlaintext } from "./plaintexts.ts";
import { SignalStore } from "./store.ts";
import { DAY_MS, HeartbeatCounter } from "./trust.ts";
import type { DeviceTrust, TrustAction } from "./trust.ts";

export { NOT_FOR_US, UNDECRYPTABLE, plainFromCache } from "./plaintexts.ts";
export type { EncryptedMessage, Plain } from "./plaintexts.ts";
import { NOT_FOR_US, UNDECRYPTABLE, plainFromCache, type EncryptedMessage, type Plain } from "./plaintexts.ts";

export interface SetupReport {
  readonly deviceId: number;
  /** Our account's device ids after publishing. */
  readonly devices: readonly number[];
}

export interface OmemoDeviceOptions {
  readonly jid: string;
  readonly transport: PepTransport;
  readonly indexedDB?: IDBFactory;
  /** Cross-tab lock; defaults to navigator.locks, or an in-page queue where there is none. */
  readonly lock?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  readonly preKeyTarget?: number;
  /** Delay before republishing the bundle after pre keys were used (several may go at once). */
  readonly republishDelayMs?: number;
  readonly onError?: (message: string) => void;
  /** HEARTBEAT_THRESHOLD messages came from a device of `jid` without us sending to it: send a key transport. */
  readonly onHeartbeatDue?: (jid: string) => void;
  /** How often the signed pre key age is checked while open (default: once a day). */
  readonly maintenanceIntervalMs?: number;
  /** The stored OMEMO state of an account changed (in use, only verified, devices, notices). */
  readonly onContactChange?: (contact: ContactOmemo) => void;
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` while holding the named lock: navigator.locks across tabs, else a queue within this page. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === "undefined" ? undefined : (navigator as Partial<Navigator>).locks;
  if (locks) return locks.request(name, () => fn()) as Promise<T>;
  const prev = queues.get(name) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(name, tail);
  void tail.then(() => {
    if (queues.get(name) === tail) queues.delete(name);
  });
  return run;
}

export class OmemoDevice {
  readonly #opts: OmemoDeviceOptions;
  readonly #lockName: string;
  readonly engine: E2EE;
  readonly #engine: Omemo03;
  readonly cache: PlaintextCache;
  readonly #kv: Kv;
  #republishTimer: ReturnType<typeof setTimeout> | null = null;
  #lastListRepair = 0;
  #closed = false;
  #maintenanceTimer: ReturnType<typeof setInterval> | null = null;
  readonly #store: SignalStore;
  readonly #contacts: ContactBook;
  /** Device-list observations, one at a time (each compares with what the previous one stored). */
  #listChain: Promise<void> = Promise.resolve();
  /** Tells the other tabs of this storage context that a record changed: they read it again. */
  readonly #channel: BroadcastChannel | null;

  private constructor(opts: OmemoDeviceOptions, kv: Kv) {
    this.#opts = opts;
    this.#kv = kv;
    this.#lockName = storageContext(opts.jid);
    this.#store = new SignalStore(kv);
    const lock = opts.lock ?? withLock;
    this.#contacts = new ContactBook(kv, (fn) => lock(`${this.#lockName} contacts`, fn));
    this.#engine = new Omemo03({
      ownJid: opts.jid,
      store: this.#store,
      transport: opts.transport,
      preKeyTarget: opts.preKeyTarget,
      onDeviceList: (jid, ids) => this.#onDeviceList(jid, ids),
      onIdentityRecorded: (record, previous) => {
        if (this.#closed) return;
        if (previous === undefined) {
          // A new device's key, first seen after its notice was made: the notice gets its fingerprint.
          this.#updateContact(record.jid, (c) => withFingerprint(c, record)).catch(() => undefined);
          return;
        }
        const { jid, deviceId, fingerprint, trust } = record;
        this.#addNotices(jid, [newNotice(jid, "key-changed", deviceId, fingerprint, trust, Date.now())]);
      },
    });
    this.engine = this.#engine;
    this.cache = new PlaintextCache(kv);
    this.#channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(`${this.#lockName} contacts`);
    if (this.#channel) {
      this.#channel.onmessage = (ev: MessageEvent<unknown>) => {
        if (typeof ev.data === "string") this.#reread(ev.data);
      };
      // Node (tests): the channel must not keep the process alive.
      (this.#channel as { unref?: () => void }).unref?.();
    }
  }

  static async open(opts: OmemoDeviceOptions): Promise<OmemoDevice> {
    if (typeof crypto === "undefined" || !("subtle" in crypto) || crypto.subtle === undefined) {
      throw new E2EEError("OMEMO needs WebCrypto (a secure context: https or 127.0.0.1).");
    }
    let db: IDBDatabase;
    try {
      db = await openDatabase(storageContext(opts.jid), opts.indexedDB ?? indexedDB);
    } catch (err) {
      throw new E2EEError(`OMEMO needs IndexedDB (${err instanceof Error ? err.message : String(err)}).`);
    }
    return new OmemoDevice(opts, new Kv(db));
  }

  get deviceId(): number | null {
    return this.#engine.deviceId;
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return (this.#opts.lock ?? withLock)(this.#lockName, fn);
  }

  /** Startup: our device exists (made once), our id is in our device list, list and bundle are published. */
  async setup(): Promise<SetupReport> {
    const deviceId = await this.#locked(async () => {
      const id = await this.#engine.ensureDevice();
      await this.#engine.refillPreKeys();
      await this.#engine.rotateSignedPreKey();
      return id;
    });
    this.#startMaintenance();
    // Only "no list yet" counts as empty: publishing after any other failure could drop our other devices.
    const current = await this.#engine.devices(this.#opts.jid, true);
    const devices = await this.#publish(current);
    return { deviceId, devices };
  }

  /** Once a day while open: rotate the signed pre key when it is due, and republish the bundle then. */
  #startMaintenance(): void {
    if (this.#maintenanceTimer !== null || this.#closed) return;
    const timer = setInterval(() => void this.maintain(), this.#opts.maintenanceIntervalMs ?? DAY_MS);
    // Node (tests): the timer must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
    this.#maintenanceTimer = timer;
  }

  /** Rotates the signed pre key if due; true when a new bundle was published. */
  async maintain(): Promise<boolean> {
    try {
      const pub = await this.#locked(async () =>
        (await this.#engine.rotateSignedPreKey()) ? this.#engine.publication([]) : null,
      );
      if (pub === null) return false;
      await this.#opts.transport.publish(pub.bundleNode, pub.itemId, pub.bundle);
      return true;
    } catch (err) {
      this.#report(err);
      return false;
    }
  }

  // ---- trust and devices -----------------------------------------------------------------------------------

  trustRecords(jid: string): Promise<DeviceTrust[]> {
    return this.#engine.trustRecords(jid);
  }

  async setTrust(jid: string, deviceId: number, action: TrustAction): Promise<DeviceTrust> {
    const record = await this.#engine.setTrust(jid, deviceId, action);
    // A verification means OMEMO is in use with that account.
    if (action === "verify") await this.markInUse(jid, Date.now());
    return record;
  }

  // ---- per-account OMEMO state (contacts.ts) ----------------------------------------------------------------

  /** Every stored record (read once when the app opens the device). */
  contactStates(): Promise<ContactOmemo[]> {
    return this.#contacts.all();
  }

  /** Also reports a record this call left unchanged: another tab may have changed it since this one read it. */
  async #updateContact(jid: string, fn: (c: ContactOmemo) => ContactOmemo): Promise<ContactOmemo> {
    const { record, changed } = await this.#contacts.update(jid, fn);
    if (changed) this.#channel?.postMessage(jid);
    this.#opts.onContactChange?.(record);
    return record;
  }

  /** Another tab changed the record of `jid` (a notice it made, a flag it set). */
  #reread(jid: string): void {
    if (this.#closed) return;
    this.#contacts.get(jid).then(
      (record) => this.#opts.onContactChange?.(record),
      () => undefined,
    );
  }

  /** An encrypted message was sent to or received from `jid` at `ts` (or it was verified). */
  markInUse(jid: string, ts: number): Promise<ContactOmemo> {
    return this.#updateContact(jid, (c) => withInUse(c, ts));
  }

  setOnlyVerified(jid: string, on: boolean): Promise<ContactOmemo> {
    return this.#updateContact(jid, (c) => (c.onlyVerified === on ? c : { ...c, onlyVerified: on }));
  }

  #addNotices(jid: string, notices: readonly DeviceNotice[]): void {
    if (this.#closed || notices.length === 0) return;
    this.#updateContact(jid, (c) => withNotices(c, notices)).catch((err: unknown) => this.#report(err));
  }

  /** Every device list fetched or notified: recorded, compared with the last one, notices for the differences. */
  #onDeviceList(jid: string, ids: readonly number[]): void {
    if (this.#closed) return;
    this.#listChain = this.#listChain
      .then(() => this.#observeList(jid, ids))
      .catch((err: unknown) => {
        if (!this.#closed) this.#report(err);
      });
  }

  async #observeList(jid: string, ids: readonly number[]): Promise<void> {
    const self = jid === this.#opts.jid ? this.#engine.deviceId : null;
    const seen: { change?: ListChange } = {};
    await this.#updateContact(jid, (c) => {
      const change = withDeviceList(c, ids, Date.now(), self);
      seen.change = change;
      return change.next;
    });
    const change = seen.change;
    if (!change || (change.added.length === 0 && change.removed.length === 0)) return;
    const now = Date.now();
    // The new devices' keys (bundles fetched, trust recorded: untrusted when the account has a verified device).
    // A bundle that is not there yet is not held against the device; its notice gets the key once it is read.
    const infos =
      change.added.length > 0 ? await this.#engine.describeDevices(jid, change.added, true).catch(() => []) : [];
    const records = change.removed.length > 0 ? await this.#engine.trustRecords(jid) : [];
    const notices = [
      ...change.added.map((id) => {
        const info = infos.find((i) => i.deviceId === id);
        return newNotice(jid, "added", id, info?.fingerprint ?? null, info?.trust ?? null, now);
      }),
      ...change.removed.map((id) => {
        const record = records.find((r) => r.deviceId === id);
        return newNotice(jid, "removed", id, record?.fingerprint ?? null, record?.trust ?? null, now);
      }),
    ];
    this.#addNotices(jid, notices);
  }

  /** The devices of `jid` with fingerprints and trust (unknown keys are fetched and recorded). */
  async describeDevices(jid: string, refresh = false): Promise<DeviceInfo[]> {
    const ids = await this.#engine.devices(jid, refresh);
    return this.#engine.describeDevices(jid, ids);
  }

  /** Publishes our device list without `deviceId` (another device of ours; never this one). */
  async removeOwnDevice(deviceId: number): Promise<readonly number[]> {
    const me = await this.#engine.ensureDevice();
    if (deviceId === me) throw new E2EEError("This browser's own device cannot be removed here.");
    const current = await this.#engine.devices(this.#opts.jid, true);
    const next = [...current.filter((id) => id !== deviceId && id !== me), me];
    const payload = buildDeviceList(next);
    await this.#opts.transport.publish(DEVICELIST_NODE, CURRENT_ITEM, payload);
    this.#engine.onPepEvent(this.#opts.jid, DEVICELIST_NODE, [{ id: CURRENT_ITEM, payload }]);
    return next;
  }

  /** Read again each time (inside the lock): other tabs count too. */
  async #counter(): Promise<HeartbeatCounter> {
    return new HeartbeatCounter(await this.#store.loadHeartbeats());
  }

  /** Inside the lock: we sent to these devices. */
  async #sentTo(recipients: EncryptResult["recipients"]): Promise<void> {
    const counter = await this.#counter();
    counter.sent(recipients);
    await this.#store.saveHeartbeats(counter.toJSON());
  }

  async #publish(current: readonly number[]): Promise<readonly number[]> {
    const pub = await this.#locked(() => this.#engine.publication(current));
    const t = this.#opts.transport;
    // The bundle first: whoever sees the new list can then build a session right away.
    await t.publish(pub.bundleNode, pub.itemId, pub.bundle);
    if (pub.deviceList === null) return current;
    await t.publish(pub.deviceListNode, pub.itemId, pub.deviceList);
    const id = this.#engine.deviceId;
    const devices = id === null ? current : [...current, id];
    this.#engine.onPepEvent(this.#opts.jid, pub.deviceListNode, [{ id: pub.itemId, payload: pub.deviceList }]);
    return devices;
  }

  devices(jid: string, refresh = false): Promise<readonly number[]> {
    return this.#engine.devices(jid, refresh);
  }

  knownDevices(jid: string): readonly number[] | null {
    return this.#engine.knownDevices(jid);
  }

  /** A PEP notification. Our own list without our device (another client overwrote it): add us back. */
  onPepEvent(jid: string, node: string, items: readonly PepItem[]): readonly number[] | null {
    const ids = this.#engine.onPepEvent(jid, node, items);
    const me = this.#engine.deviceId;
    if (ids !== null && jid === this.#opts.jid && me !== null && !ids.includes(me)) {
      const now = Date.now();
      if (now - this.#lastListRepair > 10_000) {
        this.#lastListRepair = now;
        this.#publish(ids).catch((err: unknown) => this.#report(err));
      }
    }
    return ids;
  }

  /**
   * Encrypts `text` for `to` (and our other devices) and remembers it: this device cannot decrypt its own.
   * "Only verified devices" is read from the store each time (another tab may just have turned it on).
   */
  async encrypt(to: string, text: string, options: EncryptOptions = {}): Promise<EncryptResult> {
    const stored = await this.#contacts.get(to);
    this.#opts.onContactChange?.(stored);
    const onlyVerified = options.onlyVerified === true || stored.onlyVerified;
    return this.#locked(async () => {
      const result = await this.#engine.encrypt(to, this.#opts.jid, text, { onlyVerified });
      await this.cache.putSent(result.ref, text);
      await this.#sentTo(result.recipients);
      return result;
    });
  }

  /** One message for the devices of every member of group chat `room` (see E2EE.encryptGroup). */
  async encryptGroup(room: string, members: readonly string[], text: string): Promise<GroupEncryptResult> {
    const onlyVerified = (await this.#contacts.get(room)).onlyVerified;
    return this.#locked(async () => {
      const result = await this.#engine.encryptGroup(members, this.#opts.jid, text, { onlyVerified });
      await this.cache.putSent(result.ref, text);
      await this.#sentTo(result.recipients);
      return result;
    });
  }

  /** Sends nothing: builds a key-transport element (e.g. to complete or heal sessions). */
  async keyTransport(to: string): Promise<EncryptResult> {
    return this.#locked(async () => {
      const result = await this.#engine.encrypt(to, this.#opts.jid, null);
      // Its echo is then known here as a key-transport message (hidden), not as one without our key.
      await this.cache.putSent(result.ref, "");
      await this.#sentTo(result.recipients);
      return result;
    });
  }

  /** Stores the text of a message we sent, under the key the object gave the echo. */
  async rememberSent(messageKey: string, text: string): Promise<void> {
    await this.cache.put(messageKey, text);
  }

  #notForUs(xml: string): boolean {
    const me = this.#engine.deviceId;
    return me !== null && !this.#engine.recipients(xml).includes(me);
  }

  /** The cached outcomes of many messages in one read (reopening a chat); undefined where never processed. */
  async cachedMany(messages: readonly EncryptedMessage[]): Promise<(Plain | undefined)[]> {
    const values = await this.cache.getMany(messages.map((m) => m.key));
    return values.map((value, i) => {
      const message = messages[i];
      if (value === undefined || !message) return undefined;
      return this.#withSender(plainFromCache(value, value === false && this.#notForUs(message.xml)), message.xml);
    });
  }

  /** The cached outcome for a message, without taking the lock; undefined when it was never processed. */
  async cached(message: EncryptedMessage): Promise<Plain | undefined> {
    const value = await this.cache.get(message.key);
    return value === undefined
      ? undefined
      : this.#withSender(plainFromCache(value, value === false && this.#notForUs(message.xml)), message.xml);
  }

  #withSender(plain: Plain, xml: string): Plain {
    if (plain.kind === "hidden") return plain;
    const sender = this.#engine.messageRef(xml)?.sender;
    return sender === undefined ? plain : { ...plain, sender };
  }

  /**
   * Decrypts one message at most once across all tabs: inside the lock, the cache is read again (another tab
   * may have done it) and the result is stored before the lock is released.
   */
  async decrypt(message: EncryptedMessage): Promise<Plain> {
    let usedPreKey = false;
    let heartbeatDue = false;
    const plain = await this.#locked(async (): Promise<Plain> => {
      const cached = await this.cache.get(message.key);
      if (cached !== undefined) return plainFromCache(cached, cached === false && this.#notForUs(message.xml));
      const ref = this.#engine.messageRef(message.xml);
      const me = await this.#engine.ensureDevice();
      if (ref && ref.sender === me) {
        // Sent from this browser (an echo seen by another tab, or history): never decryptable here.
        const sent = await this.cache.getSent(ref.ref);
        if (sent !== undefined) {
          await this.cache.put(message.key, sent);
          return plainFromCache(sent);
        }
      }
      const outcome = await this.#engine.decrypt({ from: message.from, xml: message.xml });
      usedPreKey = outcome.usedPreKey;
      const r = outcome.result;
      if (outcome.sender && !(outcome.sender.jid === this.#opts.jid && outcome.sender.deviceId === me)) {
        const counter = await this.#counter();
        heartbeatDue = counter.received(outcome.sender.jid, outcome.sender.deviceId);
        await this.#store.saveHeartbeats(counter.toJSON());
      }
      const value: CachedPlaintext = r.kind === "text" ? r.text : r.kind === "key-transport" ? "" : false;
      await this.cache.put(message.key, value);
      if (r.kind === "text" || r.kind === "key-transport") return plainFromCache(value);
      if (r.kind === "not-for-us") return { kind: "failed", reason: NOT_FOR_US };
      return { kind: "failed", reason: `${UNDECRYPTABLE} (${r.reason})` };
    });
    if (usedPreKey) this.#scheduleRepublish();
    if (heartbeatDue) this.#opts.onHeartbeatDue?.(message.from);
    return this.#withSender(plain, message.xml);
  }

  #scheduleRepublish(): void {
    if (this.#republishTimer !== null || this.#closed) return;
    this.#republishTimer = setTimeout(() => {
      this.#republishTimer = null;
      void this.#refillAndRepublish();
    }, this.#opts.republishDelayMs ?? 1_000);
  }

  async #refillAndRepublish(): Promise<void> {
    try {
      const pub = await this.#locked(async () => {
        await this.#engine.refillPreKeys();
        return this.#engine.publication([]);
      });
      await this.#opts.transport.publish(pub.bundleNode, pub.itemId, pub.bundle);
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.#opts.onError) this.#opts.onError(message);
    else console.warn("parley: OMEMO", message);
  }

  close(): void {
    this.#closed = true;
    if (this.#republishTimer !== null) clearTimeout(this.#republishTimer);
    this.#republishTimer = null;
    if (this.#maintenanceTimer !== null) clearInterval(this.#maintenanceTimer);
    this.#maintenanceTimer = null;
    this.#channel?.close();
    this.#kv.close();
  }
}

export type { ContactOmemo, DeviceInfo, DeviceNotice, DeviceTrust, EncryptResult, SkippedDevice, TrustAction };

/** The lazily loaded entry point. */
export function openOmemoDevice(opts: OmemoDeviceOptions): Promise<OmemoDevice> {
  return OmemoDevice.open(opts);
}
