// The OMEMO 0.3 payload cipher: AES-128-GCM with a random key per message. The key and the 16-byte tag travel
// together, encrypted per device ("key material" = key || tag); the <payload/> is the ciphertext without the tag.
import { concatBytes, randomBytes } from "./bytes.ts";
import type { Bytes } from "./bytes.ts";

export const KEY_BYTES = 16;
export const TAG_BYTES = 16;
/** What Conversations (and python-omemo) send; 16-byte IVs from older clients are accepted too. */
export const IV_BYTES = 12;

export interface SealedPayload {
  readonly key: Bytes;
  readonly iv: Bytes;
  readonly ciphertext: Bytes;
  readonly tag: Bytes;
}

async function importKey(key: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", Uint8Array.from(key), { name: "AES-GCM" }, false, [usage]);
}

/** Encrypts with a fresh random key and IV. */
export async function sealPayload(plaintext: Uint8Array): Promise<SealedPayload> {
  const key = randomBytes(KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, tagLength: TAG_BYTES * 8 },
      await importKey(key, "encrypt"),
      Uint8Array.from(plaintext),
    ),
  );
  const cut = sealed.byteLength - TAG_BYTES;
  return { key, iv, ciphertext: sealed.slice(0, cut), tag: sealed.slice(cut) };
}

/** key || tag, the 32 bytes encrypted for each device. */
export function packKeyMaterial(key: Uint8Array, tag: Uint8Array): Bytes {
  if (key.byteLength !== KEY_BYTES || tag.byteLength !== TAG_BYTES) throw new Error("bad key or tag length");
  return concatBytes(key, tag);
}

/**
 * Splits decrypted key material: the first 16 bytes are the key, the next 16 the tag (32+ bytes). Exactly 16 bytes
 * is the old layout where the tag is appended to the payload instead (tag null).
 */
export function unpackKeyMaterial(material: Uint8Array): { key: Bytes; tag: Bytes | null } {
  if (material.byteLength === KEY_BYTES) return { key: Uint8Array.from(material), tag: null };
  if (material.byteLength < KEY_BYTES + TAG_BYTES) throw new Error(`bad key material (${material.byteLength} bytes)`);
  // GCM tags are at most 16 bytes: anything after them is ignored.
  return { key: material.slice(0, KEY_BYTES), tag: material.slice(KEY_BYTES, KEY_BYTES + TAG_BYTES) };
}

/** Decrypts a payload; `tag` null means it is at the end of `payload`. Throws when authentication fails. */
export async function openPayload(
  key: Uint8Array,
  iv: Uint8Array,
  payload: Uint8Array,
  tag: Uint8Array | null,
): Promise<Bytes> {
  if (iv.byteLength !== 12 && iv.byteLength !== 16) throw new Error(`bad IV length ${iv.byteLength}`);
  if (tag !== null && tag.byteLength !== TAG_BYTES) throw new Error("bad tag length");
  const sealed = tag === null ? Uint8Array.from(payload) : concatBytes(payload, tag);
  if (sealed.byteLength < TAG_BYTES) throw new Error("payload too short");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: Uint8Array.from(iv), tagLength: TAG_BYTES * 8 },
    await importKey(key, "decrypt"),
    sealed,
  );
  return new Uint8Array(plain);
}
