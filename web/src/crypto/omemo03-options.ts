// The shapes around the OMEMO 0.3 engine (./omemo03.ts): how it is set up, how it encrypts, and a device as the
// devices panel shows it.
import type { PepTransport } from "./e2ee.ts";
import type { SignalStore } from "./store.ts";
import type { DeviceTrust } from "./trust.ts";

/** A device of an account as the devices panel shows it (fingerprint and trust null when its key is unknown). */
export interface DeviceInfo {
  readonly jid: string;
  readonly deviceId: number;
  readonly fingerprint: string | null;
  readonly trust: DeviceTrust["trust"] | null;
  /** This browser's own device. */
  readonly self: boolean;
  /** Why the key is unknown (bundle missing, …). */
  readonly error?: string;
}

export interface Omemo03Options {
  readonly ownJid: string;
  readonly store: SignalStore;
  readonly transport: PepTransport;
  readonly preKeyTarget?: number;
  /** A cached device list older than this is fetched again before encrypting. */
  readonly deviceListMaxAgeMs?: number;
  /** A device whose bundle could not be fetched is not tried again for this long. */
  readonly badBundleRetryMs?: number;
  readonly now?: () => number;
  /** A device list of `jid` was fetched or notified (XEP-0384 v0.3 §4.2); "no list" arrives as []. */
  readonly onDeviceList?: (jid: string, ids: readonly number[]) => void;
  /**
   * A device's identity key was recorded: first sight (`previous` undefined), or a known device with another key
   * than the one recorded before.
   */
  readonly onIdentityRecorded?: (record: DeviceTrust, previous: DeviceTrust | undefined) => void;
}

export interface EncryptOptions {
  /** Encrypt only for verified devices (the recipient's and our own other ones). */
  readonly onlyVerified?: boolean;
}
