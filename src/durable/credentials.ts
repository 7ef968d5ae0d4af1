// What the object needs to log in again after an eviction: the password, stored ONLY encrypted
// (AES-256-GCM) in the object's storage. The key is derived (HKDF-SHA-256) from the PARLEY_SECRET
// Worker secret and the account's JID, so it is never stored beside the ciphertext.

export interface SealedSecret {
  iv: string;
  data: string;
}

const enc = new TextEncoder();

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function keyFor(secret: string, jid: string): Promise<CryptoKey> {
  if (secret.length < 16) throw new Error("PARLEY_SECRET is missing or shorter than 16 characters");
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: enc.encode("parley/credentials/v1"), info: enc.encode(jid) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function seal(secret: string, jid: string, plaintext: string): Promise<SealedSecret> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await keyFor(secret, jid);
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(plaintext)));
  return { iv: b64(iv), data: b64(data) };
}

/** Null when the secret changed or the data was tampered with (GCM tag mismatch). */
export async function unseal(secret: string, jid: string, sealed: SealedSecret): Promise<string | null> {
  try {
    const key = await keyFor(secret, jid);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(sealed.iv) }, key, unb64(sealed.data));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
