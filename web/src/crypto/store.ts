// libsignal's StorageType on IndexedDB: our identity key pair and registration id, one-time and signed pre keys,
// sessions and the identity keys of remote devices. libsignal-protocol-typescript wants exact ArrayBuffers (not
// views): everything is copied in and out. libsignal's own trust check accepts every identity (it only sees the
// account, not the device); the per-device trust records kept here (trust.ts: blind trust before verification)
// are applied by omemo03.ts.
import type {
  Direction,
  KeyPairType,
  SessionRecordType,
  StorageType,
} from "@privacyresearch/libsignal-protocol-typescript";
import { bytesEqual, exactBuffer } from "./bytes.ts";
import type { Kv } from "./idb.ts";
import type { DeviceTrust, Trust } from "./trust.ts";

export interface StoredSignedPreKey {
  readonly keyId: number;
  readonly keyPair: KeyPairType;
  readonly signature: ArrayBuffer;
  readonly created: number;
}

export interface DeviceMeta {
  readonly deviceId: number;
  readonly registrationId: number;
  readonly identityKeyPair: KeyPairType;
  readonly signedPreKeyId: number;
  /** Next one-time pre key id to hand out. */
  readonly nextPreKeyId: number;
}

const META_DEVICE = "device";
const META_HEARTBEAT = "heartbeat";
const TRUST_STATES: readonly Trust[] = ["blind", "verified", "untrusted", "accepted"];

function isTrustRecord(value: unknown): value is DeviceTrust {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.jid === "string" &&
    typeof v.deviceId === "number" &&
    typeof v.fingerprint === "string" &&
    TRUST_STATES.includes(v.trust as Trust)
  );
}

function copyPair(pair: KeyPairType): KeyPairType {
  return { pubKey: exactBuffer(pair.pubKey), privKey: exactBuffer(pair.privKey) };
}

function keyOf(id: number | string): number {
  const n = typeof id === "number" ? id : Number(id);
  if (!Number.isInteger(n) || n < 0) throw new Error(`bad key id ${String(id)}`);
  return n;
}

function isPair(value: unknown): value is KeyPairType {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.pubKey instanceof ArrayBuffer && v.privKey instanceof ArrayBuffer;
}

export class SignalStore implements StorageType {
  readonly #kv: Kv;
  #meta: DeviceMeta | null = null;
  /** How many one-time pre keys libsignal removed (used) since this store was opened. */
  removedPreKeys = 0;

  constructor(kv: Kv) {
    this.#kv = kv;
  }

  // ---- our device ------------------------------------------------------------------------------------------

  async loadMeta(): Promise<DeviceMeta | null> {
    const meta = await this.#kv.get<DeviceMeta>("meta", META_DEVICE);
    this.#meta = meta && isPair(meta.identityKeyPair) ? meta : null;
    return this.#meta;
  }

  async saveMeta(meta: DeviceMeta): Promise<void> {
    const copy: DeviceMeta = { ...meta, identityKeyPair: copyPair(meta.identityKeyPair) };
    await this.#kv.put("meta", META_DEVICE, copy);
    this.#meta = copy;
  }

  get meta(): DeviceMeta | null {
    return this.#meta;
  }

  async getIdentityKeyPair(): Promise<KeyPairType | undefined> {
    const meta = this.#meta ?? (await this.loadMeta());
    return meta ? copyPair(meta.identityKeyPair) : undefined;
  }

  async getLocalRegistrationId(): Promise<number | undefined> {
    const meta = this.#meta ?? (await this.loadMeta());
    return meta?.registrationId;
  }

  // ---- trust -----------------------------------------------------------------------------------------------

  /** Blind trust: libsignal only passes the account here (not the device), so per-device checks cannot happen. */
  async isTrustedIdentity(_identifier: string, _identityKey: ArrayBuffer, _direction: Direction): Promise<boolean> {
    return true;
  }

  /** Records the identity of one device ("jid.deviceId"); true when it replaced a different one. */
  async saveIdentity(encodedAddress: string, publicKey: ArrayBuffer): Promise<boolean> {
    const existing = await this.#kv.get<ArrayBuffer>("identities", encodedAddress);
    if (existing instanceof ArrayBuffer && bytesEqual(new Uint8Array(existing), new Uint8Array(publicKey))) {
      return false;
    }
    await this.#kv.put("identities", encodedAddress, exactBuffer(publicKey));
    return existing !== undefined;
  }

  async loadIdentity(encodedAddress: string): Promise<ArrayBuffer | undefined> {
    const value = await this.#kv.get<ArrayBuffer>("identities", encodedAddress);
    return value instanceof ArrayBuffer ? exactBuffer(value) : undefined;
  }

  /** Per-device trust records of `jid` (keys "jid deviceId"). */
  async trustRecords(jid: string): Promise<DeviceTrust[]> {
    const entries = await this.#kv.entries<unknown>("trust");
    const out: DeviceTrust[] = [];
    for (const [, v] of entries) if (isTrustRecord(v) && v.jid === jid) out.push(v);
    return out.sort((a, b) => a.deviceId - b.deviceId);
  }

  async saveTrust(record: DeviceTrust): Promise<void> {
    await this.#kv.put("trust", `${record.jid} ${record.deviceId}`, { ...record });
  }

  async loadHeartbeats(): Promise<Record<string, number>> {
    const value = await this.#kv.get<unknown>("meta", META_HEARTBEAT);
    return typeof value === "object" && value !== null ? (value as Record<string, number>) : {};
  }

  async saveHeartbeats(state: Record<string, number>): Promise<void> {
    await this.#kv.put("meta", META_HEARTBEAT, state);
  }

  // ---- one-time pre keys -----------------------------------------------------------------------------------

  async loadPreKey(keyId: string | number): Promise<KeyPairType | undefined> {
    const pair = await this.#kv.get<KeyPairType>("preKeys", keyOf(keyId));
    return isPair(pair) ? copyPair(pair) : undefined;
  }

  async storePreKey(keyId: number | string, keyPair: KeyPairType): Promise<void> {
    await this.#kv.put("preKeys", keyOf(keyId), copyPair(keyPair));
  }

  async storePreKeys(keys: readonly { keyId: number; keyPair: KeyPairType }[]): Promise<void> {
    await this.#kv.putMany(
      "preKeys",
      keys.map((k) => [keyOf(k.keyId), copyPair(k.keyPair)] as const),
    );
  }

  async removePreKey(keyId: number | string): Promise<void> {
    await this.#kv.delete("preKeys", keyOf(keyId));
    this.removedPreKeys++;
  }

  async preKeyEntries(): Promise<[number, KeyPairType][]> {
    const entries = await this.#kv.entries<KeyPairType>("preKeys");
    const out: [number, KeyPairType][] = [];
    for (const [k, v] of entries) if (typeof k === "number" && isPair(v)) out.push([k, copyPair(v)]);
    return out;
  }

  async preKeyIds(): Promise<number[]> {
    const keys = await this.#kv.keys("preKeys");
    return keys.filter((k): k is number => typeof k === "number").sort((a, b) => a - b);
  }

  // ---- signed pre keys -------------------------------------------------------------------------------------

  async loadSignedPreKey(keyId: number | string): Promise<KeyPairType | undefined> {
    const spk = await this.#kv.get<StoredSignedPreKey>("signedPreKeys", keyOf(keyId));
    return spk && isPair(spk.keyPair) ? copyPair(spk.keyPair) : undefined;
  }

  async loadSignedPreKeyRecord(keyId: number): Promise<StoredSignedPreKey | undefined> {
    const spk = await this.#kv.get<StoredSignedPreKey>("signedPreKeys", keyOf(keyId));
    if (!spk || !isPair(spk.keyPair) || !(spk.signature instanceof ArrayBuffer)) return undefined;
    return { ...spk, keyPair: copyPair(spk.keyPair), signature: exactBuffer(spk.signature) };
  }

  /** libsignal's StorageType signature: a pair without signature (kept as an empty one). */
  async storeSignedPreKey(keyId: number | string, keyPair: KeyPairType): Promise<void> {
    await this.storeSignedPreKeyRecord({
      keyId: keyOf(keyId),
      keyPair,
      signature: new ArrayBuffer(0),
      created: Date.now(),
    });
  }

  async storeSignedPreKeyRecord(spk: StoredSignedPreKey): Promise<void> {
    await this.#kv.put("signedPreKeys", keyOf(spk.keyId), {
      ...spk,
      keyPair: copyPair(spk.keyPair),
      signature: exactBuffer(spk.signature),
    });
  }

  /** Every stored signed pre key, by id, with its creation time. */
  async signedPreKeyAges(): Promise<{ keyId: number; created: number }[]> {
    const entries = await this.#kv.entries<StoredSignedPreKey>("signedPreKeys");
    const out: { keyId: number; created: number }[] = [];
    for (const [k, v] of entries) {
      if (typeof k === "number" && v && typeof v === "object") {
        out.push({ keyId: k, created: typeof v.created === "number" ? v.created : 0 });
      }
    }
    return out;
  }

  async removeSignedPreKey(keyId: number | string): Promise<void> {
    await this.#kv.delete("signedPreKeys", keyOf(keyId));
  }

  // ---- sessions --------------------------------------------------------------------------------------------

  async loadSession(encodedAddress: string): Promise<SessionRecordType | undefined> {
    const record = await this.#kv.get<unknown>("sessions", encodedAddress);
    return typeof record === "string" ? record : undefined;
  }

  async storeSession(encodedAddress: string, record: SessionRecordType): Promise<void> {
    await this.#kv.put("sessions", encodedAddress, record);
  }

  async removeSession(encodedAddress: string): Promise<void> {
    await this.#kv.delete("sessions", encodedAddress);
  }
}
