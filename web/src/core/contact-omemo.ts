// The stored per-contact OMEMO state as the app holds it (issue #6): since when OMEMO is in use with a contact,
// "Only verified devices", and the device-change notices to show in the conversation. The records live in the
// device's store (web/src/crypto/contacts.ts); this is the in-memory view, merged so that a record read late never
// takes back what a newer message established. No DOM, no crypto.
import type { ContactOmemo, DeviceNotice } from "../crypto/contacts.ts";

export class ContactStates {
  readonly #contacts = new Map<string, ContactOmemo>();
  readonly #self: string;
  /** Persists "in use since" (the device's store; loaded lazily, so a failure to load is no reason to throw here). */
  readonly #persistInUse: (peer: string, ts: number) => void;

  constructor(self: string, persistInUse: (peer: string, ts: number) => void) {
    this.#self = self;
    this.#persistInUse = persistInUse;
  }

  has(jid: string): boolean {
    return this.#contacts.has(jid);
  }

  /** A record from the store. "In use" is never taken back here (a write of ours may still be under way). */
  merge(contact: ContactOmemo): void {
    const mine = this.#contacts.get(contact.jid)?.inUseSince ?? null;
    const theirs = contact.inUseSince;
    const since = mine === null ? theirs : theirs === null ? mine : Math.min(mine, theirs);
    this.#contacts.set(contact.jid, since === theirs ? contact : { ...contact, inUseSince: since });
  }

  /** Since when OMEMO is in use with `peer` (ms); null when never seen. */
  omemoSince(peer: string): number | null {
    return this.#contacts.get(peer)?.inUseSince ?? null;
  }

  /**
   * Encrypted message, sent or received: OMEMO is in use. Written once per contact (and again only for an
   * earlier message), so a history page does not mean fifty writes.
   */
  markInUse(peer: string, ts: number): void {
    const since = this.omemoSince(peer);
    if (since !== null && since <= ts) return;
    const current = this.#contacts.get(peer);
    this.#contacts.set(peer, {
      jid: peer,
      onlyVerified: false,
      devices: null,
      notices: [],
      ...current,
      inUseSince: ts,
    });
    this.#persistInUse(peer, ts);
  }

  onlyVerified(peer: string): boolean {
    return this.#contacts.get(peer)?.onlyVerified ?? false;
  }

  /**
   * Device changes to show in the conversation with `peer`, oldest first: the contact's, and (where OMEMO is in
   * use, since every encrypted message goes to them too) our own account's.
   */
  notices(peer: string): readonly DeviceNotice[] {
    const theirs = this.#contacts.get(peer)?.notices ?? [];
    const own = peer !== this.#self && this.omemoSince(peer) !== null ? this.#contacts.get(this.#self) : null;
    if (!own || own.notices.length === 0) return theirs;
    return [...theirs, ...own.notices].sort((a, b) => a.ts - b.ts);
  }
}
