// What this device remembers about OMEMO with each account (IndexedDB store "contacts", one record per bare JID,
// our own account included), so that neither the relay nor the server can change it unnoticed:
//
// - "OMEMO in use": set by any encrypted message sent or received, any non-empty device list (XEP-0384 v0.3 §4.2:
//   a device list announces support) and any verification. While it is set, a device list that is empty, missing
//   or unreadable blocks sending instead of falling back to clear text.
// - "Only verified devices": messages to the contact are encrypted only for verified devices.
// - The device set last seen, and notices when it changes or a device's identity key changes (XEP-0384 v0.3 §7:
//   a device added by someone else to a device list would receive copies of later messages).
//
// Pure record logic plus a small store; device.ts decides when to call it.
import type { Kv } from "./idb.ts";
import type { Trust } from "./trust.ts";

export type NoticeKind = "added" | "removed" | "key-changed";

/** A change of an account's OMEMO devices, shown in the conversation. */
export interface DeviceNotice {
  /** Unique within its record (for rendering). */
  readonly id: string;
  /** Whose device: the contact, or our own account. */
  readonly jid: string;
  /** When this device noticed the change (ms since the epoch). */
  readonly ts: number;
  readonly kind: NoticeKind;
  readonly deviceId: number;
  /** As fingerprint() formats it; null when the device's key could not be read. */
  readonly fingerprint: string | null;
  /** The device's trust when the notice was made; null when unknown. */
  readonly trust: Trust | null;
}

export interface ContactOmemo {
  readonly jid: string;
  /** When OMEMO was first seen in use with this account (ms); null when never. */
  readonly inUseSince: number | null;
  readonly onlyVerified: boolean;
  /** The last non-empty device list seen; null before the first. */
  readonly devices: readonly number[] | null;
  /** Oldest first, at most MAX_NOTICES. */
  readonly notices: readonly DeviceNotice[];
}

export const MAX_NOTICES = 50;
const KINDS: readonly NoticeKind[] = ["added", "removed", "key-changed"];
const TRUSTS: readonly Trust[] = ["blind", "verified", "untrusted", "accepted"];

export function emptyContact(jid: string): ContactOmemo {
  return { jid, inUseSince: null, onlyVerified: false, devices: null, notices: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isDeviceId(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 2 ** 31;
}

function parseKind(value: unknown): NoticeKind | null {
  return KINDS.find((k) => k === value) ?? null;
}

function parseTrust(value: unknown): Trust | null {
  return TRUSTS.find((t) => t === value) ?? null;
}

export function parseNotice(value: unknown): DeviceNotice | null {
  if (!isRecord(value)) return null;
  const { id, jid, ts, deviceId, fingerprint } = value;
  const kind = parseKind(value.kind);
  if (typeof id !== "string" || typeof jid !== "string" || typeof ts !== "number" || !Number.isFinite(ts)) {
    return null;
  }
  if (kind === null || !isDeviceId(deviceId)) return null;
  if (fingerprint !== null && typeof fingerprint !== "string") return null;
  return { id, jid, ts, kind, deviceId, fingerprint, trust: parseTrust(value.trust) };
}

/** A stored record, checked field by field; null when it is not one. */
export function parseContact(value: unknown): ContactOmemo | null {
  if (!isRecord(value) || typeof value.jid !== "string") return null;
  const since = value.inUseSince;
  const devices = value.devices;
  return {
    jid: value.jid,
    inUseSince: typeof since === "number" && Number.isFinite(since) ? since : null,
    onlyVerified: value.onlyVerified === true,
    devices: Array.isArray(devices) ? devices.filter(isDeviceId) : null,
    notices: Array.isArray(value.notices)
      ? value.notices.map(parseNotice).filter((n): n is DeviceNotice => n !== null)
      : [],
  };
}

/** OMEMO was seen in use at `ts` (the earliest time is kept). */
export function withInUse(c: ContactOmemo, ts: number): ContactOmemo {
  return c.inUseSince !== null && c.inUseSince <= ts ? c : { ...c, inUseSince: ts };
}

export interface ListChange {
  readonly next: ContactOmemo;
  readonly added: readonly number[];
  readonly removed: readonly number[];
}

/**
 * A device list was seen. An empty list is not recorded (the last real set stays, so a list that comes back is
 * not "new"; sending is blocked meanwhile, see the service). The first list is recorded without changes; later
 * ones are compared with the last. `self` (this browser's device) is never reported.
 */
export function withDeviceList(c: ContactOmemo, ids: readonly number[], now: number, self: number | null): ListChange {
  if (ids.length === 0) return { next: c, added: [], removed: [] };
  const prev = c.devices;
  const inUse = withInUse(c, now);
  const same = prev !== null && prev.length === ids.length && prev.every((id) => ids.includes(id));
  const next = same ? inUse : { ...inUse, devices: [...ids] };
  if (prev === null) return { next, added: [], removed: [] };
  return {
    next,
    added: ids.filter((id) => id !== self && !prev.includes(id)),
    removed: prev.filter((id) => id !== self && !ids.includes(id)),
  };
}

/**
 * Appends notices (oldest dropped beyond MAX_NOTICES). One that repeats the latest notice about the same device
 * (same kind and key: another tab or another code path saw the same change) is left out.
 */
export function withNotices(c: ContactOmemo, notices: readonly DeviceNotice[]): ContactOmemo {
  let list = [...c.notices];
  for (const n of notices) {
    const last = list.findLast((o) => o.deviceId === n.deviceId);
    if (last && last.kind === n.kind && last.fingerprint === n.fingerprint) continue;
    list.push(n);
  }
  if (list.length === c.notices.length) return c;
  if (list.length > MAX_NOTICES) list = list.slice(-MAX_NOTICES);
  return { ...c, notices: list };
}

/**
 * A device's key, read after its "added" notice was made (its bundle was not published yet): the latest notice
 * about that device gets the fingerprint and trust.
 */
export function withFingerprint(
  c: ContactOmemo,
  key: { readonly deviceId: number; readonly fingerprint: string; readonly trust: Trust },
): ContactOmemo {
  const i = c.notices.findLastIndex((n) => n.deviceId === key.deviceId);
  const last = c.notices[i];
  if (!last || last.kind !== "added" || last.fingerprint !== null) return c;
  const notices = [...c.notices];
  notices[i] = { ...last, fingerprint: key.fingerprint, trust: key.trust };
  return { ...c, notices };
}

export function newNotice(
  jid: string,
  kind: NoticeKind,
  deviceId: number,
  fingerprint: string | null,
  trust: Trust | null,
  ts: number,
): DeviceNotice {
  const rand = new Uint32Array(1);
  crypto.getRandomValues(rand);
  return { id: `${ts.toString(36)}-${(rand[0] ?? 0).toString(36)}`, jid, ts, kind, deviceId, fingerprint, trust };
}

/** The records in IndexedDB. Writes go through `update`, run under a cross-tab lock (other tabs write too). */
export class ContactBook {
  readonly #kv: Kv;
  readonly #lock: <T>(fn: () => Promise<T>) => Promise<T>;

  constructor(kv: Kv, lock: <T>(fn: () => Promise<T>) => Promise<T>) {
    this.#kv = kv;
    this.#lock = lock;
  }

  async all(): Promise<ContactOmemo[]> {
    const entries = await this.#kv.entries<unknown>("contacts");
    return entries.map(([, v]) => parseContact(v)).filter((c): c is ContactOmemo => c !== null);
  }

  async get(jid: string): Promise<ContactOmemo> {
    return parseContact(await this.#kv.get<unknown>("contacts", jid)) ?? emptyContact(jid);
  }

  /** Reads, applies `fn` and writes when it changed anything (`fn` returns its input for "no change"). */
  update(jid: string, fn: (c: ContactOmemo) => ContactOmemo): Promise<{ record: ContactOmemo; changed: boolean }> {
    return this.#lock(async () => {
      const current = await this.get(jid);
      const next = fn(current);
      if (next === current) return { record: current, changed: false };
      await this.#kv.put("contacts", jid, next);
      return { record: next, changed: true };
    });
  }
}
