// Trust, signed pre key rotation, device removal and heartbeats on real OMEMO engines (fake PEP, fake IndexedDB).
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { OmemoDevice } from "../src/crypto/device.ts";
import { DEVICELIST_NODE, bundleNode, parseBundle, parseDeviceList } from "../src/crypto/omemo03-xml.ts";
import { DAY_MS, HEARTBEAT_THRESHOLD, fingerprint } from "../src/crypto/trust.ts";
import { FakePep, makeDevice, publishDevice } from "./omemo-helpers.ts";

const ALICE = "alice@localhost";
const BOB = "bob@localhost";

describe("blind trust before verification in the engine", () => {
  it("records devices blindly, then skips a new device once one is verified, until it is accepted", async () => {
    const pep = new FakePep();
    const alice = await makeDevice(pep, ALICE, { preKeyTarget: 3 });
    const bob1 = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await publishDevice(pep, alice);
    await publishDevice(pep, bob1);
    const id1 = bob1.engine.deviceId ?? 0;

    const first = await alice.engine.encrypt(BOB, ALICE, "one");
    expect(first.recipients).toEqual([{ jid: BOB, id: id1 }]);
    const [rec1] = await alice.engine.trustRecords(BOB);
    expect(rec1).toEqual({ jid: BOB, deviceId: id1, fingerprint: await bob1.engine.ownFingerprint(), trust: "blind" });
    const bundle = parseBundle(pep.nodes.get(BOB)?.get(bundleNode(id1))?.[0]?.payload ?? "");
    expect(rec1?.fingerprint).toBe(fingerprint(bundle.identityKey));

    await alice.engine.setTrust(BOB, id1, "verify");

    // Bob adds a second device: untrusted now, so not encrypted for.
    const bob2 = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await publishDevice(pep, bob2);
    const id2 = bob2.engine.deviceId ?? 0;
    await alice.engine.devices(BOB, true);
    const second = await alice.engine.encrypt(BOB, ALICE, "two");
    expect(second.recipients).toEqual([{ jid: BOB, id: id1 }]);
    expect(second.skipped).toEqual([{ jid: BOB, id: id2, reason: "untrusted device" }]);

    // Its messages are decrypted but flagged.
    await publishDevice(pep, alice);
    const fromNew = await bob2.engine.encrypt(ALICE, BOB, "hello from the new phone");
    const got = await alice.engine.decrypt({ from: BOB, xml: fromNew.xml });
    expect(got.result).toEqual({ kind: "text", text: "hello from the new phone" });
    expect(got.sender).toEqual({ jid: BOB, deviceId: id2, trust: "untrusted" });

    const info = await alice.engine.describeDevices(BOB, [id1, id2]);
    expect(info.map((i) => [i.deviceId, i.trust])).toEqual([
      [id1, "verified"],
      [id2, "untrusted"],
    ]);

    await alice.engine.setTrust(BOB, id2, "accept");
    const third = await alice.engine.encrypt(BOB, ALICE, "three");
    expect(third.recipients.map((r) => r.id).sort()).toEqual([id1, id2].sort());
  });

  it("does not silently accept a changed identity key for a known device id", async () => {
    const pep = new FakePep();
    const alice = await makeDevice(pep, ALICE, { preKeyTarget: 3 });
    const bob = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await publishDevice(pep, alice);
    await publishDevice(pep, bob);
    const id = bob.engine.deviceId ?? 0;
    await alice.engine.describeDevices(BOB, [id]);
    await alice.engine.setTrust(BOB, id, "verify");

    // Someone publishes a different identity under the same device id (a reinstall, or an attack).
    const made = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await made.engine.ensureDevice();
    const meta = made.store.meta;
    if (!meta) throw new Error("no meta");
    await made.store.saveMeta({ ...meta, deviceId: id });
    const { Omemo03 } = await import("../src/crypto/omemo03.ts");
    const impostor = {
      ...made,
      engine: new Omemo03({ ownJid: BOB, store: made.store, transport: pep.transport(BOB) }),
    };
    await publishDevice(pep, impostor);
    expect(impostor.engine.deviceId).toBe(id);

    const sent = await impostor.engine.encrypt(ALICE, BOB, "trust me");
    const got = await alice.engine.decrypt({ from: BOB, xml: sent.xml });
    expect(got.sender?.trust).toBe("untrusted");
    const [rec] = await alice.engine.trustRecords(BOB);
    expect(rec?.fingerprint).toBe(await impostor.engine.ownFingerprint());
    expect(rec?.trust).toBe("untrusted");
    await expect(alice.engine.encrypt(BOB, ALICE, "no")).rejects.toThrow(/untrusted device/u);
  });
});

describe("signed pre key rotation", () => {
  it("rotates after 7 days, republishes, keeps the previous key 30 days", async () => {
    const pep = new FakePep();
    let now = 1_000 * DAY_MS;
    const device = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    const { Omemo03 } = await import("../src/crypto/omemo03.ts");
    const engine = new Omemo03({ ownJid: BOB, store: device.store, transport: pep.transport(BOB), now: () => now });
    await engine.ensureDevice();
    const firstId = device.store.meta?.signedPreKeyId;
    expect(await engine.rotateSignedPreKey()).toBe(false);

    now += 7 * DAY_MS;
    expect(await engine.rotateSignedPreKey()).toBe(true);
    const secondId = device.store.meta?.signedPreKeyId;
    expect(secondId).not.toBe(firstId);
    expect((await engine.bundle()).signedPreKeyId).toBe(secondId);
    expect((await device.store.signedPreKeyAges()).map((k) => k.keyId).sort()).toEqual([firstId, secondId].sort());

    now += 29 * DAY_MS;
    await engine.rotateSignedPreKey();
    // The second key is 29 days old: rotated again; it becomes the previous one and the first one goes.
    const ids = (await device.store.signedPreKeyAges()).map((k) => k.keyId);
    expect(ids).not.toContain(firstId);
    expect(ids).toContain(secondId);
    expect(ids).toContain(device.store.meta?.signedPreKeyId);
  });

  it("a session built on the old signed pre key still decrypts after rotation", async () => {
    const pep = new FakePep();
    let now = 1_000 * DAY_MS;
    const alice = await makeDevice(pep, ALICE, { preKeyTarget: 3 });
    const bobDev = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    const { Omemo03 } = await import("../src/crypto/omemo03.ts");
    const bob = new Omemo03({ ownJid: BOB, store: bobDev.store, transport: pep.transport(BOB), now: () => now });
    await publishDevice(pep, alice);
    await publishDevice(pep, { ...bobDev, engine: bob });
    const msg = await alice.engine.encrypt(BOB, ALICE, "built on the old key");
    now += 8 * DAY_MS;
    expect(await bob.rotateSignedPreKey()).toBe(true);
    expect((await bob.decrypt({ from: ALICE, xml: msg.xml })).result).toEqual({
      kind: "text",
      text: "built on the old key",
    });
  });
});

function open(pep: FakePep, jid: string, extra: Partial<Parameters<typeof OmemoDevice.open>[0]> = {}) {
  return OmemoDevice.open({
    jid,
    transport: pep.transport(jid),
    indexedDB: new IDBFactory(),
    preKeyTarget: 3,
    republishDelayMs: 0,
    ...extra,
  });
}

describe("the device", () => {
  it("removes another own device from the list, never itself", async () => {
    const pep = new FakePep();
    const phone = await open(pep, ALICE);
    const browser = await open(pep, ALICE);
    const p = await phone.setup();
    const b = await browser.setup();
    expect(await browser.removeOwnDevice(p.deviceId)).toEqual([b.deviceId]);
    const list = parseDeviceList(pep.nodes.get(ALICE)?.get(DEVICELIST_NODE)?.[0]?.payload ?? "");
    expect(list).toEqual([b.deviceId]);
    await expect(browser.removeOwnDevice(b.deviceId)).rejects.toThrow(/cannot be removed/u);
    const info = await browser.describeDevices(ALICE, true);
    expect(info).toEqual([expect.objectContaining({ deviceId: b.deviceId, self: true })]);
  });

  it("asks for a heartbeat after 50 messages from a device without a reply, and not after sending", async () => {
    const pep = new FakePep();
    const due: string[] = [];
    const alice = await open(pep, ALICE, { onHeartbeatDue: (jid) => due.push(jid) });
    const bob = await open(pep, BOB);
    await alice.setup();
    await bob.setup();
    for (let i = 0; i < HEARTBEAT_THRESHOLD - 1; i++) {
      const sent = await bob.encrypt(ALICE, `m${i}`);
      await alice.decrypt({ key: `k${i}`, from: BOB, xml: sent.xml, hasPayload: true });
    }
    expect(due).toEqual([]);
    const last = await bob.encrypt(ALICE, "fifty");
    await alice.decrypt({ key: "k50", from: BOB, xml: last.xml, hasPayload: true });
    expect(due).toEqual([BOB]);

    const heartbeat = await alice.keyTransport(BOB);
    expect(heartbeat.xml).not.toContain("<payload");
    expect((await bob.decrypt({ key: "hb", from: ALICE, xml: heartbeat.xml, hasPayload: false })).kind).toBe("hidden");
    const next = await bob.encrypt(ALICE, "after");
    await alice.decrypt({ key: "k51", from: BOB, xml: next.xml, hasPayload: true });
    expect(due).toEqual([BOB]);
  });
});
