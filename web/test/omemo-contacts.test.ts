// The stored per-account OMEMO state (web/src/crypto/contacts.ts), the send decision built on it
// (web/src/core/omemo-policy.ts), the notice texts, the device's identity-change notices and the IndexedDB upgrade.
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { composerState } from "../src/core/omemo-policy.ts";
import type { PolicyInput } from "../src/core/omemo-policy.ts";
import {
  MAX_NOTICES,
  emptyContact,
  newNotice,
  parseContact,
  withDeviceList,
  withFingerprint,
  withInUse,
  withNotices,
} from "../src/crypto/contacts.ts";
import type { ContactOmemo } from "../src/crypto/contacts.ts";
import { OmemoDevice } from "../src/crypto/device.ts";
import { DB_VERSION, Kv, openDatabase, requestToPromise } from "../src/crypto/idb.ts";
import { noticeLine } from "../src/features/omemo/notice-text.ts";
import { FakePep, makeDevice, publishDevice } from "./omemo-helpers.ts";

const ALICE = "alice@localhost";
const BOB = "bob@localhost";
const FP = "05050505 06060606 07070707 08080808 09090909 0a0a0a0a 0b0b0b0b 0c0c0c0c";

describe("the stored record", () => {
  it("parses field by field and drops what is not valid", () => {
    expect(parseContact(null)).toBeNull();
    expect(parseContact({ inUseSince: 5 })).toBeNull();
    const notice = newNotice(BOB, "added", 7, FP, "blind", 10);
    expect(
      parseContact({
        jid: BOB,
        inUseSince: "yesterday",
        onlyVerified: "yes",
        devices: [1, -2, 3.5, 2 ** 31, 4],
        notices: [notice, { ...notice, kind: "stolen" }, { ...notice, deviceId: 0 }, "x"],
      }),
    ).toEqual({ jid: BOB, inUseSince: null, onlyVerified: false, devices: [1, 4], notices: [notice] });
    const full: ContactOmemo = { jid: BOB, inUseSince: 3, onlyVerified: true, devices: [9], notices: [notice] };
    expect(parseContact(JSON.parse(JSON.stringify(full)))).toEqual(full);
  });

  it("keeps the earliest time OMEMO was seen in use", () => {
    const c = withInUse(emptyContact(BOB), 50);
    expect(c.inUseSince).toBe(50);
    expect(withInUse(c, 70)).toBe(c);
    expect(withInUse(c, 20).inUseSince).toBe(20);
  });

  it("records the first list without changes, then reports added and removed devices (never this one)", () => {
    const first = withDeviceList(emptyContact(ALICE), [1, 2], 100, 2);
    expect(first).toEqual({
      next: { ...emptyContact(ALICE), inUseSince: 100, devices: [1, 2] },
      added: [],
      removed: [],
    });
    const same = withDeviceList(first.next, [2, 1], 200, 2);
    expect(same.next).toBe(first.next);
    const changed = withDeviceList(first.next, [2, 3], 300, 2);
    expect(changed).toMatchObject({ added: [3], removed: [1], next: { devices: [2, 3], inUseSince: 100 } });
    // Losing our own id is not a "removed" notice (device.ts puts it back).
    expect(withDeviceList(changed.next, [3], 400, 2)).toMatchObject({ added: [], removed: [] });
  });

  it("does not record an empty list: the devices that come back are not new", () => {
    const known = withDeviceList(emptyContact(BOB), [1, 2], 100, null).next;
    const empty = withDeviceList(known, [], 200, null);
    expect(empty).toEqual({ next: known, added: [], removed: [] });
    expect(withDeviceList(empty.next, [1, 2], 300, null)).toMatchObject({ added: [], removed: [] });
    // And an empty list never sets "in use".
    expect(withDeviceList(emptyContact(BOB), [], 1, null).next.inUseSince).toBeNull();
  });

  it("appends notices, skips a repeat of the latest one about the same device, keeps the newest ones", () => {
    const a = newNotice(BOB, "added", 7, FP, "blind", 1);
    let c = withNotices(emptyContact(BOB), [a]);
    expect(c.notices).toEqual([a]);
    expect(withNotices(c, [{ ...newNotice(BOB, "added", 7, FP, "blind", 2) }])).toBe(c);
    c = withNotices(c, [newNotice(BOB, "removed", 7, FP, "blind", 3), newNotice(BOB, "added", 7, FP, null, 4)]);
    expect(c.notices.map((n) => n.kind)).toEqual(["added", "removed", "added"]);
    for (let i = 0; i < MAX_NOTICES + 5; i++) c = withNotices(c, [newNotice(BOB, "added", 100 + i, FP, null, 10 + i)]);
    expect(c.notices).toHaveLength(MAX_NOTICES);
    expect(c.notices.at(-1)?.deviceId).toBe(100 + MAX_NOTICES + 4);
  });
});

describe("a key read after its notice", () => {
  it("fills the fingerprint of the latest 'added' notice of that device, only when it had none", () => {
    const pending = withNotices(emptyContact(BOB), [newNotice(BOB, "added", 7, null, null, 1)]);
    const filled = withFingerprint(pending, { deviceId: 7, fingerprint: FP, trust: "untrusted" });
    expect(filled.notices).toEqual([expect.objectContaining({ deviceId: 7, fingerprint: FP, trust: "untrusted" })]);
    expect(withFingerprint(filled, { deviceId: 7, fingerprint: "other", trust: "blind" })).toBe(filled);
    expect(withFingerprint(pending, { deviceId: 8, fingerprint: FP, trust: "blind" })).toBe(pending);
  });
});

describe("the send decision", () => {
  const base: PolicyInput = {
    peer: BOB,
    status: "ready",
    statusReason: "",
    choice: undefined,
    devices: { devices: [], loading: false, error: null, transient: false },
    inUse: false,
    onlyVerified: false,
    trust: undefined,
  };
  const failed = {
    devices: null,
    loading: false,
    error: "Cannot get the OMEMO devices (PEP forbidden).",
    transient: false,
  };

  it("without OMEMO in use, no device means clear text (as before)", () => {
    expect(composerState(base)).toMatchObject({ encrypt: false, warning: false, status: "Not encrypted." });
    expect(composerState({ ...base, devices: failed })).toMatchObject({ encrypt: false, warning: false });
  });

  it("with OMEMO in use, an empty, missing or unreadable list keeps it encrypted and warns", () => {
    for (const devices of [base.devices, failed]) {
      expect(composerState({ ...base, inUse: true, devices })).toMatchObject({
        encrypt: true,
        explicit: false,
        warning: true,
        status: expect.stringContaining("Nothing is sent unencrypted unless you confirm it."),
      });
    }
    // Also while the list is being fetched, and before the device has started.
    const loading = { devices: null, loading: true, error: null, transient: false };
    expect(composerState({ ...base, inUse: true, devices: loading }).encrypt).toBe(true);
    // Only the user's explicit choice sends clear text.
    expect(composerState({ ...base, inUse: true, choice: false })).toMatchObject({
      encrypt: false,
      status: "Not encrypted: this contact uses OMEMO.",
    });
  });

  it("'Only verified devices' counts verified devices only", () => {
    const devices = { devices: [1, 2], loading: false, error: null, transient: false };
    const none = composerState({ ...base, devices, onlyVerified: true, trust: new Map([[1, "blind" as const]]) });
    expect(none).toMatchObject({ encrypt: true, warning: true, status: expect.stringMatching(/no device of bob/u) });
    const one = composerState({ ...base, devices, onlyVerified: true, trust: new Map([[1, "verified" as const]]) });
    expect(one).toMatchObject({
      warning: false,
      status: "Encrypted (OMEMO) for 1 verified device of this contact only. 1 unverified device left out.",
    });
  });
});

describe("notice texts", () => {
  it("names the contact, or says 'your account', with the fingerprint and what it means", () => {
    expect(noticeLine(newNotice(BOB, "added", 7, FP, "blind", 1), "Bob", false)).toBe(
      `Bob added a new device (fingerprint ${FP}). Messages are encrypted for it: compare its fingerprint in Devices if you did not expect this.`,
    );
    expect(noticeLine(newNotice(ALICE, "added", 7, FP, "untrusted", 1), "", true)).toBe(
      `Your account has a new device (fingerprint ${FP}). It is not trusted: nothing is encrypted for it unless you accept it in Devices.`,
    );
    expect(noticeLine(newNotice(BOB, "key-changed", 7, FP, "untrusted", 1), "Bob", false)).toMatch(
      /^Bob's device 7 has a new identity key \(fingerprint /u,
    );
    expect(noticeLine(newNotice(BOB, "removed", 7, FP, "blind", 1), "Bob", false)).toBe("Bob removed device 7.");
  });
});

describe("identity changes seen by the device", () => {
  it("a known device id with another identity key produces a 'key-changed' notice", async () => {
    const pep = new FakePep();
    const contacts: ContactOmemo[] = [];
    const alice = await OmemoDevice.open({
      jid: ALICE,
      transport: pep.transport(ALICE),
      indexedDB: new IDBFactory(),
      preKeyTarget: 3,
      onContactChange: (c) => contacts.push(c),
    });
    await alice.setup();
    const bob = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await publishDevice(pep, bob);
    const id = bob.engine.deviceId ?? 0;
    expect((await alice.encrypt(BOB, "first")).recipients).toEqual([{ jid: BOB, id }]);

    // The same device id with a new key (a reinstall, or someone else's device).
    const other = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await other.engine.ensureDevice();
    const meta = other.store.meta;
    if (!meta) throw new Error("no meta");
    await other.store.saveMeta({ ...meta, deviceId: id });
    const { Omemo03 } = await import("../src/crypto/omemo03.ts");
    const impostor = new Omemo03({ ownJid: BOB, store: other.store, transport: pep.transport(BOB) });
    await publishDevice(pep, { ...other, engine: impostor });
    const sent = await impostor.encrypt(ALICE, BOB, "it is me");
    await alice.decrypt({ key: "k1", from: BOB, xml: sent.xml, hasPayload: true });

    const newKey = await impostor.ownFingerprint();
    await expect
      .poll(() => contacts.at(-1)?.notices)
      .toEqual([expect.objectContaining({ jid: BOB, kind: "key-changed", deviceId: id, fingerprint: newKey })]);
    expect((await alice.contactStates()).find((c) => c.jid === BOB)?.notices).toHaveLength(1);
    alice.close();
  });
});

describe("two tabs of one browser", () => {
  it("a record one tab changes reaches the other (a notice it made, a flag it set)", async () => {
    const pep = new FakePep();
    const factory = new IDBFactory();
    const seen: ContactOmemo[] = [];
    const open = (onContactChange?: (c: ContactOmemo) => void) =>
      OmemoDevice.open({
        jid: ALICE,
        transport: pep.transport(ALICE),
        indexedDB: factory,
        preKeyTarget: 3,
        onContactChange,
      });
    const tab1 = await open();
    const tab2 = await open((c) => seen.push(c));
    await tab1.setup();
    const bob1 = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await publishDevice(pep, bob1);
    await tab1.devices(BOB, true);
    const bob2 = await makeDevice(pep, BOB, { preKeyTarget: 3 });
    await publishDevice(pep, bob2);
    await tab1.devices(BOB, true);
    await expect
      .poll(() => seen.findLast((c) => c.jid === BOB)?.notices)
      .toEqual([expect.objectContaining({ kind: "added", deviceId: bob2.engine.deviceId })]);
    await tab1.setOnlyVerified(BOB, true);
    await expect.poll(() => seen.findLast((c) => c.jid === BOB)?.onlyVerified).toBe(true);
    tab1.close();
    tab2.close();
  });
});

describe("the database upgrade", () => {
  it("adds the contacts store to a version 2 database and keeps what was there", async () => {
    const factory = new IDBFactory();
    const old = factory.open("parley-omemo-upgrade@localhost", 2);
    old.onupgradeneeded = () => {
      for (const name of ["meta", "preKeys", "signedPreKeys", "sessions", "identities", "plaintexts", "trust"]) {
        old.result.createObjectStore(name);
      }
    };
    const v2 = await requestToPromise(old);
    const tx = v2.transaction("plaintexts", "readwrite");
    tx.objectStore("plaintexts").put("kept", "m1");
    await new Promise((resolve) => (tx.oncomplete = resolve));
    v2.close();

    const db = await openDatabase("parley-omemo-upgrade@localhost", factory);
    expect(db.version).toBe(DB_VERSION);
    expect(db.objectStoreNames.contains("contacts")).toBe(true);
    const kv = new Kv(db);
    expect(await kv.get("plaintexts", "m1")).toBe("kept");
    await kv.put("contacts", BOB, { ...emptyContact(BOB), onlyVerified: true });
    expect(parseContact(await kv.get("contacts", BOB))?.onlyVerified).toBe(true);
    kv.close();
  });
});
