// End-to-end encryption as the app sees it: PEP over the object socket (pep-socket.ts), the lazily loaded OMEMO
// device (web/src/crypto, which pulls in libsignal), in-order decryption of incoming messages through the plaintext
// cache, the per-conversation "Encrypt (OMEMO)" decision (omemo-policy.ts, encrypt-choices.ts), encrypted sending,
// and the stored per-contact state: "OMEMO in use", "Only verified devices" and device-change notices. No DOM.
import type { ClientFrame, RosterEntry, SearchCursor, ServerFrame, Subscription } from "../../../src/protocol/index.ts";
import type { ContactOmemo, DeviceNotice } from "../crypto/contacts.ts";
import type { DeviceInfo, OmemoDevice, TrustAction } from "../crypto/device.ts";
import type { PepItem, PepTransport, SkippedDevice } from "../crypto/e2ee.ts";
import type { LocalPage } from "../features/search/local.ts";
import { ContactStates } from "./contact-omemo.ts";
import { TrustCache } from "./trust-cache.ts";
import { Decryptor, type PlainView } from "./decryptor.ts";
import { EncryptChoices } from "./encrypt-choices.ts";
import { GroupE2EE } from "./group-e2ee.ts";
import { newRequestId } from "./ids.ts";
import { PepSocket } from "./pep-socket.ts";
import { composerState, encryptChoice, encryptFailure, fetchFailed, knownDevices, UNKNOWN } from "./omemo-policy.ts";
import type { EncryptedExtra, EncryptedSend, MessageSecurity } from "./omemo-policy.ts";
import { errorMessage as message, readsPresence } from "./omemo-policy.ts";
import type { ComposerCrypto, E2EEStatus, PeerDevices } from "./omemo-policy.ts";

export type { PlainView };

export type { ComposerCrypto, DeviceInfo, DeviceNotice, E2EEStatus, PeerDevices, TrustAction };
export type { EncryptedExtra, EncryptedSend, MessageSecurity };

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

export class E2EEService {
  readonly #opts: E2EEServiceOptions;
  readonly #pep: PepSocket;
  readonly #decryptor: Decryptor;
  readonly #peers = new Map<string, PeerDevices>();
  readonly #choices: EncryptChoices;
  /** Trust of the devices of each account, as last read from the device's records. */
  readonly #trust: TrustCache;
  readonly #heartbeats = new Set<string>();
  /** The stored OMEMO state of each account (contacts.ts), read when the device opens, then kept in step. */
  readonly #contacts: ContactStates;
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
  /** OMEMO in group chats (group-e2ee.ts). */
  readonly groups: GroupE2EE;

  constructor(opts: E2EEServiceOptions) {
    this.#opts = opts;
    this.#pep = new PepSocket((frame) => !this.#destroyed && opts.send(frame), opts.requestTimeoutMs);
    this.transport = this.#pep.transport;
    this.#choices = new EncryptChoices(opts.jid, opts.storage);
    this.#contacts = new ContactStates(opts.jid, (peer, ts) => this.#persistInUse(peer, ts));
    this.#trust = new TrustCache(
      () => this.#loadDevice(),
      () => this.#changed(),
    );
    this.#decryptor = new Decryptor({
      jid: opts.jid,
      device: () => this.#loadDevice(),
      deviceId: () => this.#deviceId,
      markInUse: (peer, ts) => this.#contacts.markInUse(peer, ts),
      readTrust: (jid) => this.#trust.read(jid, true),
      destroyed: () => this.#destroyed,
      changed: () => this.#changed(),
      changedSoon: () => this.#changedSoon(),
      changedNow: () => this.#changedNow(),
    });
    this.groups = new GroupE2EE({
      jid: opts.jid,
      send: (frame) => !this.#destroyed && opts.send(frame),
      device: () => this.#loadDevice(),
      status: () => ({ status: this.#status, reason: this.#statusReason }),
      choices: this.#choices,
      omemoSince: (room) => this.omemoSince(room),
      sending: (requestId, body) => this.#decryptor.sending(requestId, body),
      forget: (requestId) => this.#decryptor.forget(requestId),
      markInUse: (room, ts) => this.#contacts.markInUse(room, ts),
      ...(opts.requestTimeoutMs !== undefined ? { timeoutMs: opts.requestTimeoutMs } : {}),
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
    if (this.groups.handleFrame(frame)) return true;
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
        for (const c of await device.contactStates()) this.#contacts.merge(c);
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
    this.#trust.read(jid, true);
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
    const trust = self ? "verified" : (this.#trust.of(jid)?.get(sender) ?? null);
    if (trust === null && !self) this.#trust.read(jid);
    return { deviceId: sender, trust, self };
  }

  /** Devices of `jid` (own account included) with fingerprints and trust, for the devices panel. */
  async describeDevices(jid: string, refresh = false): Promise<DeviceInfo[]> {
    const device = await this.#loadDevice();
    const infos = await device.describeDevices(jid, refresh);
    this.#trust.merge(jid, infos);
    const ids = device.knownDevices(jid);
    if (ids) this.#peers.set(jid, knownDevices(ids));
    this.#changed();
    return infos;
  }

  async setTrust(jid: string, deviceId: number, action: TrustAction): Promise<void> {
    const device = await this.#loadDevice();
    const record = await device.setTrust(jid, deviceId, action);
    this.#trust.set(jid, deviceId, record.trust);
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
      trust: this.#trust.of(peer),
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

  // ---- the stored per-contact state (crypto/contacts.ts, core/contact-omemo.ts) ----------------------------

  /**
   * Writes "OMEMO in use since" to the device's store. A failure is dropped: the device did not load (the status
   * says so) or IndexedDB refused the write; memory keeps it, and the next encrypted message writes again.
   */
  #persistInUse(peer: string, ts: number): void {
    void this.#loadDevice()
      .then((d) => d.markInUse(peer, ts))
      .catch(() => undefined);
  }

  #setContact(contact: ContactOmemo): void {
    this.#contacts.merge(contact);
    this.#changed();
  }

  /** Since when OMEMO is in use with `peer` (ms); null when never seen. */
  omemoSince(peer: string): number | null {
    return this.#contacts.omemoSince(peer);
  }

  onlyVerified(peer: string): boolean {
    return this.#contacts.onlyVerified(peer);
  }

  /** "Only verified devices" for `peer`: kept in the device's store. */
  async setOnlyVerified(peer: string, on: boolean): Promise<void> {
    const device = await this.#loadDevice();
    this.#setContact(await device.setOnlyVerified(peer, on));
  }

  /** Device changes to show in the conversation with `peer`, oldest first (ContactStates.notices). */
  notices(peer: string): readonly DeviceNotice[] {
    return this.#contacts.notices(peer);
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
      return { ok: false, error: encryptFailure(err, peer, this.omemoSince(peer) !== null), offerPlain: true };
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
    this.#contacts.markInUse(peer, Date.now());
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
    this.groups.close();
    void this.#device?.then((d) => d.close()).catch(() => undefined);
  }
}
