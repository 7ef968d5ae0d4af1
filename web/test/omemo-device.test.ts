// OmemoDevice (web/src/crypto/device.ts): startup publication, decrypt-once across tabs, own sent messages,
// skipped devices, pre-key refill and republication. IndexedDB is fake-indexeddb; "tabs" share one IDBFactory.
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { NOT_FOR_US, OmemoDevice, withLock } from "../src/crypto/device.ts";
import { E2EEError } from "../src/crypto/e2ee.ts";
import {
  DEVICELIST_NODE,
  buildDeviceList,
  bundleNode,
  parseBundle,
  parseDeviceList,
} from "../src/crypto/omemo03-xml.ts";
import { FakePep } from "./omemo-helpers.ts";

const ALICE = "alice@localhost";
const BOB = "bob@localhost";

function open(pep: FakePep, jid: string, factory = new IDBFactory()): Promise<OmemoDevice> {
  return OmemoDevice.open({
    jid,
    transport: pep.transport(jid),
    indexedDB: factory,
    preKeyTarget: 5,
    republishDelayMs: 0,
  });
}

const listOf = (pep: FakePep, jid: string): number[] =>
  parseDeviceList(
    pep.nodes.get(jid)?.get(DEVICELIST_NODE)?.[0]?.payload ?? "<list xmlns='eu.siacs.conversations.axolotl'/>",
  );

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("setup", () => {
  it("publishes the bundle and adds our id to the device list, keeping the others", async () => {
    const pep = new FakePep();
    const phone = await open(pep, ALICE);
    const first = await phone.setup();
    expect(listOf(pep, ALICE)).toEqual([first.deviceId]);
    expect(pep.nodes.get(ALICE)?.get(bundleNode(first.deviceId))).toHaveLength(1);

    const browser = await open(pep, ALICE);
    const second = await browser.setup();
    expect(second.devices).toEqual([first.deviceId, second.deviceId]);
    expect(listOf(pep, ALICE)).toEqual([first.deviceId, second.deviceId]);

    // A third browser profile: a third device.
    const third = await (await open(pep, ALICE, new IDBFactory())).setup();
    expect(listOf(pep, ALICE)).toEqual([first.deviceId, second.deviceId, third.deviceId]);
  });

  it("keeps its device across reloads", async () => {
    const pep = new FakePep();
    const factory = new IDBFactory();
    const a = await (await open(pep, ALICE, factory)).setup();
    const b = await (await open(pep, ALICE, factory)).setup();
    expect(b.deviceId).toBe(a.deviceId);
    expect(listOf(pep, ALICE)).toEqual([a.deviceId]);
  });

  it("does not publish a device list when ours could not be read (it could drop other devices)", async () => {
    const pep = new FakePep();
    pep.failing.set(`${ALICE} ${DEVICELIST_NODE}`, "forbidden");
    const device = await open(pep, ALICE);
    await expect(device.setup()).rejects.toThrow(/forbidden/u);
    expect(pep.nodes.get(ALICE)?.get(DEVICELIST_NODE)).toBeUndefined();
  });

  it("puts our id back when a device-list notification drops it", async () => {
    const pep = new FakePep();
    const device = await open(pep, ALICE);
    const { deviceId } = await device.setup();
    const ids = device.onPepEvent(ALICE, DEVICELIST_NODE, [{ id: "current", payload: buildDeviceList([777]) }]);
    expect(ids).toEqual([777]);
    await tick();
    expect(listOf(pep, ALICE)).toEqual([777, deviceId]);
  });
});

describe("messages", () => {
  it("decrypts each message once; other tabs read the cached text", async () => {
    const pep = new FakePep();
    const alice = await open(pep, ALICE);
    const bobFactory = new IDBFactory();
    const bobTab1 = await open(pep, BOB, bobFactory);
    const bobTab2 = await open(pep, BOB, bobFactory);
    await alice.setup();
    await bobTab1.setup();

    const sent = await alice.encrypt(BOB, "hi bob");
    const msg = { key: "k1", from: ALICE, xml: sent.xml, hasPayload: true };
    expect(await bobTab2.cached(msg)).toBeUndefined();
    const [a, b] = await Promise.all([bobTab1.decrypt(msg), bobTab2.decrypt(msg)]);
    expect(a).toMatchObject({ kind: "text", text: "hi bob" });
    expect(b).toMatchObject({ kind: "text", text: "hi bob" });
    expect(await bobTab2.cached(msg)).toMatchObject({ kind: "text", text: "hi bob" });
  });

  it("finds its own sent messages (echo in another tab, history) by reference", async () => {
    const pep = new FakePep();
    const factory = new IDBFactory();
    const tab1 = await open(pep, ALICE, factory);
    const tab2 = await open(pep, ALICE, factory);
    const bob = await open(pep, BOB);
    await tab1.setup();
    await bob.setup();
    const sent = await tab1.encrypt(BOB, "from tab 1");
    expect(await tab2.decrypt({ key: "echo", from: ALICE, xml: sent.xml, hasPayload: true })).toMatchObject({
      kind: "text",
      text: "from tab 1",
    });
    await tab1.rememberSent("echo2", "kept");
    expect(await tab2.cached({ key: "echo2", from: ALICE, xml: sent.xml, hasPayload: true })).toMatchObject({
      kind: "text",
      text: "kept",
    });
  });

  it("says 'not encrypted for this browser' when there is no key for us, and never retries", async () => {
    const pep = new FakePep();
    const alice = await open(pep, ALICE);
    const bob = await open(pep, BOB);
    const bobFactory = new IDBFactory();
    const bobLater = await open(pep, BOB, bobFactory);
    await alice.setup();
    await bob.setup();
    await alice.devices(BOB);
    // bobLater's id is now in bob's list, but alice's cached list predates it.
    await bobLater.setup();
    const sent = await alice.encrypt(BOB, "before");
    const msg = { key: "k", from: ALICE, xml: sent.xml, hasPayload: true };
    const result = await bobLater.decrypt(msg);
    expect(result).toMatchObject({ kind: "failed", reason: NOT_FOR_US });
    const reopened = await open(pep, BOB, bobFactory);
    await reopened.setup();
    expect(await reopened.cached(msg)).toMatchObject({ kind: "failed", reason: NOT_FOR_US });
  });

  it("skips and reports devices without a usable bundle; fails when no device of the peer is left", async () => {
    const pep = new FakePep();
    const alice = await open(pep, ALICE);
    const bob = await open(pep, BOB);
    await alice.setup();
    const { deviceId } = await bob.setup();
    await pep.transport(BOB).publish(DEVICELIST_NODE, "current", buildDeviceList([deviceId, 4242]));
    const sent = await alice.encrypt(BOB, "partly");
    expect(sent.recipients).toEqual([{ jid: BOB, id: deviceId }]);
    expect(sent.skipped).toEqual([{ jid: BOB, id: 4242, reason: expect.stringMatching(/bundle/u) }]);
    expect(sent.xml).not.toContain('rid="4242"');

    await pep.transport(BOB).publish(DEVICELIST_NODE, "current", buildDeviceList([4242]));
    await alice.devices(BOB, true);
    await expect(alice.encrypt(BOB, "nobody")).rejects.toThrow(E2EEError);
    await pep.transport(BOB).publish(DEVICELIST_NODE, "current", buildDeviceList([]));
    await alice.devices(BOB, true);
    await expect(alice.encrypt(BOB, "nobody")).rejects.toThrow(/has no OMEMO device/u);
  });

  it("refills and republishes the bundle after a pre key was used", async () => {
    const pep = new FakePep();
    const alice = await open(pep, ALICE);
    const bob = await open(pep, BOB);
    await alice.setup();
    const { deviceId } = await bob.setup();
    const before = parseBundle(pep.nodes.get(BOB)?.get(bundleNode(deviceId))?.[0]?.payload ?? "");
    expect(before.preKeys).toHaveLength(5);
    const sent = await alice.encrypt(BOB, "uses a pre key");
    await bob.decrypt({ key: "k", from: ALICE, xml: sent.xml, hasPayload: true });
    await tick(100);
    const after = parseBundle(pep.nodes.get(BOB)?.get(bundleNode(deviceId))?.[0]?.payload ?? "");
    expect(after.preKeys).toHaveLength(5);
    expect(after.preKeys.map((p) => p.id)).not.toEqual(before.preKeys.map((p) => p.id));
    expect(after.preKeys.map((p) => p.id)).toContain(6);
  });

  it("encrypts for our own other devices too", async () => {
    const pep = new FakePep();
    const phone = await open(pep, ALICE);
    const browser = await open(pep, ALICE);
    const bob = await open(pep, BOB);
    const p = await phone.setup();
    await browser.setup();
    const b = await bob.setup();
    const sent = await browser.encrypt(BOB, "copy for my phone");
    expect(sent.recipients).toEqual([
      { jid: BOB, id: b.deviceId },
      { jid: ALICE, id: p.deviceId },
    ]);
    // The carbon on the phone: sent by our own account.
    expect(await phone.decrypt({ key: "c", from: ALICE, xml: sent.xml, hasPayload: true })).toMatchObject({
      kind: "text",
      text: "copy for my phone",
    });
  });
});

describe("withLock", () => {
  it("runs one holder at a time, in order, and survives failures", async () => {
    const order: string[] = [];
    const slow = withLock("t", async () => {
      order.push("a-start");
      await tick(10);
      order.push("a-end");
    });
    const failing = withLock("t", () => Promise.reject(new Error("boom")));
    const last = withLock("t", async () => order.push("c"));
    await slow;
    await expect(failing).rejects.toThrow("boom");
    await last;
    expect(order).toEqual(["a-start", "a-end", "c"]);
  });
});
