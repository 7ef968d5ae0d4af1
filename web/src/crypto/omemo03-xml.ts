// OMEMO 0.3 (XEP-0384 v0.3, namespace eu.siacs.conversations.axolotl) wire formats: device lists, bundles and
// the <encrypted/> element. Pure functions (strings in, strings out) so they run in Node tests and browsers alike.
import { fromBase64, toBase64 } from "./bytes.ts";
import type { Bytes } from "./bytes.ts";
import { childElement, childElements, element, parseXml, textElement } from "./xml.ts";
import type { XmlElement } from "./xml.ts";

export const NS_OMEMO_03 = "eu.siacs.conversations.axolotl";
export const DEVICELIST_NODE = `${NS_OMEMO_03}.devicelist`;
export const BUNDLE_NODE_PREFIX = `${NS_OMEMO_03}.bundles:`;
/** PEP item id used for both the device list and bundles. */
export const CURRENT_ITEM = "current";
/** DJB key type byte that prefixes every Curve25519 public key on the wire. */
export const KEY_TYPE_DJB = 0x05;

export function bundleNode(deviceId: number): string {
  return `${BUNDLE_NODE_PREFIX}${deviceId}`;
}

/** A device id as XEP-0384 v0.3 allows it: 1 .. 2^31-1. */
export function isDeviceId(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n < 2 ** 31;
}

function parseId(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d{1,10}\s*$/u.test(value)) return null;
  const n = Number(value);
  return isDeviceId(n) ? n : null;
}

function parseRoot(xml: string | XmlElement, name: string): XmlElement {
  const el = typeof xml === "string" ? parseXml(xml) : xml;
  if (el.name !== name || el.ns !== NS_OMEMO_03) throw new Error(`not an OMEMO 0.3 <${name}/>`);
  return el;
}

// ---- device list ---------------------------------------------------------------------------------------------

export function buildDeviceList(ids: Iterable<number>): string {
  const unique = [...new Set(ids)].filter(isDeviceId);
  return element("list", { xmlns: NS_OMEMO_03 }, ...unique.map((id) => element("device", { id })));
}

/** Devices taken from one list: anyone who can publish to a node could otherwise make us fetch without end. */
export const MAX_DEVICES_PER_LIST = 50;

/** Device ids of a <list/> (invalid or duplicate ids dropped, order kept, at most MAX_DEVICES_PER_LIST). */
export function parseDeviceList(xml: string | XmlElement): number[] {
  const list = parseRoot(xml, "list");
  const ids = new Set<number>();
  for (const device of childElements(list, "device")) {
    const id = parseId(device.attrs.id);
    if (id !== null) ids.add(id);
    if (ids.size >= MAX_DEVICES_PER_LIST) break;
  }
  return [...ids];
}

// ---- bundle --------------------------------------------------------------------------------------------------

export interface PublicPreKey {
  readonly id: number;
  /** 33 bytes: 0x05 then the Curve25519 key. */
  readonly publicKey: Bytes;
}

export interface Bundle03 {
  readonly signedPreKeyId: number;
  readonly signedPreKeyPublic: Bytes;
  readonly signedPreKeySignature: Bytes;
  readonly identityKey: Bytes;
  readonly preKeys: readonly PublicPreKey[];
}

/** A public key as it travels: 33 bytes with the type byte. A bare 32-byte key gets the prefix. */
export function serializedPublicKey(key: Uint8Array): Bytes {
  if (key.byteLength === 33 && key[0] === KEY_TYPE_DJB) return Uint8Array.from(key);
  if (key.byteLength === 32) {
    const out = new Uint8Array(33);
    out[0] = KEY_TYPE_DJB;
    out.set(key, 1);
    return out;
  }
  throw new Error(`not a Curve25519 public key (${key.byteLength} bytes)`);
}

/**
 * The <bundle/> payload. Children in the order python-omemo (and the v0.3 schema) expect: signedPreKeyPublic,
 * signedPreKeySignature, identityKey, prekeys; every public key with its 0x05 type byte.
 */
export function buildBundle(bundle: Bundle03): string {
  const b64 = (k: Uint8Array): string => toBase64(serializedPublicKey(k));
  return element(
    "bundle",
    { xmlns: NS_OMEMO_03 },
    textElement("signedPreKeyPublic", { signedPreKeyId: bundle.signedPreKeyId }, b64(bundle.signedPreKeyPublic)),
    textElement("signedPreKeySignature", {}, toBase64(bundle.signedPreKeySignature)),
    textElement("identityKey", {}, b64(bundle.identityKey)),
    element(
      "prekeys",
      {},
      ...bundle.preKeys.map((p) => textElement("preKeyPublic", { preKeyId: p.id }, b64(p.publicKey))),
    ),
  );
}

function requiredChild(el: XmlElement, name: string): XmlElement {
  const child = childElement(el, name);
  if (!child) throw new Error(`bundle without <${name}/>`);
  return child;
}

function keyId(value: string | undefined, what: string): number {
  if (value === undefined || !/^\s*\d{1,10}\s*$/u.test(value)) throw new Error(`bad ${what}`);
  const n = Number(value);
  if (n >= 2 ** 32) throw new Error(`bad ${what}`);
  return n;
}

/** Parses a <bundle/> (keys normalised to 33 bytes); throws when it is unusable. */
export function parseBundle(xml: string | XmlElement): Bundle03 {
  const el = parseRoot(xml, "bundle");
  const spk = requiredChild(el, "signedPreKeyPublic");
  const signature = fromBase64(requiredChild(el, "signedPreKeySignature").text);
  if (signature.byteLength !== 64) throw new Error("bad signedPreKeySignature");
  const preKeys: PublicPreKey[] = [];
  for (const p of childElements(requiredChild(el, "prekeys"), "preKeyPublic")) {
    try {
      preKeys.push({ id: keyId(p.attrs.preKeyId, "preKeyId"), publicKey: serializedPublicKey(fromBase64(p.text)) });
    } catch {
      // One broken pre key does not make the bundle unusable.
    }
  }
  return {
    signedPreKeyId: keyId(spk.attrs.signedPreKeyId, "signedPreKeyId"),
    signedPreKeyPublic: serializedPublicKey(fromBase64(spk.text)),
    signedPreKeySignature: signature,
    identityKey: serializedPublicKey(fromBase64(requiredChild(el, "identityKey").text)),
    preKeys,
  };
}

// ---- <encrypted/> --------------------------------------------------------------------------------------------

export interface KeyElement {
  readonly rid: number;
  /** True for a PreKeyWhisperMessage (libsignal type 3). */
  readonly prekey: boolean;
  readonly data: Bytes;
}

export interface Encrypted03 {
  readonly sid: number;
  readonly keys: readonly KeyElement[];
  readonly iv: Bytes;
  /** Null for a key-transport message (no <payload/>, or an empty one). */
  readonly payload: Bytes | null;
}

/** XEP-0384 v0.3 §4.5. `prekey="true"` only on PreKeyWhisperMessages; the attribute is omitted otherwise. */
export function buildEncrypted(msg: Encrypted03): string {
  const keys = msg.keys.map((k) =>
    textElement("key", { rid: k.rid, prekey: k.prekey ? "true" : undefined }, toBase64(k.data)),
  );
  const header = element("header", { sid: msg.sid }, ...keys, textElement("iv", {}, toBase64(msg.iv)));
  const payload = msg.payload === null ? [] : [textElement("payload", {}, toBase64(msg.payload))];
  return element("encrypted", { xmlns: NS_OMEMO_03 }, header, ...payload);
}

function isTrue(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === "true" || v === "1";
}

export function parseEncrypted(xml: string | XmlElement): Encrypted03 {
  const el = parseRoot(xml, "encrypted");
  const header = childElement(el, "header");
  if (!header) throw new Error("<encrypted/> without <header/>");
  const sid = parseId(header.attrs.sid);
  if (sid === null) throw new Error("bad sid");
  const ivEl = childElement(header, "iv");
  if (!ivEl) throw new Error("<header/> without <iv/>");
  const iv = fromBase64(ivEl.text);
  if (iv.byteLength < 12) throw new Error("bad iv");
  const keys: KeyElement[] = [];
  for (const k of childElements(header, "key")) {
    const rid = parseId(k.attrs.rid);
    if (rid === null) continue;
    try {
      keys.push({ rid, prekey: isTrue(k.attrs.prekey), data: fromBase64(k.text) });
    } catch {
      // A malformed key for some device must not hide ours.
    }
  }
  const payloadEl = childElement(el, "payload");
  const payload = payloadEl ? fromBase64(payloadEl.text) : null;
  return { sid, keys, iv, payload: payload && payload.byteLength > 0 ? payload : null };
}

/** Sender device and IV (base64) of an <encrypted/> element, without decoding the keys; null if unparsable. */
export function encryptedHeader(xml: string): { sid: number; iv: string } | null {
  try {
    const el = parseRoot(xml, "encrypted");
    const header = childElement(el, "header");
    const sid = parseId(header?.attrs.sid);
    const iv = header ? childElement(header, "iv") : undefined;
    return sid === null || !iv ? null : { sid, iv: iv.text.trim() };
  } catch {
    return null;
  }
}

/** The payload element of the PEP item to use: "current" if present, else the last one. */
export function pickItem<T extends { id: string }>(items: readonly T[]): T | undefined {
  return items.find((i) => i.id === CURRENT_ITEM) ?? items.at(-1);
}
