// OMEMO 0.3 (XEP-0384 v0.3, eu.siacs.conversations.axolotl) on libsignal-protocol-typescript: our device (identity,
// signed pre key, 100 one-time pre keys), device lists and bundles over PEP, sessions built from bundles, and the
// message format (AES-128-GCM payload, key || tag encrypted per device with the Signal double ratchet).
//
// Not thread-safe across tabs by itself: device.ts runs every state-changing call under a Web Lock.
import { SessionBuilder, SessionCipher, SignalProtocolAddress } from "@privacyresearch/libsignal-protocol-typescript";
import type { DeviceType } from "@privacyresearch/libsignal-protocol-typescript";
import { openPayload, packKeyMaterial, sealPayload, unpackKeyMaterial } from "./aead.ts";
import { binaryStringToBytes, exactBuffer, toBase64 } from "./bytes.ts";
import { E2EEError, PepError } from "./e2ee.ts";
import type {
  DecryptOutcome,
  DeviceRef,
  E2EE,
  EncryptResult,
  GroupEncryptResult,
  IncomingEncrypted,
  PepItem,
  Publication,
  SkippedDevice,
} from "./e2ee.ts";
import {
  CURRENT_ITEM,
  DEVICELIST_NODE,
  NS_OMEMO_03,
  buildBundle,
  buildEncrypted,
  buildDeviceList,
  bundleNode,
  encryptedHeader,
  parseBundle,
  parseDeviceList,
  parseEncrypted,
  pickItem,
} from "./omemo03-xml.ts";
import type { Bundle03, KeyElement } from "./omemo03-xml.ts";
import { OwnDevice, PREKEY_TARGET } from "./own-device.ts";
import type { SignalStore } from "./store.ts";
import { applyTrustAction, decideTrust, fingerprint, isTrusted } from "./trust.ts";
import type { DeviceTrust, TrustAction } from "./trust.ts";

/** PreKeyWhisperMessage (libsignal EncryptionResultMessageType). */
const PREKEY_MESSAGE = 3;

export { PREKEY_TARGET, randomDeviceId } from "./own-device.ts";
export type { DeviceInfo, EncryptOptions, Omemo03Options } from "./omemo03-options.ts";
import type { DeviceInfo, EncryptOptions, Omemo03Options } from "./omemo03-options.ts";

/** Why a device was left out when only verified devices are wanted. */
export const NOT_VERIFIED = "not verified";

function errorText(err: unknown): string {
  if (err instanceof PepError) return `PEP ${err.condition}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** libsignal's session address for one device of an account. */
export function addressOf(jid: string, deviceId: number): SignalProtocolAddress {
  return new SignalProtocolAddress(jid, deviceId);
}

export class Omemo03 implements E2EE {
  readonly namespace = NS_OMEMO_03;
  readonly #opts: Omemo03Options;
  readonly #store: SignalStore;
  readonly #lists = new Map<string, { ids: readonly number[]; at: number }>();
  readonly #listFetches = new Map<string, Promise<readonly number[]>>();
  readonly #badBundles = new Map<string, { reason: string; at: number }>();
  readonly #own: OwnDevice;

  constructor(opts: Omemo03Options) {
    this.#opts = opts;
    this.#store = opts.store;
    this.#own = new OwnDevice(opts.store, { preKeyTarget: opts.preKeyTarget ?? PREKEY_TARGET, now: () => this.#now() });
  }

  get deviceId(): number | null {
    return this.#store.meta?.deviceId ?? null;
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  // ---- our device (own-device.ts) -------------------------------------------------------------------------

  ensureDevice(): Promise<number> {
    return this.#own.ensure();
  }

  refillPreKeys(): Promise<boolean> {
    return this.#own.refillPreKeys();
  }

  bundle(): Promise<Bundle03> {
    return this.#own.bundle();
  }

  async publication(currentDevices: readonly number[]): Promise<Publication> {
    const id = await this.ensureDevice();
    return {
      deviceListNode: DEVICELIST_NODE,
      deviceList: currentDevices.includes(id) ? null : buildDeviceList([...currentDevices, id]),
      bundleNode: bundleNode(id),
      bundle: buildBundle(await this.bundle()),
      itemId: CURRENT_ITEM,
    };
  }

  /** Signed pre key rotation (OwnDevice.rotateSignedPreKey): true when the bundle must be republished. */
  rotateSignedPreKey(): Promise<boolean> {
    return this.#own.rotateSignedPreKey();
  }

  // ---- trust -----------------------------------------------------------------------------------------------

  /** The fingerprint of this device's identity key. */
  async ownFingerprint(): Promise<string> {
    await this.ensureDevice();
    const meta = this.#store.meta;
    if (!meta) throw new E2EEError("no OMEMO device");
    return fingerprint(new Uint8Array(meta.identityKeyPair.pubKey));
  }

  /** Records (first sight, or a changed key) and returns the trust of a device with identity key `identityKey`. */
  async observeIdentity(jid: string, deviceId: number, identityKey: Uint8Array): Promise<DeviceTrust> {
    const records = await this.#store.trustRecords(jid);
    const { record, changed } = decideTrust(records, jid, deviceId, fingerprint(identityKey));
    if (changed) {
      await this.#store.saveTrust(record);
      this.#opts.onIdentityRecorded?.(
        record,
        records.find((r) => r.deviceId === deviceId),
      );
    }
    return record;
  }

  trustRecords(jid: string): Promise<DeviceTrust[]> {
    return this.#store.trustRecords(jid);
  }

  async setTrust(jid: string, deviceId: number, action: TrustAction): Promise<DeviceTrust> {
    const record = (await this.#store.trustRecords(jid)).find((r) => r.deviceId === deviceId);
    if (!record) throw new E2EEError(`The key of device ${deviceId} of ${jid} is not known yet.`);
    const next = applyTrustAction(record, action);
    if (next !== record) await this.#store.saveTrust(next);
    return next;
  }

  /**
   * Fingerprint and trust of each device of `jid` (bundles of devices never seen are fetched and recorded).
   * `peek`: a bundle that cannot be had now is not remembered as bad (a device list may be announced before its
   * bundle is published).
   */
  async describeDevices(jid: string, ids: readonly number[], peek = false): Promise<DeviceInfo[]> {
    const me = await this.ensureDevice();
    const records = await this.#store.trustRecords(jid);
    const ownJid = this.#opts.ownJid;
    return Promise.all(
      ids.map(async (id): Promise<DeviceInfo> => {
        if (jid === ownJid && id === me) {
          return { jid, deviceId: id, fingerprint: await this.ownFingerprint(), trust: "verified", self: true };
        }
        const known = records.find((r) => r.deviceId === id);
        if (known) return { ...known, self: false };
        try {
          let key: Uint8Array | undefined;
          const stored = await this.#store.loadIdentity(addressOf(jid, id).toString());
          if (stored && (await this.#hasSession(jid, id))) key = new Uint8Array(stored);
          else key = (await this.#fetchBundle(jid, id, !peek)).identityKey;
          const record = await this.observeIdentity(jid, id, key);
          return { ...record, self: false };
        } catch (err) {
          return { jid, deviceId: id, fingerprint: null, trust: null, self: false, error: errorText(err) };
        }
      }),
    );
  }

  // ---- device lists ----------------------------------------------------------------------------------------

  knownDevices(jid: string): readonly number[] | null {
    return this.#lists.get(jid)?.ids ?? null;
  }

  devices(jid: string, refresh = false): Promise<readonly number[]> {
    const cached = this.#lists.get(jid);
    const maxAge = this.#opts.deviceListMaxAgeMs ?? 10 * 60_000;
    if (!refresh && cached && this.#now() - cached.at < maxAge) return Promise.resolve(cached.ids);
    const inflight = this.#listFetches.get(jid);
    if (inflight) return inflight;
    const fetching = this.#fetchDeviceList(jid).finally(() => this.#listFetches.delete(jid));
    this.#listFetches.set(jid, fetching);
    return fetching;
  }

  async #fetchDeviceList(jid: string): Promise<readonly number[]> {
    let items: readonly PepItem[];
    try {
      items = await this.#opts.transport.fetch(jid, DEVICELIST_NODE);
    } catch (err) {
      if (err instanceof PepError && err.condition === "item-not-found") {
        items = [];
      } else {
        const condition = err instanceof PepError ? err.condition : undefined;
        throw new E2EEError(`Cannot get the OMEMO devices of ${jid} (${errorText(err)}).`, condition);
      }
    }
    const ids = this.#parseListItems(items);
    this.#lists.set(jid, { ids, at: this.#now() });
    this.#opts.onDeviceList?.(jid, ids);
    return ids;
  }

  #parseListItems(items: readonly PepItem[]): readonly number[] {
    const item = pickItem(items);
    if (!item) return [];
    try {
      return parseDeviceList(item.payload);
    } catch {
      return [];
    }
  }

  onPepEvent(jid: string, node: string, items: readonly PepItem[]): readonly number[] | null {
    if (node !== DEVICELIST_NODE) return null;
    const ids = this.#parseListItems(items);
    this.#lists.set(jid, { ids, at: this.#now() });
    this.#opts.onDeviceList?.(jid, ids);
    return ids;
  }

  // ---- sessions --------------------------------------------------------------------------------------------

  async #hasSession(jid: string, id: number): Promise<boolean> {
    return new SessionCipher(this.#store, addressOf(jid, id)).hasOpenSession();
  }

  #badBundle(jid: string, id: number): string | null {
    const bad = this.#badBundles.get(`${jid}.${id}`);
    const retry = this.#opts.badBundleRetryMs ?? 10 * 60_000;
    return bad && this.#now() - bad.at < retry ? bad.reason : null;
  }

  #markBad(jid: string, id: number, err: unknown): E2EEError {
    const reason = `bundle: ${errorText(err)}`;
    this.#badBundles.set(`${jid}.${id}`, { reason, at: this.#now() });
    return new E2EEError(reason);
  }

  async #fetchBundle(jid: string, id: number, markBad = true): Promise<Bundle03> {
    const bad = this.#badBundle(jid, id);
    if (bad !== null) throw new E2EEError(bad);
    try {
      const item = pickItem(await this.#opts.transport.fetch(jid, bundleNode(id)));
      if (!item) throw new E2EEError("no bundle");
      return parseBundle(item.payload);
    } catch (err) {
      if (!markBad) throw new E2EEError(`bundle: ${errorText(err)}`);
      throw this.#markBad(jid, id, err);
    }
  }

  /** X3DH from the device's bundle, with one of its one-time pre keys chosen at random. */
  async #buildSession(jid: string, id: number, bundle: Bundle03): Promise<void> {
    try {
      const choice = new Uint32Array(1);
      crypto.getRandomValues(choice);
      const preKey = bundle.preKeys[(choice[0] ?? 0) % Math.max(1, bundle.preKeys.length)];
      const device: DeviceType = {
        identityKey: exactBuffer(bundle.identityKey),
        signedPreKey: {
          keyId: bundle.signedPreKeyId,
          publicKey: exactBuffer(bundle.signedPreKeyPublic),
          signature: exactBuffer(bundle.signedPreKeySignature),
        },
        registrationId: 0,
      };
      if (preKey) device.preKey = { keyId: preKey.id, publicKey: exactBuffer(preKey.publicKey) };
      await new SessionBuilder(this.#store, addressOf(jid, id)).processPreKey(device);
      this.#badBundles.delete(`${jid}.${id}`);
    } catch (err) {
      throw this.#markBad(jid, id, err);
    }
  }

  // ---- messages --------------------------------------------------------------------------------------------

  async encrypt(
    to: string,
    ownJid: string,
    plaintext: string | null,
    options: EncryptOptions = {},
  ): Promise<EncryptResult> {
    const peerIds = await this.devices(to);
    const me = await this.ensureDevice();
    if (!peerIds.some((id) => to !== ownJid || id !== me)) {
      throw new E2EEError(to === ownJid ? "You have no other OMEMO device." : `${to} has no OMEMO device.`);
    }
    const result = await this.#encryptFor([to], ownJid, plaintext, options);
    if (result.unreachable.length > 0) {
      const theirs = result.skipped.filter((s) => s.jid === to);
      if (options.onlyVerified && theirs.length > 0 && theirs.every((s) => s.reason === NOT_VERIFIED)) {
        throw new E2EEError(`"Only verified devices" is on and no OMEMO device of ${to} is verified.`);
      }
      const why = theirs.map((s) => `${s.id}: ${s.reason}`).join("; ");
      throw new E2EEError(`Could not encrypt for any OMEMO device of ${to} (${why}).`);
    }
    return result;
  }

  /**
   * One message for every device of every member of a group chat and our own other devices (XEP-0384 v0.3 §5.6:
   * the same key encrypted once per device). Members without a device we could encrypt for are returned as
   * `unreachable`; the caller decides whether to send without them.
   */
  encryptGroup(
    members: readonly string[],
    ownJid: string,
    plaintext: string | null,
    options: EncryptOptions = {},
  ): Promise<GroupEncryptResult> {
    return this.#encryptFor(
      [...new Set(members)].filter((m) => m !== ownJid),
      ownJid,
      plaintext,
      options,
    );
  }

  async #encryptFor(
    members: readonly string[],
    ownJid: string,
    plaintext: string | null,
    options: EncryptOptions,
  ): Promise<GroupEncryptResult> {
    const me = await this.ensureDevice();
    const skipped: SkippedDevice[] = [];
    const unreachable = new Map<string, string>();
    // Device lists in parallel (a group chat of 20 members: one round trip, not 20 in a row).
    const lists = await Promise.all(
      [...members, ...(members.includes(ownJid) ? [] : [ownJid])].map(async (jid) => {
        try {
          return { jid, ids: await this.devices(jid) };
        } catch (err) {
          if (jid === ownJid) {
            // Our other devices will miss this message; the recipients still get it.
            skipped.push({ jid: ownJid, id: 0, reason: errorText(err) });
          } else {
            unreachable.set(jid, errorText(err));
          }
          return { jid, ids: [] as readonly number[] };
        }
      }),
    );
    const targets: DeviceRef[] = lists.flatMap(({ jid, ids }) =>
      ids.filter((id) => jid !== ownJid || id !== me).map((id) => ({ jid, id })),
    );

    const sealed = await sealPayload(new TextEncoder().encode(plaintext ?? ""));
    const material = exactBuffer(packKeyMaterial(sealed.key, sealed.tag));
    const keys: KeyElement[] = [];
    const recipients: DeviceRef[] = [];
    // Bundles of devices without a session, fetched in parallel (one slow or missing bundle must not stall all).
    const bundles = new Map<DeviceRef, Promise<Bundle03>>();
    for (const t of targets) {
      if (await this.#hasSession(t.jid, t.id)) continue;
      const fetching = this.#fetchBundle(t.jid, t.id);
      fetching.catch(() => undefined);
      bundles.set(t, fetching);
    }
    for (const t of targets) {
      try {
        const key = await this.#keyFor(t, material, bundles.get(t), options);
        if (typeof key === "string") {
          skipped.push({ ...t, reason: key });
          continue;
        }
        keys.push(key);
        recipients.push(t);
      } catch (err) {
        skipped.push({ ...t, reason: errorText(err) });
      }
    }
    for (const member of members) {
      if (unreachable.has(member) || recipients.some((r) => r.jid === member)) continue;
      const theirs = skipped.filter((s) => s.jid === member);
      unreachable.set(member, theirs.length === 0 ? "no OMEMO device" : theirs.map((s) => s.reason).join("; "));
    }
    const xml = buildEncrypted({
      sid: me,
      keys,
      iv: sealed.iv,
      payload: plaintext === null ? null : sealed.ciphertext,
    });
    return {
      xml,
      ref: toBase64(sealed.iv),
      recipients,
      skipped,
      unreachable: [...unreachable].map(([jid, reason]) => ({ jid, reason })),
    };
  }

  /** The key element for one device, or why it is left out (untrusted, not verified). */
  async #keyFor(
    t: DeviceRef,
    material: ArrayBuffer,
    bundle: Promise<Bundle03> | undefined,
    options: EncryptOptions,
  ): Promise<KeyElement | string> {
    const fetched = bundle ? await bundle : null;
    const identity = fetched ? fetched.identityKey : await this.#store.loadIdentity(addressOf(t.jid, t.id).toString());
    if (identity) {
      const trust = await this.observeIdentity(t.jid, t.id, new Uint8Array(identity));
      if (!isTrusted(trust.trust)) return "untrusted device";
      if (options.onlyVerified && trust.trust !== "verified") return NOT_VERIFIED;
    } else if (options.onlyVerified) {
      return NOT_VERIFIED;
    }
    if (fetched) await this.#buildSession(t.jid, t.id, fetched);
    const result = await new SessionCipher(this.#store, addressOf(t.jid, t.id)).encrypt(material);
    if (typeof result.body !== "string") throw new Error("libsignal returned no ciphertext");
    return { rid: t.id, prekey: result.type === PREKEY_MESSAGE, data: binaryStringToBytes(result.body) };
  }

  async decrypt(message: IncomingEncrypted): Promise<DecryptOutcome> {
    const me = await this.ensureDevice();
    let usedPreKey = false;
    try {
      const parsed = parseEncrypted(message.xml);
      const key = parsed.keys.find((k) => k.rid === me);
      if (!key) return { result: { kind: "not-for-us" }, usedPreKey };
      const cipher = new SessionCipher(this.#store, addressOf(message.from, parsed.sid));
      const removedBefore = this.#store.removedPreKeys;
      let material: ArrayBuffer;
      if (key.prekey) {
        material = await cipher.decryptPreKeyWhisperMessage(exactBuffer(key.data), "binary");
      } else {
        try {
          material = await cipher.decryptWhisperMessage(exactBuffer(key.data), "binary");
        } catch (err) {
          // A sender that forgot prekey="true": libsignal leaves the state untouched on failure, so retry as one.
          if (!(await cipher.hasOpenSession())) {
            material = await cipher.decryptPreKeyWhisperMessage(exactBuffer(key.data), "binary");
          } else {
            throw err;
          }
        }
      }
      usedPreKey = this.#store.removedPreKeys !== removedBefore;
      const { key: aesKey, tag } = unpackKeyMaterial(new Uint8Array(material));
      // Decrypted even from an untrusted device (Conversations does too): the trust goes with the result.
      const identity = await this.#store.loadIdentity(addressOf(message.from, parsed.sid).toString());
      const trust = identity
        ? (await this.observeIdentity(message.from, parsed.sid, new Uint8Array(identity))).trust
        : "untrusted";
      const sender = { jid: message.from, deviceId: parsed.sid, trust };
      if (parsed.payload === null) return { result: { kind: "key-transport" }, usedPreKey, sender };
      const plain = await openPayload(aesKey, parsed.iv, parsed.payload, tag);
      return { result: { kind: "text", text: new TextDecoder().decode(plain) }, usedPreKey, sender };
    } catch (err) {
      return { result: { kind: "error", reason: errorText(err) }, usedPreKey };
    }
  }

  recipients(xml: string): number[] {
    try {
      return parseEncrypted(xml).keys.map((k) => k.rid);
    } catch {
      return [];
    }
  }

  messageRef(xml: string): { sender: number; ref: string } | null {
    const header = encryptedHeader(xml);
    return header ? { sender: header.sid, ref: header.iv } : null;
  }
}
