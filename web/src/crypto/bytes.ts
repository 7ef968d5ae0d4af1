// Byte helpers shared by the E2EE code: base64 (strict), exact ArrayBuffers (libsignal rejects views), binary
// strings (libsignal's ciphertext format), concatenation.

export type Bytes = Uint8Array<ArrayBuffer>;

const B64 = /^[A-Za-z0-9+/]*={0,2}$/u;

export function toBase64(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (let i = 0; i < view.length; i += 0x8000) {
    binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Decodes base64 (whitespace allowed, as XML text may be wrapped); throws on anything else. */
export function fromBase64(text: string): Bytes {
  const clean = text.replace(/[\t\n\r ]+/gu, "");
  if (!B64.test(clean) || clean.length % 4 === 1) throw new Error("invalid base64");
  const padded = clean.length % 4 === 0 ? clean : clean + "=".repeat(4 - (clean.length % 4));
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A fresh ArrayBuffer holding exactly these bytes (never a larger backing buffer). */
export function exactBuffer(bytes: Uint8Array | ArrayBuffer): ArrayBuffer {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const out = new Uint8Array(view.byteLength);
  out.set(view);
  return out.buffer;
}

/** libsignal's "binary string" (one char per byte) to bytes. */
export function binaryStringToBytes(text: string): Bytes {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new Error("not a binary string");
    out[i] = c;
  }
  return out;
}

export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function randomBytes(n: number): Bytes {
  const out = new Uint8Array(n);
  crypto.getRandomValues(out);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
