/**
 * SCRAM client (RFC 5802 SCRAM-SHA-1, RFC 7677 SCRAM-SHA-256).
 *
 * Runs in workerd and browsers: only WebCrypto (`crypto.subtle`),
 * `TextEncoder` and `btoa`/`atob` are used. Channel binding (the `-PLUS`
 * variants) is not supported, so the GS2 header is always "n,," (RFC 5802 §7).
 *
 * Messages handled here are the raw SCRAM strings; the XMPP layer
 * (`sasl.ts`) takes care of the base64 transport encoding (RFC 6120 §6.4.2).
 */
import { SaslError, bytesToBase64, base64ToBytes } from "./sasl";

export type ScramHash = "SHA-1" | "SHA-256";

export interface ScramClient {
  readonly mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256";
  /** client-first-message, e.g. "n,,n=user,r=nonce" (raw, not base64). */
  clientFirst(): string;
  /** Takes the raw server-first-message, returns the raw client-final-message. */
  clientFinal(serverFirst: string): Promise<string>;
  /** Checks the raw server-final-message ("v=…" or "e=…"). */
  verifyServerFinal(serverFinal: string): Promise<void>;
}

export interface ScramKeys {
  readonly saltedPassword: Uint8Array<ArrayBuffer>;
  readonly clientKey: Uint8Array<ArrayBuffer>;
  readonly storedKey: Uint8Array<ArrayBuffer>;
  readonly serverKey: Uint8Array<ArrayBuffer>;
}

/** RFC 5802 §7: gs2-header for a client without channel-binding support. */
const GS2_HEADER = "n,,";

/** Output length in bytes of each supported hash (RFC 5802 §2.2 "H"). */
const HASH_LENGTH: Record<ScramHash, number> = { "SHA-1": 20, "SHA-256": 32 };

/** WebIDL `unsigned long`, the type of Pbkdf2Params.iterations. */
const MAX_WEBCRYPTO_ITERATIONS = 0xffff_ffff;

const encoder = new TextEncoder();

function utf8(text: string): Uint8Array<ArrayBuffer> {
  // Copy into a plain ArrayBuffer: some runtimes' typings allow a SharedArrayBuffer-backed result.
  return new Uint8Array(encoder.encode(text));
}

/** RFC 3454 table B.1: code points "commonly mapped to nothing" (SASLprep here, nodeprep in jid.ts). */
export function isMappedToNothing(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x1806 ||
    (cp >= 0x180b && cp <= 0x180d) ||
    (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2060 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff
  );
}

/** RFC 3454 table C.1.2: non-ASCII space characters (U+200B is also in B.1, which wins). */
function isNonAsciiSpace(cp: number): boolean {
  return (
    cp === 0x00a0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200b) || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

/**
 * Simplified SASLprep (RFC 4013) applied to username and password.
 *
 * Implemented: the mapping step (§2.1: RFC 3454 table B.1 "commonly mapped to
 * nothing" removed, table C.1.2 non-ASCII spaces mapped to U+0020) and NFKC
 * normalisation (§2.2). Not implemented: the prohibited-output (§2.3),
 * bidirectional (§2.4) and unassigned-code-point (§2.5) checks. Strings that
 * would fail those checks are sent as-is; the server's own SASLprep then
 * rejects them and authentication fails with 'not-authorized', which is the
 * same outcome the user would get anyway.
 */
export function saslPrep(input: string): string {
  let mapped = "";
  for (const char of input) {
    const cp = char.codePointAt(0) ?? 0;
    // RFC 4013 §2.1: B.1 → nothing (checked first), C.1.2 → U+0020
    if (isMappedToNothing(cp)) continue;
    mapped += isNonAsciiSpace(cp) ? " " : char;
  }
  // RFC 4013 §2.2: normalisation form KC
  return mapped.normalize("NFKC");
}

/** RFC 5802 §5.1 "n": '=' → "=3D" and ',' → "=2C" in saslname. */
export function escapeUsername(username: string): string {
  return username.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

/** RFC 5802 §7 "printable": %x21-2B / %x2D-7E (ASCII without ','). */
const PRINTABLE = /^[\x21-\x2B\x2D-\x7E]+$/;

function randomNonce(): string {
  // 24 random bytes → 32 base64 characters; base64 never contains ','.
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(24)));
}

async function hmac(
  hash: ScramHash,
  key: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

function xor(a: Uint8Array<ArrayBuffer>, b: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * RFC 5802 §3: SaltedPassword := Hi(Normalize(password), salt, i),
 * ClientKey := HMAC(SaltedPassword, "Client Key"), StoredKey := H(ClientKey),
 * ServerKey := HMAC(SaltedPassword, "Server Key").
 * Hi() is PBKDF2 with HMAC-H and dkLen = output length of H (RFC 5802 §2.2).
 *
 * `password` must already be prepared (see {@link saslPrep}).
 *
 * Note: workerd rejects PBKDF2 with more than 100 000 iterations
 * (cloudflare/workerd#1346); browsers accept up to 2^32-1.
 */
export async function scramKeys(
  hash: ScramHash,
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<ScramKeys> {
  const baseKey = await crypto.subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"]);
  const saltedPassword = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt, iterations }, baseKey, HASH_LENGTH[hash] * 8),
  );
  const clientKey = await hmac(hash, saltedPassword, utf8("Client Key"));
  const storedKey = new Uint8Array(await crypto.subtle.digest(hash, clientKey));
  const serverKey = await hmac(hash, saltedPassword, utf8("Server Key"));
  return { saltedPassword, clientKey, storedKey, serverKey };
}

function malformed(message: string): SaslError {
  return new SaslError("malformed-challenge", message);
}

/** Splits "a=value" (RFC 5802 §7 attr-val); the value may itself contain '='. */
function splitAttribute(part: string): { name: string; value: string } | undefined {
  const match = /^([A-Za-z])=(.*)$/s.exec(part);
  if (!match) return undefined;
  return { name: match[1] ?? "", value: match[2] ?? "" };
}

function decodeBase64Attribute(value: string, what: string): Uint8Array<ArrayBuffer> {
  const bytes = base64ToBytes(value);
  if (bytes === undefined) throw malformed(`${what} is not valid base64`);
  return bytes;
}

interface ServerFirst {
  readonly nonce: string;
  readonly salt: Uint8Array<ArrayBuffer>;
  readonly iterations: number;
}

/**
 * RFC 5802 §7: server-first-message = [reserved-mext ","] nonce "," salt ","
 * iteration-count ["," extensions]
 */
function parseServerFirst(message: string, clientNonce: string): ServerFirst {
  const parts = message.split(",");
  const attrs = parts.map(splitAttribute);
  const [r, s, i] = attrs;
  if (attrs[0]?.name === "m") {
    // RFC 5802 §5.1 "m": the client MUST fail on an unknown mandatory extension.
    throw malformed("server-first-message requires an unsupported mandatory extension");
  }
  if (r?.name !== "r" || s?.name !== "s" || i?.name !== "i" || attrs.some((a) => !a)) {
    throw malformed('server-first-message is not "r=…,s=…,i=…"');
  }
  // RFC 5802 §5.1 "r": the combined nonce starts with the client's nonce and
  // the server appends its own (non-empty) part.
  if (!r.value.startsWith(clientNonce) || r.value.length <= clientNonce.length) {
    throw malformed("server nonce does not extend the client nonce");
  }
  if (!PRINTABLE.test(r.value)) throw malformed("server nonce contains invalid characters");
  const salt = decodeBase64Attribute(s.value, "salt");
  if (salt.length === 0) throw malformed("salt is empty");
  // RFC 5802 §7: iteration-count = posit-number (no leading zeros, > 0).
  if (!/^[1-9][0-9]*$/.test(i.value)) throw malformed("iteration count is not a positive integer");
  const iterations = Number(i.value);
  if (iterations > MAX_WEBCRYPTO_ITERATIONS) throw malformed("iteration count is too large");
  return { nonce: r.value, salt, iterations };
}

export function createScramClient(
  hash: ScramHash,
  username: string,
  password: string,
  clientNonce: string = randomNonce(),
): ScramClient {
  if (!PRINTABLE.test(clientNonce)) {
    throw new RangeError('SCRAM client nonce must be printable ASCII without ","');
  }
  const mechanism = hash === "SHA-1" ? "SCRAM-SHA-1" : "SCRAM-SHA-256";
  // RFC 5802 §5.1: client-first-message-bare = "n=" saslname ",r=" c-nonce
  const clientFirstBare = `n=${escapeUsername(saslPrep(username))},r=${clientNonce}`;
  let expectedServerSignature: Uint8Array<ArrayBuffer> | undefined;
  let finalSent = false;
  let verified = false;

  return {
    mechanism,

    clientFirst(): string {
      // RFC 5802 §7: client-first-message = gs2-header client-first-message-bare
      return GS2_HEADER + clientFirstBare;
    },

    async clientFinal(serverFirst: string): Promise<string> {
      if (finalSent) throw malformed("unexpected second server-first-message");
      finalSent = true;
      const { nonce, salt, iterations } = parseServerFirst(serverFirst, clientNonce);

      let keys: ScramKeys;
      try {
        keys = await scramKeys(hash, saslPrep(password), salt, iterations);
      } catch (err) {
        // e.g. workerd's 100 000-iteration cap on PBKDF2.
        const reason = err instanceof Error ? err.message : String(err);
        throw malformed(`PBKDF2 with ${iterations} iterations failed: ${reason}`);
      }

      // RFC 5802 §7: channel-binding = "c=" base64(gs2-header [cbind-data])
      const clientFinalWithoutProof = `c=${btoa(GS2_HEADER)},r=${nonce}`;
      // RFC 5802 §3: AuthMessage := client-first-message-bare + "," +
      //   server-first-message + "," + client-final-message-without-proof
      const authMessage = utf8(`${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`);
      // RFC 5802 §3: ClientSignature := HMAC(StoredKey, AuthMessage),
      //   ClientProof := ClientKey XOR ClientSignature,
      //   ServerSignature := HMAC(ServerKey, AuthMessage)
      const clientSignature = await hmac(hash, keys.storedKey, authMessage);
      const clientProof = xor(keys.clientKey, clientSignature);
      expectedServerSignature = await hmac(hash, keys.serverKey, authMessage);
      return `${clientFinalWithoutProof},p=${bytesToBase64(clientProof)}`;
    },

    async verifyServerFinal(serverFinal: string): Promise<void> {
      if (expectedServerSignature === undefined) {
        throw malformed("server-final-message before server-first-message");
      }
      if (verified) throw malformed("unexpected second server-final-message");
      // RFC 5802 §7: server-final-message = (server-error / verifier) ["," extensions]
      const first = splitAttribute(serverFinal.split(",")[0] ?? "");
      if (first?.name === "e") {
        throw new SaslError(first.value, `SCRAM server error: ${first.value}`);
      }
      if (first?.name !== "v") throw malformed('server-final-message is not "v=…" or "e=…"');
      const signature = decodeBase64Attribute(first.value, "server signature");
      // RFC 5802 §5.1 "v": the client MUST verify the ServerSignature.
      if (!equalBytes(signature, expectedServerSignature)) {
        throw new SaslError("server-signature-mismatch", "SCRAM ServerSignature does not match");
      }
      verified = true;
    },
  };
}
