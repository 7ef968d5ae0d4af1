// This browser's OMEMO 0.3 device (XEP-0384 v0.3 §4.3, §5.3): its identity key pair, signed pre key (rotated
// weekly) and one-time pre keys (kept at 100), made once and kept in the SignalStore, and the bundle others build
// sessions from. Key generation lives here alone, so it can move off the main thread without touching the rest
// of the protocol (omemo03.ts).
import { KeyHelper } from "@privacyresearch/libsignal-protocol-typescript";
import type { KeyPairType } from "@privacyresearch/libsignal-protocol-typescript";
import { E2EEError } from "./e2ee.ts";
import { isDeviceId } from "./omemo03-xml.ts";
import type { Bundle03 } from "./omemo03-xml.ts";
import type { SignalStore } from "./store.ts";
import { nextSignedPreKeyId, rotationPlan } from "./trust.ts";

export const PREKEY_TARGET = 100;
/** libsignal pre key ids are 24-bit (Medium.MAX_VALUE). */
const MAX_PREKEY_ID = 0xffffff;
const SIGNED_PREKEY_ID = 1;

export function randomDeviceId(): number {
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const id = (buf[0] ?? 0) & 0x7fffffff;
    if (isDeviceId(id)) return id;
  }
}

export class OwnDevice {
  readonly #store: SignalStore;
  readonly #target: number;
  readonly #now: () => number;
  #ensuring: Promise<number> | null = null;

  constructor(store: SignalStore, opts: { preKeyTarget: number; now: () => number }) {
    this.#store = store;
    this.#target = opts.preKeyTarget;
    this.#now = opts.now;
  }

  /** The device id, making the device first when there is none (once, however many callers wait). */
  ensure(): Promise<number> {
    this.#ensuring ??= this.#ensure().catch((err: unknown) => {
      this.#ensuring = null;
      throw err;
    });
    return this.#ensuring;
  }

  async #ensure(): Promise<number> {
    const existing = await this.#store.loadMeta();
    if (existing && (await this.#store.loadSignedPreKeyRecord(existing.signedPreKeyId))) return existing.deviceId;
    const identityKeyPair = await KeyHelper.generateIdentityKeyPair();
    const spk = await KeyHelper.generateSignedPreKey(identityKeyPair, SIGNED_PREKEY_ID);
    await this.#store.storeSignedPreKeyRecord({
      keyId: spk.keyId,
      keyPair: spk.keyPair,
      signature: spk.signature,
      created: this.#now(),
    });
    const preKeys = await this.#generatePreKeys(1, this.#target);
    await this.#store.storePreKeys(preKeys.keys);
    // The device record last: without it, a half-made device is made again from scratch.
    const deviceId = randomDeviceId();
    await this.#store.saveMeta({
      deviceId,
      registrationId: KeyHelper.generateRegistrationId() || 1,
      identityKeyPair,
      signedPreKeyId: spk.keyId,
      nextPreKeyId: preKeys.next,
    });
    return deviceId;
  }

  async #generatePreKeys(
    from: number,
    count: number,
    taken: ReadonlySet<number> = new Set(),
  ): Promise<{ keys: { keyId: number; keyPair: KeyPairType }[]; next: number }> {
    const keys: { keyId: number; keyPair: KeyPairType }[] = [];
    let id = from;
    while (keys.length < count) {
      if (id < 1 || id > MAX_PREKEY_ID) id = 1;
      if (!taken.has(id)) keys.push(await KeyHelper.generatePreKey(id));
      id++;
    }
    return { keys, next: id > MAX_PREKEY_ID ? 1 : id };
  }

  async refillPreKeys(): Promise<boolean> {
    await this.ensure();
    const meta = this.#store.meta;
    if (!meta) throw new E2EEError("no OMEMO device");
    const ids = await this.#store.preKeyIds();
    const missing = this.#target - ids.length;
    if (missing <= 0) return false;
    const fresh = await this.#generatePreKeys(meta.nextPreKeyId, missing, new Set(ids));
    await this.#store.storePreKeys(fresh.keys);
    await this.#store.saveMeta({ ...meta, nextPreKeyId: fresh.next });
    return true;
  }

  async bundle(): Promise<Bundle03> {
    await this.ensure();
    const meta = this.#store.meta;
    if (!meta) throw new E2EEError("no OMEMO device");
    const spk = await this.#store.loadSignedPreKeyRecord(meta.signedPreKeyId);
    if (!spk) throw new E2EEError("the signed pre key is missing");
    const preKeys = await this.#store.preKeyEntries();
    return {
      signedPreKeyId: spk.keyId,
      signedPreKeyPublic: new Uint8Array(spk.keyPair.pubKey),
      signedPreKeySignature: new Uint8Array(spk.signature),
      identityKey: new Uint8Array(meta.identityKeyPair.pubKey),
      preKeys: preKeys.map(([id, pair]) => ({ id, publicKey: new Uint8Array(pair.pubKey) })),
    };
  }

  /**
   * Signed pre key rotation: a new one when the current is 7 days old (the previous one is kept 30 days, older
   * ones deleted). True when the bundle changed and must be republished.
   */
  async rotateSignedPreKey(): Promise<boolean> {
    await this.ensure();
    const meta = this.#store.meta;
    if (!meta) throw new E2EEError("no OMEMO device");
    const ages = await this.#store.signedPreKeyAges();
    const now = this.#now();
    const plan = rotationPlan(ages, meta.signedPreKeyId, now);
    if (plan.rotate) {
      const id = nextSignedPreKeyId(ages.map((a) => a.keyId));
      const spk = await KeyHelper.generateSignedPreKey(meta.identityKeyPair, id);
      await this.#store.storeSignedPreKeyRecord({
        keyId: spk.keyId,
        keyPair: spk.keyPair,
        signature: spk.signature,
        created: now,
      });
      await this.#store.saveMeta({ ...meta, signedPreKeyId: spk.keyId });
    }
    for (const id of plan.remove) if (id !== this.#store.meta?.signedPreKeyId) await this.#store.removeSignedPreKey(id);
    return plan.rotate;
  }
}
