// This browser's OMEMO device (web/src/crypto/own-device.ts) on fake-indexeddb: made once, pre keys kept at the
// target, the signed pre key rotated after a week.
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { Kv, openDatabase } from "../src/crypto/idb.ts";
import { OwnDevice } from "../src/crypto/own-device.ts";
import { SignalStore } from "../src/crypto/store.ts";

async function fresh(target = 5): Promise<{ own: OwnDevice; store: SignalStore; clock: { now: number } }> {
  const store = new SignalStore(new Kv(await openDatabase("own-device", new IDBFactory())));
  const clock = { now: Date.UTC(2026, 0, 1) };
  return { own: new OwnDevice(store, { preKeyTarget: target, now: () => clock.now }), store, clock };
}

describe("OwnDevice", () => {
  it("makes the device once, however many callers ask at the same time", async () => {
    const { own, store } = await fresh();
    const ids = await Promise.all([own.ensure(), own.ensure(), own.ensure()]);
    expect(new Set(ids).size).toBe(1);
    expect(store.meta?.deviceId).toBe(ids[0]);
    expect(await store.preKeyIds()).toHaveLength(5);
    expect(await own.ensure()).toBe(ids[0]);
  });

  it("refills used pre keys with new ids, and offers them all in the bundle", async () => {
    const { own, store } = await fresh();
    await own.ensure();
    const before = await store.preKeyIds();
    const used = before[0];
    if (used === undefined) throw new Error("no pre keys");
    await store.removePreKey(used);
    expect(await own.refillPreKeys()).toBe(true);
    expect(await own.refillPreKeys()).toBe(false);
    const after = await store.preKeyIds();
    expect(after).toHaveLength(5);
    expect(after).not.toContain(used);
    const bundle = await own.bundle();
    expect(bundle.preKeys.map((k) => k.id).toSorted()).toEqual(after.toSorted());
    expect(bundle.identityKey.byteLength).toBe(33);
  });

  it("rotates the signed pre key after a week, not before", async () => {
    const { own, store, clock } = await fresh();
    await own.ensure();
    const first = store.meta?.signedPreKeyId;
    clock.now += 6 * 86_400_000;
    expect(await own.rotateSignedPreKey()).toBe(false);
    clock.now += 2 * 86_400_000;
    expect(await own.rotateSignedPreKey()).toBe(true);
    expect(store.meta?.signedPreKeyId).not.toBe(first);
    expect((await own.bundle()).signedPreKeyId).toBe(store.meta?.signedPreKeyId);
  });
});
