// Whether the next message to a contact is encrypted, and the composer's line about it. Pure: the E2EE service
// (e2ee.ts) passes in what it knows. The rule that matters: once OMEMO was in use with a contact, the answer is
// "encrypted" whatever the device list says now (empty, missing, unreadable); a list the relay or the server can
// take away must not turn the next message into clear text (XEP-0384 v0.3 §4.2, §7). Only the user's explicit
// choice (the toggle, or "Send unencrypted" for one message) sends clear text then.
import { E2EEError, PepError, type SkippedDevice } from "../crypto/e2ee.ts";
import type { Trust } from "../crypto/trust.ts";
import type { Subscription } from "../../../src/protocol/index.ts";

export type E2EEStatus = "off" | "starting" | "ready" | "unavailable";

export interface PeerDevices {
  /** Null while unknown. */
  readonly devices: readonly number[] | null;
  readonly loading: boolean;
  readonly error: string | null;
  /** The last fetch failed only for lack of an answer (timeout, connection lost): the contact may use OMEMO. */
  readonly transient: boolean;
}

export interface ComposerCrypto {
  /** Effective choice; null while it depends on a device list that is still being fetched. */
  readonly encrypt: boolean | null;
  /** True when the user chose explicitly for this conversation. */
  readonly explicit: boolean;
  /** One line for the composer: what will happen to the next message. */
  readonly status: string;
  /** The next message cannot go out as things stand (the status says why); nothing falls back to clear text. */
  readonly warning: boolean;
}

export interface PolicyInput {
  readonly peer: string;
  readonly status: E2EEStatus;
  /** Why encryption is unavailable (status "unavailable"). */
  readonly statusReason: string;
  /** The user's explicit choice for this conversation, if any. */
  readonly choice: boolean | undefined;
  readonly devices: PeerDevices;
  /** OMEMO was in use with this contact (contacts.ts). */
  readonly inUse: boolean;
  readonly onlyVerified: boolean;
  /** Trust of the contact's devices as last read; undefined while not read. */
  readonly trust: ReadonlyMap<number, Trust> | undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The effective choice: explicit, else "in use", else "the contact has devices" (null: not known yet). */
export function encryptChoice(input: PolicyInput): boolean | null {
  if (input.choice !== undefined) return input.choice;
  if (input.inUse) return true;
  const p = input.devices;
  if (p.devices !== null) return p.devices.length > 0;
  // Unknown while loading, or when the last fetch got no answer: decided at send time (see the service).
  return p.loading || p.transient || input.status === "starting" ? null : false;
}

export function composerState(input: PolicyInput): ComposerCrypto {
  const encrypt = encryptChoice(input);
  const { text, warning } = statusLine(input, encrypt);
  return { encrypt, explicit: input.choice !== undefined, status: text, warning };
}

function statusLine(input: PolicyInput, encrypt: boolean | null): { text: string; warning: boolean } {
  const { peer, devices: p } = input;
  const ok = (text: string): { text: string; warning: boolean } => ({ text, warning: false });
  const blocked = (text: string): { text: string; warning: boolean } => ({ text, warning: true });
  const held = "Nothing is sent unencrypted unless you confirm it.";
  if (input.status === "unavailable") {
    return encrypt
      ? blocked(`Encryption is not available in this browser (${input.statusReason}): nothing will be sent.`)
      : ok(`Not encrypted. Encryption is not available in this browser (${input.statusReason}).`);
  }
  if (encrypt === null && p.transient && !p.loading) {
    return ok(
      "Could not check whether this contact uses OMEMO: the next message will be sent encrypted, or not at all.",
    );
  }
  if (encrypt === null) return ok("Checking whether this contact uses OMEMO…");
  const n = p.devices?.length ?? 0;
  if (!encrypt) {
    if (n > 0 || input.inUse) return ok("Not encrypted: this contact uses OMEMO.");
    // E.g. a device list visible to the contact's contacts only (the server's default access model).
    return ok(p.devices === null && p.error !== null ? `Not encrypted. ${p.error}` : "Not encrypted.");
  }
  if (p.devices === null) {
    if (p.error === null) return ok("Encrypted (OMEMO).");
    // The details (the server's answer) come with the refused send.
    return input.inUse
      ? blocked(`OMEMO is in use with ${peer}, but their device list cannot be read now. ${held}`)
      : blocked(`Encrypted (OMEMO). ${p.error}`);
  }
  if (n === 0) {
    return input.inUse
      ? blocked(`OMEMO is in use with ${peer}, but ${peer} lists no OMEMO device now. ${held}`)
      : blocked(`Encrypted (OMEMO), but ${peer} has no OMEMO device: messages cannot be sent.`);
  }
  const trust = input.trust;
  if (input.onlyVerified) {
    const verified = p.devices.filter((id) => trust?.get(id) === "verified").length;
    if (verified === 0) {
      return blocked(`"Only verified devices" is on, but no device of ${peer} is verified: see Devices.`);
    }
    const left = n - verified > 0 ? ` ${plural(n - verified, "unverified device")} left out.` : "";
    return ok(`Encrypted (OMEMO) for ${plural(verified, "verified device")} of this contact only.${left}`);
  }
  const untrusted = p.devices.filter((id) => trust?.get(id) === "untrusted").length;
  const trusted = n - untrusted;
  if (untrusted > 0 && trusted === 0) {
    return blocked(`Encrypted (OMEMO), but no device of ${peer} is trusted: messages cannot be sent (see Devices).`);
  }
  const left =
    untrusted > 0 ? ` ${untrusted} untrusted device${untrusted === 1 ? " is" : "s are"} left out (see Devices).` : "";
  return ok(`Encrypted (OMEMO) for ${plural(trusted, "device")} of this contact.${left}`);
}

export const UNKNOWN: PeerDevices = { devices: null, loading: false, error: null, transient: false };

export function knownDevices(devices: readonly number[]): PeerDevices {
  return { devices, loading: false, error: null, transient: false };
}

/** A device list that could not be fetched; `transient` when asking again may work (a timeout, no link). */
export function fetchFailed(devices: readonly number[] | null, err: unknown): PeerDevices {
  const condition = err instanceof E2EEError || err instanceof PepError ? err.condition : undefined;
  const transient = condition === "timeout" || condition === "not-connected";
  return { devices, loading: false, error: err instanceof Error ? err.message : String(err), transient };
}

/** Who encrypted a message, for its indicator. */
export interface MessageSecurity {
  readonly deviceId: number;
  /** Null while not known (e.g. the record is still being read). */
  readonly trust: Trust | null;
  /** Sent from this browser. */
  readonly self: boolean;
}

/** A reply (XEP-0461: the quote is inside the encrypted body) or a correction (XEP-0308) of an encrypted message. */
export interface EncryptedExtra {
  readonly replyTo?: { readonly key: string; readonly quoteLength: number };
  readonly replace?: string;
}

export type EncryptedSend =
  | { readonly ok: true; readonly requestId: string; readonly skipped: readonly SkippedDevice[] }
  /**
   * `offerPlain`: the user may send this one message unencrypted instead ("Send unencrypted"). `missing`: group
   * chat members none of whose devices could be reached; the user may send without them ("Send without them").
   */
  | {
      readonly ok: false;
      readonly error: string;
      readonly offerPlain: boolean;
      readonly missing?: readonly string[];
    };

/** Why an encrypted message was not sent, in words (the user may then send it unencrypted, never automatically). */
export function encryptFailure(err: unknown, peer: string, inUse: boolean): string {
  const why =
    err instanceof E2EEError ? err.message : `encryption failed (${err instanceof Error ? err.message : String(err)})`;
  const held = inUse
    ? " OMEMO was in use with this contact, so nothing is sent unencrypted unless you confirm it."
    : "";
  // Presence-model nodes (the server's default): readable once the contact shares their presence with us.
  const hint =
    err instanceof E2EEError && err.condition === "forbidden"
      ? ` Their devices may be visible to their contacts only: they become readable once ${peer} accepts your contact request.`
      : "";
  return `Not sent: ${why}${held}${hint}`;
}

/** Subscriptions under which the contact's presence reaches us: their presence-model PEP nodes are readable. */
export function readsPresence(subscription: Subscription): boolean {
  return subscription === "to" || subscription === "both";
}

/** An error's message, for the words shown to the user. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
