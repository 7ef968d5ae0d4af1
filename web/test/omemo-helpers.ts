// Test helpers for the E2EE code: an in-memory PEP service shared by several accounts, and OMEMO devices on
// fake-indexeddb (one database per device, as in one browser profile each).
import { IDBFactory } from "fake-indexeddb";
import { PepError } from "../src/crypto/e2ee.ts";
import type { PepItem, PepTransport } from "../src/crypto/e2ee.ts";
import { Kv, openDatabase } from "../src/crypto/idb.ts";
import { Omemo03 } from "../src/crypto/omemo03.ts";
import { SignalStore } from "../src/crypto/store.ts";

export class FakePep {
  readonly nodes = new Map<string, Map<string, PepItem[]>>();
  fetches: string[] = [];
  /** jid + node pairs that answer with this error condition. */
  failing = new Map<string, string>();

  transport(owner: string): PepTransport {
    return {
      fetch: async (jid, node) => {
        this.fetches.push(`${jid} ${node}`);
        const fail = this.failing.get(`${jid} ${node}`);
        if (fail) throw new PepError(`cancel/${fail}`);
        const items = this.nodes.get(jid)?.get(node);
        if (!items || items.length === 0) throw new PepError("cancel/item-not-found");
        return items;
      },
      publish: async (node, itemId, payload) => {
        let byNode = this.nodes.get(owner);
        if (!byNode) this.nodes.set(owner, (byNode = new Map()));
        byNode.set(node, [{ id: itemId, payload }]);
      },
    };
  }
}

export interface TestDevice {
  readonly jid: string;
  readonly engine: Omemo03;
  readonly store: SignalStore;
  readonly kv: Kv;
}

export async function makeDevice(
  pep: FakePep,
  jid: string,
  opts: { preKeyTarget?: number; factory?: IDBFactory; name?: string } = {},
): Promise<TestDevice> {
  const db = await openDatabase(opts.name ?? `parley-omemo-${jid}`, opts.factory ?? new IDBFactory());
  const kv = new Kv(db);
  const store = new SignalStore(kv);
  const engine = new Omemo03({ ownJid: jid, store, transport: pep.transport(jid), preKeyTarget: opts.preKeyTarget });
  return { jid, engine, store, kv };
}

/** Publishes a device's bundle and adds it to its account's device list, as device.ts does. */
export async function publishDevice(pep: FakePep, device: TestDevice): Promise<void> {
  const t = pep.transport(device.jid);
  let current: readonly number[] = [];
  try {
    current = await device.engine.devices(device.jid, true);
  } catch {
    current = [];
  }
  const publication = await device.engine.publication(current);
  await t.publish(publication.bundleNode, publication.itemId, publication.bundle);
  if (publication.deviceList !== null) {
    await t.publish(publication.deviceListNode, publication.itemId, publication.deviceList);
  }
}
