// End-to-end encryption as the app sees it: PEP over the object socket (pep-socket.ts), the lazily loaded OMEMO
// device (web/src/crypto, which pulls in libsignal), in-order decryption of incoming messages through the plaintext
// cache, the per-conversation "Encrypt (OMEMO)" decision (omemo-policy.ts, encrypt-choices.ts), encrypted sending,
// and the stored per-contact state: "OMEMO in use", "Only verified devices" and device-change notices. No DOM.
import type { ClientFrame, RosterEntry, SearchCursor, ServerFrame, Subscription } from "../../../src/protocol/index.ts";
import type { ContactOmemo, DeviceNotice } from "../crypto/contacts.ts";
import type { DeviceInfo, OmemoDevice, TrustAction } from "../crypto/device.ts";
import { E2EEError, PepError } from "../crypto/e2ee.ts";
import type { PepItem, PepTransport, SkippedDevice } from "../crypto/e2ee.ts";
import type { Trust } from "../crypto/trust.ts";
import type { LocalPage } from "../features/search/local.ts";
import { Decryptor, type PlainView } from "./decryptor.ts";
import { EncryptChoices } from "./encrypt-choices.ts";
import { newRequestId } from "./ids.ts";
import { PepSocket } from "./pep-socket.ts";
import { composerState, encryptChoice } from "./omemo-policy.ts";
import type { ComposerCrypto, E2EEStatus, PeerDevices } from "./omemo-policy.ts";

export type { PlainView };

export type { ComposerCrypto, DeviceInfo, DeviceNotice, E2EEStatus, PeerDevices, TrustAction };

/** Who encrypted a message, for its indicator. */
export interface MessageSecurity {
  readonly deviceId: number;
  /** Null while not known (e.g. the record is still being read). */
  readonly trust: Trust | null;
  /** Sent from this browser. */
  readonly self: boolean;
}

const UNKNOWN: PeerDevices = { devices: null, loading: false, error: null, transient: false };

function knownDevices(devices: readonly number[]): PeerDevices {
  return { devices, loading: false, error: null, transient: false };
}

function fetchFailed(devices: readonly number[] | null, err: unknown): PeerDevices {
  const condition = err instanceof E2EEError || err instanceof PepError ? err.condition : undefined;
  const transient = condition === "timeout" || condition === "not-connected";
  return { devices, loading: false, error: message(err), transient };
}

/** A reply (XEP-0461: the quote is inside the encrypted body) or a correction (XEP-0308) of an encrypted message. */
export interface EncryptedExtra {
  readonly replyTo?: { readonly key: string; readonly quoteLength: number };
  readonly replace?: string;
}

export type EncryptedSend =
  | { readonly ok: true; readonly requestId: string; readonly skipped: readonly SkippedDevice[] }
  /** `offerPlain`: the user may send this one message unencrypted instead ("Send unencrypted"). */
  | { readonly ok: false; readonly error: string; readonly offerPlain: boolean };

/** Subscriptions under which the contact's presence reaches us: their presence-model PEP nodes are readable. */
function readsPresence(subscription: Subscription): boolean {
  return subscription === "to" || subscription === "both";
}

type DeviceModule = typeof import("../crypto/device.ts");

export interface E2EEServiceOptions {
  readonly jid: string;
  send(frame: ClientFrame): boolean;
  /** Something shown changed (a decrypted message, a device list, the status). */
  onChange(): void;
  /** A background failure worth telling the user about. */
  onError?(message: string): void;
  load?: () => Promise<DeviceModule>;
  storage?: Pick<Storage, "getItem" | "setItem"> | null;
  requestTimeoutMs?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class E2EEService {
  readonly #opts: E2EEServiceOptions;
  readonly #pep: PepSocket;
  readonly #decryptor: Decryptor;
  readonly #peers = new Map<string, PeerDevices>();
  readonly #choices: EncryptChoices;
  /** Trust of the devices of each account, as last read from the device's records. */
  readonly #trust = new Map<string, ReadonlyMap<number, Trust>>();
  readonly #trustReads = new Set<string>();
  readonly #heartbeats = new Set<string>();
  /** The stored OMEMO state of each account (contacts.ts), read when the device opens, then kept in step. */
  readonly #contacts = new Map<string, ContactOmemo>();
  /** Roster subscriptions as last seen, to notice when a contact's presence-model nodes become readable. */
  readonly #subscriptions = new Map<string, Subscription>();
  #device: Promise<OmemoDevice> | null = null;
  #status: E2EEStatus = "off";
  #deviceId: number | null = null;
  #statusReason = "";
  #setup: "idle" | "running" | "done" = "idle";
  #version = 0;
  #destroyed = false;

  readonly transport: PepTransport;

  constructor(opts: E2EEServiceOptions) {
    this.#opts = opts;
    this.#pep = new PepSocket((frame) => !this.#destroyed && opts.send(frame), opts.requestTimeoutMs);
    this.transport = this.#pep.transport;
    this.#choices = new EncryptChoices(opts.jid, opts.storage);
    this.#decryptor = new Decryptor({
      jid: opts.jid,
      device: () => this.#loadDevice(),
      deviceId: () => this.#deviceId,
      markInUse: (peer, ts) => this.#markInUse(peer, ts),
      readTrust: (jid) => this.#readTrust(jid, true),
      destroyed: () => this.#destroyed,
      changed: () => this.#changed(),
      changedSoon: () => this.#changedSoon(),
      changedNow: () => this.#changedNow(),
    });
  }

  /** Bumped on every visible change, so views can skip work. */
  get version(): number {
    return this.#version;
  }

  get status(): E2EEStatus {
    return this.#status;
  }

  /** This browser's OMEMO device id, once set up. */
  get deviceId(): number | null {
    return this.#deviceId;
  }

  #changed(): void {
    this.#version++;
    if (!this.#destroyed) this.#opts.onChange();
  }

  #changeTimer: ReturnType<typeof setTimeout> | null = null;

  /** While decrypting a run of messages, re-render at most every 50 ms rather than once per message. */
  #changedSoon(): void {
    this.#version++;
    this.#changeTimer ??= setTimeout(() => this.#changedNow(), 50);
  }

  #changedNow(): void {
    if (this.#changeTimer !== null) clearTimeout(this.#changeTimer);
    this.#changeTimer = null;
    this.#changed();
  }

  /**
   * Sees every frame before the store does. True when the frame was an answer to one of our PEP requests (the
   * app then ignores it); messages, history pages and device-list notifications are observed and passed on.
   */
  handleFrame(frame: ServerFrame): boolean {
    switch (frame.type) {
      case "pep.items":
        return this.#pep.settle(frame.requestId, { items: frame.items });
      case "ack":
        if (frame.key !== undefined && this.#decryptor.isSending(frame.requestId)) {
          this.#decryptor.sentAs(frame.requestId, frame.key); // an encrypted correction went out
          return false;
        }
        return this.#pep.settle(frame.requestId, { items: [] });
      case "error":
        return frame.requestId !== undefined && this.#pep.settle(frame.requestId, { error: frame.message });
      case "pep.event":
        this.#onPepEvent(frame.jid, frame.node, frame.items);
        return true;
      case "message":
        this.#decryptor.observe([frame.message], frame.requestId);
        return false;
      case "history":
        this.#decryptor.observe(frame.messages);
        return false;
      case "message.update":
        this.#decryptor.observe([frame.message]);
        return false;
      case "snapshot":
        this.#onRoster(frame.roster, true);
        this.start();
        return false;
      case "roster":
        this.#onRoster(frame.items, false);
        return false;
      default:
        return false;
    }
  }

  // ---- the device ------------------------------------------------------------------------------------------

  #loadDevice(): Promise<OmemoDevice> {
    if (this.#device) return this.#device;
    this.#status = "starting";
    const load = this.#opts.load ?? (() => import("../crypto/device.ts"));
    this.#device = load()
      .then(async (m) => {
        const device = await m.openOmemoDevice({
          jid: this.#opts.jid,
          transport: this.transport,
          onError: (text) => this.#opts.onError?.(`Encryption: ${text}`),
          onHeartbeatDue: (jid) => this.#sendHeartbeat(jid),
          onContactChange: (contact) => this.#setContact(contact),
        });
        // Before any decision: "OMEMO in use" must be known before the first message can go out.
        for (const c of await device.contactStates()) this.#mergeContact(c);
        return device;
      })
      .catch((err: unknown) => {
        this.#status = "unavailable";
        this.#statusReason = message(err);
        this.#changed();
        throw err;
      });
    return this.#device;
  }

  /** Starts loading the crypto module and the device store early; failures surface on first use. */
  warmUp(): void {
    this.#loadDevice().catch(() => undefined);
  }

  /** After each snapshot: make sure our device exists and is published (retried until it worked once). */
  start(): void {
    if (this.#setup !== "idle" || this.#destroyed) return;
    this.#setup = "running";
    void this.#loadDevice()
      .then(async (device) => {
        const report = await device.setup();
        this.#deviceId = report.deviceId;
        this.#peers.set(this.#opts.jid, knownDevices(report.devices));
        this.#setup = "done";
        this.#status = "ready";
        this.#changed();
        for (const [jid, peer] of this.#peers) if (peer.devices === null && !peer.loading) this.fetchDevices(jid);
      })
      .catch((err: unknown) => {
        this.#setup = "idle";
        if (this.#status !== "unavailable") {
          // The device works locally (decryption does), but others may not find it yet.
          this.#status = "ready";
          this.#opts.onError?.(`Encryption: publishing this browser's OMEMO device failed (${message(err)}).`);
        }
        this.#changed();
      });
  }

  // ---- device lists ----------------------------------------------------------------------------------------

  peer(jid: string): PeerDevices {
    return this.#peers.get(jid) ?? UNKNOWN;
  }

  #setPeer(jid: string, peer: PeerDevices): void {
    this.#peers.set(jid, peer);
    this.#changed();
  }

  /** Fetches a contact's device list (opening a chat does this), and the trust of its devices. */
  fetchDevices(jid: string): void {
    const prev = this.peer(jid);
    if (prev.loading) return;
    this.#readTrust(jid, true);
    this.#setPeer(jid, { ...prev, loading: true, error: null, transient: false });
    void this.#loadDevice()
      .then((device) => device.devices(jid, true))
      .then(
        (devices) => this.#setPeer(jid, knownDevices(devices)),
        (err: unknown) => this.#setPeer(jid, fetchFailed(prev.devices, err)),
      );
  }

  /** Resolves once the device list of `jid` is known, or could not be had. */
  async #devicesOf(jid: string): Promise<PeerDevices> {
    const known = this.peer(jid);
    if (known.devices !== null && !known.loading) return known;
    try {
      const device = await this.#loadDevice();
      this.#setPeer(jid, knownDevices(await device.devices(jid, known.devices === null)));
    } catch (err) {
      this.#setPeer(jid, fetchFailed(known.devices, err));
    }
    return this.peer(jid);
  }

  #onPepEvent(jid: string, node: string, items: readonly PepItem[]): void {
    void this.#loadDevice()
      .then((device) => {
        const ids = device.onPepEvent(jid, node, items);
        if (ids !== null) this.#setPeer(jid, knownDevices(ids));
      })
      .catch(() => undefined);
  }

  // ---- trust and the devices panel -------------------------------------------------------------------------

  /** The sending device of an encrypted message and its trust; null when not known (yet). */
  security(key: string, peer: string, direction: "in" | "out"): MessageSecurity | null {
    const plain = this.#decryptor.plaintext(key);
    if (!plain || (plain.kind !== "text" && plain.kind !== "failed")) return null;
    const sender = plain.sender ?? (direction === "out" && plain.kind === "text" ? this.#deviceId : null);
    if (sender === undefined || sender === null) return null;
    const jid = direction === "in" ? peer : this.#opts.jid;
    const self = direction === "out" && sender === this.#deviceId;
    const trust = self ? "verified" : (this.#trust.get(jid)?.get(sender) ?? null);
    if (trust === null && !self) this.#readTrust(jid);
    return { deviceId: sender, trust, self };
  }

  #readTrust(jid: string, force = false): void {
    if (this.#trustReads.has(jid) || (!force && this.#trust.has(jid))) return;
    this.#trustReads.add(jid);
    void this.#loadDevice()
      .then((d) => d.trustRecords(jid))
      .then(
        (records) => {
          this.#trustReads.delete(jid);
          this.#trust.set(jid, new Map(records.map((r) => [r.deviceId, r.trust])));
          this.#changed();
        },
        () => this.#trustReads.delete(jid),
      );
  }

  /** Devices of `jid` (own account included) with fingerprints and trust, for the devices panel. */
  async describeDevices(jid: string, refresh = false): Promise<DeviceInfo[]> {
    const device = await this.#loadDevice();
    const infos = await device.describeDevices(jid, refresh);
    const trust = new Map(this.#trust.get(jid));
    for (const i of infos) if (i.trust !== null && !i.self) trust.set(i.deviceId, i.trust);
    this.#trust.set(jid, trust);
    const ids = device.knownDevices(jid);
    if (ids) this.#peers.set(jid, knownDevices(ids));
    this.#changed();
    return infos;
  }

  async setTrust(jid: string, deviceId: number, action: TrustAction): Promise<void> {
    const device = await this.#loadDevice();
    const record = await device.setTrust(jid, deviceId, action);
    this.#trust.set(jid, new Map(this.#trust.get(jid)).set(deviceId, record.trust));
    this.#changed();
  }

  /** Removes another device of ours from our device list (publishes the list without it). */
  async removeOwnDevice(deviceId: number): Promise<void> {
    const device = await this.#loadDevice();
    const ids = await device.removeOwnDevice(deviceId);
    this.#setPeer(this.#opts.jid, knownDevices(ids));
  }

  /** An empty key-transport message, so the sender's ratchet advances (see HeartbeatCounter). */
  #sendHeartbeat(jid: string): void {
    if (this.#heartbeats.has(jid) || this.#destroyed) return;
    this.#heartbeats.add(jid);
    void this.#loadDevice()
      .then((d) => d.keyTransport(jid))
      .then((result) => {
        this.#opts.send({
          type: "message.send-encrypted",
          requestId: newRequestId(),
          to: jid,
          encrypted: result.xml,
        });
      })
      .catch(() => undefined)
      .finally(() => this.#heartbeats.delete(jid));
  }

  // ---- the per-conversation choice -------------------------------------------------------------------------

  setEncrypt(peer: string, on: boolean): void {
    this.#choices.set(peer, on);
    this.#changed();
  }

  composer(peer: string): ComposerCrypto {
    return composerState(this.#policy(peer));
  }

  #policy(peer: string): Parameters<typeof composerState>[0] {
    return {
      peer,
      status: this.#status,
      statusReason: this.#statusReason,
      choice: this.#choices.get(peer),
      devices: this.peer(peer),
      inUse: this.omemoSince(peer) !== null,
      onlyVerified: this.onlyVerified(peer),
      trust: this.#trust.get(peer),
    };
  }

  /** The choice to apply to a message being sent now (waits for a device list that is still loading). */
  async encryptFor(peer: string): Promise<boolean> {
    const current = encryptChoice(this.#policy(peer));
    if (current !== null) return current;
    const { devices, transient } = await this.#devicesOf(peer);
    // The device (and with it "OMEMO in use") is loaded now.
    const decided = encryptChoice(this.#policy(peer));
    if (decided !== null) return decided;
    // Unknown because the server did not answer: try encrypting (which then fails visibly) rather than send clear.
    return devices === null ? transient : devices.length > 0;
  }

  // ---- the stored per-contact state (crypto/contacts.ts) ---------------------------------------------------

  /** A record from the store. "In use" is never taken back here (a write of ours may still be under way). */
  #mergeContact(contact: ContactOmemo): void {
    const mine = this.#contacts.get(contact.jid)?.inUseSince ?? null;
    const theirs = contact.inUseSince;
    const since = mine === null ? theirs : theirs === null ? mine : Math.min(mine, theirs);
    this.#contacts.set(contact.jid, since === theirs ? contact : { ...contact, inUseSince: since });
  }

  #setContact(contact: ContactOmemo): void {
    this.#mergeContact(contact);
    this.#changed();
  }

  /** Since when OMEMO is in use with `peer` (ms); null when never seen. */
  omemoSince(peer: string): number | null {
    return this.#contacts.get(peer)?.inUseSince ?? null;
  }

  /**
   * Encrypted message, sent or received: OMEMO is in use. Written once per contact (and again only for an
   * earlier message), so a history page does not mean fifty writes.
   */
  #markInUse(peer: string, ts: number): void {
    const since = this.omemoSince(peer);
    if (since !== null && since <= ts) return;
    const current = this.#contacts.get(peer);
    this.#contacts.set(peer, {
      jid: peer,
      onlyVerified: false,
      devices: null,
      notices: [],
      ...current,
      inUseSince: ts,
    });
    void this.#loadDevice()
      .then((d) => d.markInUse(peer, ts))
      .catch(() => undefined);
  }

  onlyVerified(peer: string): boolean {
    return this.#contacts.get(peer)?.onlyVerified ?? false;
  }

  /** "Only verified devices" for `peer`: kept in the device's store. */
  async setOnlyVerified(peer: string, on: boolean): Promise<void> {
    const device = await this.#loadDevice();
    this.#setContact(await device.setOnlyVerified(peer, on));
  }

  /**
   * Device changes to show in the conversation with `peer`, oldest first: the contact's, and (where OMEMO is in
   * use, since every encrypted message goes to them too) our own account's.
   */
  notices(peer: string): readonly DeviceNotice[] {
    const theirs = this.#contacts.get(peer)?.notices ?? [];
    const own = peer !== this.#opts.jid && this.omemoSince(peer) !== null ? this.#contacts.get(this.#opts.jid) : null;
    if (!own || own.notices.length === 0) return theirs;
    return [...theirs, ...own.notices].sort((a, b) => a.ts - b.ts);
  }

  /**
   * A contact's nodes with the "presence" access model (XEP-0060 §4.5; the server's default, used by Profanity
   * and others) become readable once their presence reaches us: fetch the device list again then (their +notify
   * event, XEP-0163 §4.3, may come too). `snapshot`: the whole roster (the first one only sets the baseline;
   * after a reconnect, changes made meanwhile count).
   */
  #onRoster(items: readonly RosterEntry[], snapshot: boolean): void {
    const baseline = snapshot && this.#subscriptions.size === 0;
    for (const item of items) {
      const before = this.#subscriptions.get(item.jid) ?? (baseline ? item.subscription : "none");
      this.#subscriptions.set(item.jid, item.subscription);
      if (readsPresence(before) || !readsPresence(item.subscription)) continue;
      if (this.#peers.has(item.jid) || this.#contacts.has(item.jid)) this.fetchDevices(item.jid);
    }
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  /**
   * Encrypts and sends; on any failure nothing is sent, and the user may choose to send this one message
   * unencrypted instead (never done here).
   */
  async sendEncrypted(peer: string, body: string, extra: EncryptedExtra = {}): Promise<EncryptedSend> {
    let device: OmemoDevice;
    try {
      device = await this.#loadDevice();
    } catch (err) {
      return { ok: false, error: `Not sent: encryption is not available (${message(err)}).`, offerPlain: true };
    }
    const known = this.peer(peer);
    if (known.devices === null || known.devices.length === 0) {
      // An empty or unreadable list may have been a passing state (not subscribed yet, a relay in the way): ask
      // once more before refusing.
      try {
        this.#setPeer(peer, knownDevices(await device.devices(peer, true)));
      } catch (err) {
        this.#setPeer(peer, fetchFailed(known.devices, err));
      }
    }
    let xml: string;
    let skipped: readonly SkippedDevice[];
    try {
      const result = await device.encrypt(peer, body, { onlyVerified: this.onlyVerified(peer) });
      xml = result.xml;
      skipped = result.skipped;
      const devices = device.knownDevices(peer);
      if (devices) this.#setPeer(peer, knownDevices(devices));
    } catch (err) {
      const why = err instanceof E2EEError ? err.message : `encryption failed (${message(err)})`;
      const held =
        this.omemoSince(peer) !== null
          ? " OMEMO was in use with this contact, so nothing is sent unencrypted unless you confirm it."
          : "";
      // Presence-model nodes (the server's default): readable once the contact shares their presence with us.
      const hint =
        err instanceof E2EEError && err.condition === "forbidden"
          ? ` Their devices may be visible to their contacts only: they become readable once ${peer} accepts your contact request.`
          : "";
      return { ok: false, error: `Not sent: ${why}${held}${hint}`, offerPlain: true };
    }
    const requestId = newRequestId();
    this.#decryptor.sending(requestId, body);
    if (!this.#opts.send({ type: "message.send-encrypted", requestId, to: peer, encrypted: xml, ...extra })) {
      this.#decryptor.forget(requestId);
      return {
        ok: false,
        error: "Not connected. Your message was not sent; try again in a moment.",
        offerPlain: false,
      };
    }
    this.#markInUse(peer, Date.now());
    return { ok: true, requestId, skipped };
  }

  /** The send failed (error frame or timeout): forget the pending text. */
  forgetSend(requestId: string): void {
    this.#decryptor.forget(requestId);
  }

  // ---- receiving (decryptor.ts) -----------------------------------------------------------------------------

  plaintext(key: string): PlainView | undefined {
    return this.#decryptor.plaintext(key);
  }

  /** Searches this device's plaintexts of encrypted messages (merged with the server's search.results). */
  searchPlaintexts(query: string, before?: SearchCursor): Promise<LocalPage> {
    return this.#decryptor.search(query, before);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#pep.close();
    void this.#device?.then((d) => d.close()).catch(() => undefined);
  }
}
