/**
 * XMPP SASL negotiation (RFC 6120 §6) as a transport-independent step machine.
 *
 * The caller owns the stream: it sends `<auth mechanism="…">initial()</auth>`,
 * feeds each `<challenge/>` to `challenge()` and answers with
 * `<response>…</response>`, then passes the `<success/>` payload to
 * `success()`. `<failure/>` is turned into an error with `parseSaslFailure()`.
 *
 * Runs in workerd and browsers (no Node APIs).
 */
import { createScramClient, type ScramClient } from "./scram";

export type Mechanism = "SCRAM-SHA-256" | "SCRAM-SHA-1" | "PLAIN";

/**
 * Expected SASL failure.
 *
 * `condition` is an RFC 6120 §6.5 condition received from the server
 * ('not-authorized', 'account-disabled', …), a SCRAM server-error-value from an
 * "e=" server-final-message (RFC 5802 §7, e.g. 'invalid-proof'), or a
 * client-side problem: 'server-signature-mismatch', 'malformed-challenge',
 * 'no-supported-mechanism', 'malformed-request'.
 */
export class SaslError extends Error {
  override readonly name = "SaslError";
  constructor(
    readonly condition: string,
    message?: string,
  ) {
    super(message ?? condition);
  }
}

// ---------------------------------------------------------------------------
// Base64 (RFC 4648 §4) over UTF-8, as required for SASL data (RFC 6120 §6.4.2)

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Strict decoder: returns undefined unless the input is canonical padded base64. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64.test(b64)) return undefined;
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function utf8ToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** Returns undefined for invalid base64 or invalid UTF-8. */
export function base64ToUtf8(b64: string): string | undefined {
  const bytes = base64ToBytes(b64);
  if (bytes === undefined) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Mechanism selection

/** Client preference order, strongest first (RFC 7677 §1 recommends SHA-256). */
const PREFERENCE: readonly Mechanism[] = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"];

/**
 * Picks the mechanism to use from the server's `<mechanisms/>` list
 * (RFC 6120 §6.4.1). PLAIN sends the password in the clear (RFC 4616 §6), so
 * it is only chosen when `plainAllowed` (see {@link isPlainAllowed}).
 * Channel-binding variants (`-PLUS`) are never chosen: neither browsers nor
 * workerd expose TLS channel-binding data.
 */
export function pickMechanism(offered: readonly string[], plainAllowed: boolean): Mechanism {
  // RFC 4422 §3.1: mechanism names are upper-case; tolerate sloppy servers.
  const names = new Set(offered.map((m) => m.trim().toUpperCase()));
  for (const mechanism of PREFERENCE) {
    if (names.has(mechanism) && (mechanism !== "PLAIN" || plainAllowed)) return mechanism;
  }
  if (names.size === 0) {
    throw new SaslError("no-supported-mechanism", "server offers no SASL mechanisms");
  }
  const list = [...names].join(", ");
  const hint = names.has("PLAIN") ? " (PLAIN is refused over an unencrypted connection)" : "";
  throw new SaslError("no-supported-mechanism", `server offers only ${list}${hint}`);
}

/**
 * Whether PLAIN may be used towards this WebSocket service URL (RFC 7395):
 * yes over TLS ("wss:"), and over plain "ws:" only to loopback hosts
 * (127.0.0.0/8, ::1, localhost), where there is no network to sniff.
 */
export function isPlainAllowed(serviceUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.protocol === "wss:") return true;
  if (url.protocol !== "ws:") return false;
  // The WHATWG URL parser lower-cases host names and canonicalises IP
  // literals ("127.1" → "127.0.0.1", "[0:0::1]" → "[::1]").
  const host = url.hostname.replace(/\.$/, "");
  return (
    host === "localhost" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === "[::1]" ||
    // IPv4-mapped 127.0.0.0/8 (RFC 4291 §2.5.5.2), e.g. [::ffff:7f00:1]
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)
  );
}

// ---------------------------------------------------------------------------
// The exchange

export interface SaslExchange {
  readonly mechanism: Mechanism;
  /** Base64 initial response for `<auth/>` (RFC 6120 §6.4.2). */
  initial(): string;
  /**
   * Answers a `<challenge/>` (base64 payload) with the base64 payload for
   * `<response/>`. May return '' (send an empty `<response/>`), which happens
   * when a server delivers the SCRAM server-final-message as a challenge.
   */
  challenge(b64: string): Promise<string>;
  /**
   * Handles `<success/>`. For SCRAM the additional data (RFC 6120 §6.3.10)
   * carries the server-final-message, whose ServerSignature is verified; a
   * success without a verified ServerSignature is rejected.
   */
  success(b64: string): Promise<void>;
}

export interface SaslExchangeOptions {
  /** Fixed SCRAM client nonce; only for tests. */
  readonly clientNonce?: string;
}

/** RFC 6120 §6.4.2: "=" stands for an empty payload; whitespace is ignored. */
function isEmptyPayload(b64: string): boolean {
  const trimmed = b64.trim();
  return trimmed === "" || trimmed === "=";
}

function decodePayload(b64: string, what: string): string {
  const text = base64ToUtf8(b64.trim());
  if (text === undefined) {
    throw new SaslError("malformed-challenge", `${what} is not valid base64-encoded UTF-8`);
  }
  return text;
}

function createPlainExchange(username: string, password: string): SaslExchange {
  // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
  if (username.includes("\0") || password.includes("\0")) {
    throw new SaslError("malformed-request", "username and password must not contain NUL");
  }
  return {
    mechanism: "PLAIN",
    initial: () => utf8ToBase64(`\0${username}\0${password}`),
    challenge: () => Promise.reject(new SaslError("malformed-challenge", "unexpected challenge for PLAIN")),
    // PLAIN has no additional data with success; anything sent is ignored.
    success: () => Promise.resolve(),
  };
}

function createScramExchange(
  mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-1",
  username: string,
  password: string,
  clientNonce: string | undefined,
): SaslExchange {
  const scram: ScramClient = createScramClient(
    mechanism === "SCRAM-SHA-256" ? "SHA-256" : "SHA-1",
    username,
    password,
    clientNonce,
  );
  let step: "start" | "first-sent" | "final-sent" | "verified" = "start";

  return {
    mechanism,

    initial(): string {
      step = "first-sent";
      return utf8ToBase64(scram.clientFirst());
    },

    async challenge(b64: string): Promise<string> {
      switch (step) {
        case "first-sent": {
          step = "final-sent";
          const serverFirst = decodePayload(b64, "SCRAM server-first-message");
          return utf8ToBase64(await scram.clientFinal(serverFirst));
        }
        case "final-sent": {
          // RFC 6120 §6.3.10: a server that does not send additional data with
          // <success/> sends it as a challenge; the client answers empty.
          await scram.verifyServerFinal(decodePayload(b64, "SCRAM server-final-message"));
          step = "verified";
          return "";
        }
        default:
          throw new SaslError("malformed-challenge", `unexpected SCRAM challenge (${step})`);
      }
    },

    async success(b64: string): Promise<void> {
      if (step === "verified") return;
      if (step !== "final-sent") {
        throw new SaslError("malformed-challenge", "SCRAM success before the proof was sent");
      }
      if (isEmptyPayload(b64)) {
        // RFC 5802 §5: the client authenticates the server via ServerSignature;
        // a bare success would let an impostor skip that.
        throw new SaslError("server-signature-mismatch", "SCRAM success carried no server-final-message");
      }
      await scram.verifyServerFinal(decodePayload(b64, "SCRAM server-final-message"));
      step = "verified";
    },
  };
}

export function createSaslExchange(
  mechanism: Mechanism,
  username: string,
  password: string,
  options: SaslExchangeOptions = {},
): SaslExchange {
  if (mechanism === "PLAIN") return createPlainExchange(username, password);
  return createScramExchange(mechanism, username, password, options.clientNonce);
}

// ---------------------------------------------------------------------------
// <failure/>

/** RFC 6120 §6.5 defined SASL error conditions. */
export const SASL_FAILURE_CONDITIONS: readonly string[] = [
  "aborted",
  "account-disabled",
  "credentials-expired",
  "encryption-required",
  "incorrect-encoding",
  "invalid-authzid",
  "invalid-mechanism",
  "malformed-request",
  "mechanism-too-weak",
  "not-authorized",
  "temporary-auth-failure",
];

/**
 * Builds the error for a `<failure/>` element (RFC 6120 §6.4.5): the name of
 * its condition child and the optional `<text/>`. Missing or unknown
 * conditions are reported as 'not-authorized' (the generic §6.5.10 condition).
 */
export function parseSaslFailure(conditionName: string | undefined, text: string | undefined): SaslError {
  const known = conditionName !== undefined && SASL_FAILURE_CONDITIONS.includes(conditionName);
  const condition = known ? conditionName : "not-authorized";
  const detail = text?.trim();
  const unknownNote = !known && conditionName !== undefined ? ` (unknown condition "${conditionName}")` : "";
  const message = `SASL authentication failed: ${detail || condition}${unknownNote}`;
  return new SaslError(condition, message);
}
