// The trust of contacts' devices as the app shows it (issue #6: the lock on each encrypted message, the devices
// panel, "Only verified devices"), read from the device's store once per contact and kept in step with what the
// user decides. No DOM, no crypto: the store is behind `load`.
import type { DeviceInfo, OmemoDevice } from "../crypto/device.ts";
import type { Trust } from "../crypto/trust.ts";

/** What the cache reads (the OMEMO device). */
export type TrustSource = Pick<OmemoDevice, "trustRecords">;

export class TrustCache {
  readonly #trust = new Map<string, ReadonlyMap<number, Trust>>();
  readonly #reads = new Set<string>();
  readonly #load: () => Promise<TrustSource>;
  readonly #changed: () => void;

  constructor(load: () => Promise<TrustSource>, changed: () => void) {
    this.#load = load;
    this.#changed = changed;
  }

  /** The known trust of `jid`'s devices; undefined before the first read. */
  of(jid: string): ReadonlyMap<number, Trust> | undefined {
    return this.#trust.get(jid);
  }

  /**
   * Reads `jid`'s records from the store (once, or again when `force`d: a device list changed). A failed read is
   * dropped (the device failed to load, whose error the status shows, or IndexedDB failed): the next message or
   * panel asks again.
   */
  read(jid: string, force = false): void {
    if (this.#reads.has(jid) || (!force && this.#trust.has(jid))) return;
    this.#reads.add(jid);
    void this.#load()
      .then((d) => d.trustRecords(jid))
      .then(
        (records) => {
          this.#reads.delete(jid);
          this.#trust.set(jid, new Map(records.map((r) => [r.deviceId, r.trust])));
          this.#changed();
        },
        () => this.#reads.delete(jid),
      );
  }

  /** What the devices panel read (own devices are never "trusted" here: this browser is one of them). */
  merge(jid: string, infos: readonly DeviceInfo[]): void {
    const trust = new Map(this.#trust.get(jid));
    for (const i of infos) if (i.trust !== null && !i.self) trust.set(i.deviceId, i.trust);
    this.#trust.set(jid, trust);
  }

  set(jid: string, deviceId: number, trust: Trust): void {
    this.#trust.set(jid, new Map(this.#trust.get(jid)).set(deviceId, trust));
  }
}
