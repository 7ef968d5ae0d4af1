// The version-neutral face of end-to-end encryption in the browser. OMEMO 0.3 (omemo03.ts) implements it; OMEMO 2
// (urn:xmpp:omemo:2) can sit beside it later. Keys never leave the browser: the object only relays PEP items and
// <encrypted/> elements, through the PepTransport below.

import type { Trust } from "./trust.ts";

export interface PepItem {
  readonly id: string;
  readonly payload: string;
}

/** PEP (XEP-0163) through the object: only the OMEMO nodes are allowed there. */
export interface PepTransport {
  /** Items of `node` at `jid`; rejects with a PepError (condition "item-not-found" when there is none). */
  fetch(jid: string, node: string): Promise<readonly PepItem[]>;
  /** Publishes one item on our own PEP service (access model open). */
  publish(node: string, itemId: string, payload: string): Promise<void>;
}

const CONDITIONS = [
  "item-not-found",
  "forbidden",
  "not-authorized",
  "service-unavailable",
  "feature-not-implemented",
  "remote-server-not-found",
  "remote-server-timeout",
  "internal-server-error",
  "not-allowed",
  "conflict",
  "bad-request",
  "policy-violation",
  "precondition-not-met",
] as const;

export class PepError extends Error {
  override readonly name = "PepError";
  /** The XMPP error condition when one could be recognised ("timeout", "not-connected" for local failures). */
  readonly condition: string;

  constructor(message: string, condition?: string) {
    super(message);
    this.condition = condition ?? CONDITIONS.find((c) => message.includes(c)) ?? "unknown";
  }
}

/** Why an operation could not be done; the message is shown to the user. */
export class E2EEError extends Error {
  override readonly name = "E2EEError";
  /** The PEP condition behind it, when there was one ("timeout" and "not-connected" are local). */
  readonly condition: string | undefined;

  constructor(message: string, condition?: string) {
    super(message);
    this.condition = condition;
  }
}

export interface DeviceRef {
  readonly jid: string;
  readonly id: number;
}

export interface SkippedDevice extends DeviceRef {
  readonly reason: string;
}

export interface EncryptResult {
  /** The serialised element to hand to the object (message.send-encrypted). */
  readonly xml: string;
  /** Identifies this message for the sending device (see E2EE.messageRef). */
  readonly ref: string;
  readonly recipients: readonly DeviceRef[];
  /** Devices that are listed but could not be encrypted for (no bundle, bad bundle, …). */
  readonly skipped: readonly SkippedDevice[];
}

/** A member of a group chat none of whose devices could be encrypted for. */
export interface Unreachable {
  readonly jid: string;
  readonly reason: string;
}

export interface GroupEncryptResult extends EncryptResult {
  /** Members this message is not encrypted for (no device list, no device, none trusted). */
  readonly unreachable: readonly Unreachable[];
}

export interface IncomingEncrypted {
  /** Bare JID of the sending account (our own for carbons / our own sent messages). */
  readonly from: string;
  readonly xml: string;
}

export type DecryptResult =
  | { readonly kind: "text"; readonly text: string }
  /** A key-transport message (no payload): processed, nothing to show. */
  | { readonly kind: "key-transport" }
  /** The message has no key for this device. */
  | { readonly kind: "not-for-us" }
  | { readonly kind: "error"; readonly reason: string };

export interface DecryptOutcome {
  readonly result: DecryptResult;
  /** The sending device and its trust, once the message was decrypted (also for key-transport messages). */
  readonly sender?: { readonly jid: string; readonly deviceId: number; readonly trust: Trust };
  /** A one-time pre key was used: the bundle needs new ones. */
  readonly usedPreKey: boolean;
}

export interface E2EE {
  /** The element namespace this implementation handles. */
  readonly namespace: string;
  /** Our device id; null before ensureDevice(). */
  readonly deviceId: number | null;
  /** Creates (once) and loads this browser's device: identity, signed pre key, one-time pre keys. */
  ensureDevice(): Promise<number>;
  /** Device ids currently announced by `jid` (cached; `refresh` forces a fetch). */
  devices(jid: string, refresh?: boolean): Promise<readonly number[]>;
  /** Cached device ids for `jid`, or null when never fetched. */
  knownDevices(jid: string): readonly number[] | null;
  /** A PEP notification; returns the new device ids when it was a device list of this implementation. */
  onPepEvent(jid: string, node: string, items: readonly PepItem[]): readonly number[] | null;
  /** Serialised device-list and bundle payloads to publish, merged with `current` device ids. */
  publication(currentDevices: readonly number[]): Promise<Publication>;
  /** Generates one-time pre keys up to the target; true when some were added (the bundle must be republished). */
  refillPreKeys(): Promise<boolean>;
  /**
   * Encrypts for every trusted device of `to` and our own other devices (untrusted ones are skipped, and with
   * `onlyVerified` every device that is not verified); plaintext null = key-transport message.
   */
  encrypt(
    to: string,
    ownJid: string,
    plaintext: string | null,
    options?: { readonly onlyVerified?: boolean },
  ): Promise<EncryptResult>;
  /**
   * Encrypts for every trusted device of every member (real addresses) and our own other devices; members that
   * could not be reached are listed, not thrown (the caller asks the user).
   */
  encryptGroup(
    members: readonly string[],
    ownJid: string,
    plaintext: string | null,
    options?: { readonly onlyVerified?: boolean },
  ): Promise<GroupEncryptResult>;
  decrypt(message: IncomingEncrypted): Promise<DecryptOutcome>;
  /** Device ids the message has a key for. */
  recipients(xml: string): number[];
  /** Sender device and a per-message reference (matches EncryptResult.ref); null when unparsable. */
  messageRef(xml: string): { sender: number; ref: string } | null;
}

export interface Publication {
  readonly deviceListNode: string;
  /** Null when the current list already contains our device. */
  readonly deviceList: string | null;
  readonly bundleNode: string;
  readonly bundle: string;
  readonly itemId: string;
}
