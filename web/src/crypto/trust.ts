// The pure parts of OMEMO device management (no libsignal, no IndexedDB, safe for the initial chunk):
// fingerprints as Conversations shows them, per-device trust with "blind trust before verification" (BTBV),
// the signed pre key rotation policy and the heartbeat counter.

/**
 * blind: trusted without verification (BTBV, while the account has no verified device);
 * verified: the user compared the fingerprint; untrusted: new (or changed) device of an account with a verified
 * device, or distrusted by the user; accepted: the user accepted an untrusted device without verifying it.
 */
export type Trust = "blind" | "verified" | "untrusted" | "accepted";

// The label lives apart so the UI (initial chunk) does not pull this module out of the lazy crypto chunk.
export { trustLabel } from "./trust-label.ts";

export interface DeviceTrust {
  readonly jid: string;
  readonly deviceId: number;
  /** As fingerprint() formats it. */
  readonly fingerprint: string;
  readonly trust: Trust;
}

const KEY_TYPE_DJB = 0x05;

/** The identity public key without its 0x05 type byte, lowercase hex, in 8 groups of 8 separated by spaces. */
export function fingerprint(identityKey: Uint8Array): string {
  const raw = identityKey.byteLength === 33 && identityKey[0] === KEY_TYPE_DJB ? identityKey.subarray(1) : identityKey;
  const hex = Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
  return (hex.match(/.{1,8}/gu) ?? []).join(" ");
}

/** Messages are encrypted for (and accepted from) a device only in these states. */
export function isTrusted(trust: Trust): boolean {
  return trust !== "untrusted";
}

/**
 * The trust of `deviceId` of `jid` whose identity key has `fp`, given the records of that account (`records`).
 * A known device with the same key keeps its state. A new device, or a known device id with a different key,
 * is trusted blindly while the account has no verified device, and untrusted once it has one. `changed` is
 * true when the record must be written.
 */
export function decideTrust(
  records: readonly DeviceTrust[],
  jid: string,
  deviceId: number,
  fp: string,
): { record: DeviceTrust; changed: boolean } {
  const own = records.filter((r) => r.jid === jid);
  const existing = own.find((r) => r.deviceId === deviceId);
  if (existing && existing.fingerprint === fp) return { record: existing, changed: false };
  const hasVerified = own.some((r) => r.trust === "verified");
  return { record: { jid, deviceId, fingerprint: fp, trust: hasVerified ? "untrusted" : "blind" }, changed: true };
}

/** The user's decision on a device; "accept" of a device that is not untrusted changes nothing. */
export type TrustAction = "verify" | "accept" | "distrust";

export function applyTrustAction(record: DeviceTrust, action: TrustAction): DeviceTrust {
  switch (action) {
    case "verify":
      return { ...record, trust: "verified" };
    case "accept":
      return record.trust === "untrusted" ? { ...record, trust: "accepted" } : record;
    case "distrust":
      return { ...record, trust: "untrusted" };
  }
}

// ---- signed pre key rotation -------------------------------------------------------------------------------

export const DAY_MS = 24 * 60 * 60_000;
export const SIGNED_PREKEY_MAX_AGE_MS = 7 * DAY_MS;
export const SIGNED_PREKEY_KEEP_MS = 30 * DAY_MS;

export interface SignedPreKeyAge {
  readonly keyId: number;
  readonly created: number;
}

export interface RotationPlan {
  /** A new signed pre key must be made (the current one is older than the maximum age, or missing). */
  readonly rotate: boolean;
  /** Old signed pre keys to delete. */
  readonly remove: readonly number[];
}

/**
 * What to do with our signed pre keys at `now`. The current one is replaced after 7 days; the one it replaced
 * (the newest of the others) is kept for 30 days after it was superseded, so messages built from the old bundle
 * still decrypt; every older one is deleted. When a rotation happens now, the current key becomes that previous
 * one (and the previous one, if any, goes).
 */
export function rotationPlan(keys: readonly SignedPreKeyAge[], currentId: number, now: number): RotationPlan {
  const current = keys.find((k) => k.keyId === currentId);
  const rotate = !current || now - current.created >= SIGNED_PREKEY_MAX_AGE_MS;
  const others = keys.filter((k) => k.keyId !== currentId).sort((a, b) => b.created - a.created);
  const remove: number[] = [];
  const [previous, ...older] = others;
  for (const k of older) remove.push(k.keyId);
  if (previous) {
    // Superseded when the current key was made (or now, when the current one is missing).
    const supersededAt = current ? current.created : now;
    if (rotate && current) remove.push(previous.keyId);
    else if (now - supersededAt >= SIGNED_PREKEY_KEEP_MS) remove.push(previous.keyId);
  }
  return { rotate, remove };
}

/** The next signed pre key id after `ids` (24-bit, as libsignal's Medium.MAX_VALUE; 0 is not used). */
export function nextSignedPreKeyId(ids: readonly number[]): number {
  const max = ids.reduce((m, id) => Math.max(m, id), 0);
  let next = max + 1;
  if (next > 0xffffff) next = 1;
  while (ids.includes(next)) next++;
  return next;
}

// ---- heartbeat ---------------------------------------------------------------------------------------------

export const HEARTBEAT_THRESHOLD = 50;

/**
 * Counts messages received from each device since we last sent anything to it (as Conversations does): at
 * HEARTBEAT_THRESHOLD, an empty key-transport message to the account lets its ratchet advance. State is a plain
 * object ("jid deviceId" → count) so it can be stored.
 */
export class HeartbeatCounter {
  readonly #counts: Map<string, number>;
  readonly #threshold: number;

  constructor(state: Readonly<Record<string, number>> = {}, threshold = HEARTBEAT_THRESHOLD) {
    this.#threshold = threshold;
    this.#counts = new Map(Object.entries(state).filter(([, n]) => Number.isInteger(n) && n > 0));
  }

  static key(jid: string, deviceId: number): string {
    return `${jid} ${deviceId}`;
  }

  /** One more decrypted message from the device; true when a heartbeat to `jid` is due. */
  received(jid: string, deviceId: number): boolean {
    const key = HeartbeatCounter.key(jid, deviceId);
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, n);
    return n >= this.#threshold;
  }

  /** We sent a message (or a heartbeat) to these devices: their counts start again. */
  sent(devices: readonly { readonly jid: string; readonly id: number }[]): void {
    for (const d of devices) this.#counts.delete(HeartbeatCounter.key(d.jid, d.id));
  }

  count(jid: string, deviceId: number): number {
    return this.#counts.get(HeartbeatCounter.key(jid, deviceId)) ?? 0;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
