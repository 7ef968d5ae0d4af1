// The app's E2EE service (web/src/core/e2ee.ts) against a fake object: PEP requests and answers, the composer's
// default choice, encrypted sending with the echo's text kept, and in-order decryption of incoming messages.
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it, vi } from "vitest";
import type { ChatMessage, ClientFrame, ServerFrame } from "../../src/protocol/index.ts";
import { E2EEService } from "../src/core/e2ee.ts";
import { PepError } from "../src/crypto/e2ee.ts";
import { DEVICELIST_NODE, buildDeviceList, bundleNode } from "../src/crypto/omemo03-xml.ts";
import { FakePep } from "./omemo-helpers.ts";
import { contact, conv, snapshot } from "./fixtures.ts";

/**
 * A fake Durable Object for several accounts: PEP on FakePep, encrypted messages relayed as the object does.
 * Answers go to the tab that asked; messages to every tab of the recipient. Its accounts' browsers share one
 * IndexedDB unless told otherwise (a service connected again is the same browser after a reload).
 */
class FakeObject {
  readonly pep = new FakePep();
  readonly indexedDB = new IDBFactory();
  readonly tabs = new Map<string, E2EEService[]>();
  readonly frames = new Map<string, ServerFrame[]>();
  /** Every frame the tabs sent, by account. */
  readonly sent = new Map<string, ClientFrame[]>();
  /** "jid node" of fetches the object never answers. */
  readonly silent = new Set<string>();
  #n = 0;

  connect(
    jid: string,
    storage: Map<string, string> = new Map(),
    requestTimeoutMs?: number,
    indexedDB: IDBFactory = this.indexedDB,
  ): E2EEService {
    const service: E2EEService = new E2EEService({
      jid,
      requestTimeoutMs,
      send: (frame) => {
        this.sent.set(jid, [...(this.sent.get(jid) ?? []), frame]);
        queueMicrotask(() => void this.#handle(jid, service, frame));
        return true;
      },
      onChange: () => undefined,
      load: async () => {
        const m = await import("../src/crypto/device.ts");
        return { ...m, openOmemoDevice: (o) => m.openOmemoDevice({ ...o, indexedDB }) };
      },
      storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
    });
    this.tabs.set(jid, [...(this.tabs.get(jid) ?? []), service]);
    return service;
  }

  /** To every tab of `jid`. */
  deliver(jid: string, frame: ServerFrame): void {
    this.#record(jid, frame);
    for (const tab of this.tabs.get(jid) ?? []) tab.handleFrame(frame);
  }

  #answer(jid: string, tab: E2EEService, frame: ServerFrame): void {
    this.#record(jid, frame);
    tab.handleFrame(frame);
  }

  #record(jid: string, frame: ServerFrame): void {
    const list = this.frames.get(jid) ?? [];
    list.push(frame);
    this.frames.set(jid, list);
  }

  /** A PEP notification (XEP-0163 §4.3) of `from`'s current device list, to every tab of `to`. */
  notifyDeviceList(from: string, to: string): void {
    const items = this.pep.nodes.get(from)?.get(DEVICELIST_NODE) ?? [];
    this.deliver(to, { type: "pep.event", jid: from, node: DEVICELIST_NODE, items: [...items] });
  }

  async #handle(jid: string, tab: E2EEService, frame: ClientFrame): Promise<void> {
    const t = this.pep.transport(jid);
    switch (frame.type) {
      case "pep.fetch":
        if (this.silent.has(`${frame.jid} ${frame.node}`)) return;
        try {
          const items = await t.fetch(frame.jid, frame.node);
          this.#answer(jid, tab, {
            type: "pep.items",
            requestId: frame.requestId,
            jid: frame.jid,
            node: frame.node,
            items: [...items],
          });
        } catch (err) {
          this.#answer(jid, tab, {
            type: "error",
            code: "pep-failed",
            message: (err as Error).message,
            requestId: frame.requestId,
          });
        }
        return;
      case "pep.publish":
        await t.publish(frame.node, frame.itemId, frame.payload);
        this.#answer(jid, tab, { type: "ack", requestId: frame.requestId });
        return;
      case "message.send-encrypted": {
        const ts = 1000 + this.#n++;
        const encrypted = {
          namespace: "eu.siacs.conversations.axolotl" as const,
          xml: frame.encrypted,
          hasPayload: frame.encrypted.includes("<payload>"),
        };
        const out: ChatMessage = {
          key: `o${ts}`,
          peer: frame.to,
          direction: "out",
          body: "",
          ts,
          receipt: "sent",
          encrypted,
        };
        this.#answer(jid, tab, {
          type: "message",
          message: out,
          conversation: conv(frame.to, ts),
          requestId: frame.requestId,
        });
        for (const other of this.tabs.get(jid) ?? []) {
          if (other !== tab) other.handleFrame({ type: "message", message: out, conversation: conv(frame.to, ts) });
        }
        const inc: ChatMessage = { key: `i${ts}`, peer: jid, direction: "in", body: "", ts, receipt: null, encrypted };
        this.deliver(frame.to, { type: "message", message: inc, conversation: conv(jid, ts) });
        return;
      }
      default:
        return;
    }
  }
}

const ALICE = "alice@localhost";
const BOB = "bob@localhost";
const CAROL = "carol@localhost";
const emptyList = buildDeviceList([]);

describe("PEP over the socket", () => {
  it("answers fetches with pep.items, errors with PepError, publishes with ack", async () => {
    const sent: ClientFrame[] = [];
    const s = new E2EEService({
      jid: ALICE,
      send: (f) => (sent.push(f), true),
      onChange: () => undefined,
      storage: null,
    });
    const fetching = s.transport.fetch(BOB, "eu.siacs.conversations.axolotl.devicelist");
    const publishing = s.transport.publish("eu.siacs.conversations.axolotl.devicelist", "current", "<list/>");
    const failing = s.transport.fetch(BOB, "eu.siacs.conversations.axolotl.bundles:1");
    const [f1, f2, f3] = sent;
    if (f1?.type !== "pep.fetch" || f2?.type !== "pep.publish" || f3?.type !== "pep.fetch") throw new Error("frames");
    expect(
      s.handleFrame({
        type: "pep.items",
        requestId: f1.requestId,
        jid: BOB,
        node: f1.node,
        items: [{ id: "current", payload: "<x/>" }],
      }),
    ).toBe(true);
    expect(s.handleFrame({ type: "ack", requestId: f2.requestId })).toBe(true);
    expect(
      s.handleFrame({ type: "error", code: "pep-failed", message: "cancel/item-not-found", requestId: f3.requestId }),
    ).toBe(true);
    expect(await fetching).toEqual([{ id: "current", payload: "<x/>" }]);
    await publishing;
    const err: unknown = await failing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PepError);
    expect((err as PepError).condition).toBe("item-not-found");
    // Not ours: the app handles these.
    expect(s.handleFrame({ type: "ack", requestId: "other" })).toBe(false);
    expect(s.handleFrame({ type: "error", code: "send-failed", message: "x", requestId: "other" })).toBe(false);
  });

  it("fails at once when the socket is down, and on timeout", async () => {
    vi.useFakeTimers();
    try {
      const down = new E2EEService({ jid: ALICE, send: () => false, onChange: () => undefined, storage: null });
      await expect(down.transport.fetch(BOB, "n")).rejects.toMatchObject({ condition: "not-connected" });
      const silent = new E2EEService({
        jid: ALICE,
        send: () => true,
        onChange: () => undefined,
        storage: null,
        requestTimeoutMs: 50,
      });
      const p = silent.transport.fetch(BOB, "n");
      const check = expect(p).rejects.toMatchObject({ condition: "timeout" });
      await vi.advanceTimersByTimeAsync(60);
      await check;
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("end to end through the service", () => {
  it("sets up, defaults to encrypted for an OMEMO contact, sends, and both sides show the text", async () => {
    const server = new FakeObject();
    const aliceStorage = new Map<string, string>();
    const alice = server.connect(ALICE, aliceStorage);
    const bob = server.connect(BOB);
    server.deliver(ALICE, snapshot({ self: { jid: ALICE, show: "online", status: "" } }));
    server.deliver(BOB, snapshot({ self: { jid: BOB, show: "online", status: "" } }));
    await vi.waitFor(() => expect(alice.status).toBe("ready"), { timeout: 10_000 });
    await vi.waitFor(() => expect(bob.status).toBe("ready"), { timeout: 10_000 });
    expect(alice.deviceId).not.toBeNull();

    // A contact without OMEMO: not encrypted by default.
    alice.fetchDevices("carol@localhost");
    expect(alice.composer("carol@localhost").encrypt).toBeNull();
    await vi.waitFor(() => expect(alice.composer("carol@localhost").encrypt).toBe(false));

    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect(alice.composer(BOB).encrypt).toBe(true));
    expect(alice.composer(BOB).status).toMatch(/1 device/u);

    const result = await alice.sendEncrypted(BOB, "secret ✓");
    expect(result.ok).toBe(true);
    await vi.waitFor(() => {
      const echo = server.frames.get(ALICE)?.find((f) => f.type === "message");
      expect(echo?.type === "message" && alice.plaintext(echo.message.key)).toMatchObject({
        kind: "text",
        text: "secret ✓",
      });
    });
    await vi.waitFor(() => {
      const incoming = server.frames.get(BOB)?.find((f) => f.type === "message");
      expect(incoming?.type === "message" && bob.plaintext(incoming.message.key)).toMatchObject({
        kind: "text",
        text: "secret ✓",
      });
    });

    // Bob answers; alice decrypts.
    bob.fetchDevices(ALICE);
    expect(await bob.encryptFor(ALICE)).toBe(true);
    expect((await bob.sendEncrypted(ALICE, "reply")).ok).toBe(true);
    await vi.waitFor(() => {
      const incoming = server.frames.get(ALICE)?.filter((f) => f.type === "message" && f.message.direction === "in");
      const m = incoming?.[0];
      expect(m?.type === "message" && alice.plaintext(m.message.key)).toMatchObject({ kind: "text", text: "reply" });
    });

    // The choice sticks (and is remembered).
    alice.setEncrypt(BOB, false);
    expect(alice.composer(BOB)).toMatchObject({ encrypt: false, explicit: true });
    expect(aliceStorage.get(`parley-omemo-choices:${ALICE}`)).toBe(JSON.stringify({ [BOB]: false }));
    const again = server.connect(ALICE, aliceStorage);
    expect(again.composer(BOB)).toMatchObject({ encrypt: false, explicit: true });
  }, 30_000);

  it("refuses to send when the contact has no OMEMO device (nothing leaves the tab)", async () => {
    const server = new FakeObject();
    const alice = server.connect(ALICE);
    server.deliver(ALICE, snapshot({ self: { jid: ALICE, show: "online", status: "" } }));
    await vi.waitFor(() => expect(alice.status).toBe("ready"), { timeout: 10_000 });
    const result = await alice.sendEncrypted("carol@localhost", "hello");
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/has no OMEMO device/u), offerPlain: true });
    expect(server.frames.get(ALICE)?.some((f) => f.type === "message")).toBe(false);
  }, 30_000);

  it("shows 'not encrypted for this browser' for a message without our key", async () => {
    const server = new FakeObject();
    const alice = server.connect(ALICE);
    server.deliver(ALICE, snapshot({ self: { jid: ALICE, show: "online", status: "" } }));
    await vi.waitFor(() => expect(alice.status).toBe("ready"), { timeout: 10_000 });
    const xml =
      '<encrypted xmlns="eu.siacs.conversations.axolotl"><header sid="5"><key rid="6">AQ==</key>' +
      "<iv>AAAAAAAAAAAAAAAA</iv></header><payload>AQ==</payload></encrypted>";
    const m: ChatMessage = {
      key: "x1",
      peer: BOB,
      direction: "in",
      body: "",
      ts: 1,
      receipt: null,
      encrypted: { namespace: "eu.siacs.conversations.axolotl", xml, hasPayload: true },
    };
    alice.handleFrame({ type: "history", requestId: "h", peer: BOB, messages: [m], hasMore: false });
    expect(alice.plaintext("x1")).toEqual({ kind: "pending" });
    await vi.waitFor(() =>
      expect(alice.plaintext("x1")).toMatchObject({ kind: "failed", reason: "Not encrypted for this browser." }),
    );
  }, 30_000);

  it("does not fall back to clear text when a contact's device list got no answer", async () => {
    const server = new FakeObject();
    const alice = server.connect(ALICE, new Map(), 200);
    server.deliver(ALICE, snapshot({ self: { jid: ALICE, show: "online", status: "" } }));
    await vi.waitFor(() => expect(alice.status).toBe("ready"), { timeout: 10_000 });
    server.silent.add(`${BOB} eu.siacs.conversations.axolotl.devicelist`);
    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect(alice.peer(BOB)).toMatchObject({ loading: false, transient: true }));
    expect(alice.composer(BOB).encrypt).toBeNull();
    expect(await alice.encryptFor(BOB)).toBe(true);
    const result = await alice.sendEncrypted(BOB, "hello");
    expect(result.ok).toBe(false);

    // A definite answer (the contact's server refuses) is not a reason to block clear text.
    server.pep.failing.set(`carol@localhost eu.siacs.conversations.axolotl.devicelist`, "forbidden");
    alice.fetchDevices("carol@localhost");
    await vi.waitFor(() => expect(alice.peer("carol@localhost")).toMatchObject({ loading: false, transient: false }));
    expect(alice.composer("carol@localhost").encrypt).toBe(false);
  }, 30_000);
});

describe("trust through the service", () => {
  it("shows the sending device and its trust, lists devices with fingerprints, applies Verify", async () => {
    const server = new FakeObject();
    const alice = server.connect(ALICE);
    const bob = server.connect(BOB);
    server.deliver(ALICE, snapshot({ self: { jid: ALICE, show: "online", status: "" } }));
    server.deliver(BOB, snapshot({ self: { jid: BOB, show: "online", status: "" } }));
    await vi.waitFor(() => expect(alice.status).toBe("ready"), { timeout: 10_000 });
    await vi.waitFor(() => expect(bob.status).toBe("ready"), { timeout: 10_000 });
    const bobId = bob.deviceId ?? 0;

    expect((await bob.sendEncrypted(ALICE, "hi")).ok).toBe(true);
    const incomingKey = (): string => {
      const f = server.frames.get(ALICE)?.find((x) => x.type === "message" && x.message.direction === "in");
      return f?.type === "message" ? f.message.key : "";
    };
    await vi.waitFor(() =>
      expect(alice.security(incomingKey(), BOB, "in")).toEqual({ deviceId: bobId, trust: "blind", self: false }),
    );
    // Bob's own echo: sent from this browser.
    const echo = server.frames.get(BOB)?.find((x) => x.type === "message" && x.message.direction === "out");
    expect(echo?.type === "message" && bob.security(echo.message.key, ALICE, "out")).toEqual({
      deviceId: bobId,
      trust: "verified",
      self: true,
    });

    const devices = await alice.describeDevices(BOB);
    expect(devices).toEqual([
      {
        jid: BOB,
        deviceId: bobId,
        fingerprint: expect.stringMatching(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/u),
        trust: "blind",
        self: false,
      },
    ]);
    const own = await alice.describeDevices(ALICE);
    expect(own).toEqual([expect.objectContaining({ deviceId: alice.deviceId, self: true })]);

    await alice.setTrust(BOB, bobId, "verify");
    expect(alice.security(incomingKey(), BOB, "in")?.trust).toBe("verified");
  }, 30_000);
});

describe("heartbeat through the service", () => {
  it("answers 50 received messages with an empty key-transport message, once", async () => {
    const server = new FakeObject();
    const alice = server.connect(ALICE);
    const bob = server.connect(BOB);
    server.deliver(ALICE, snapshot({ self: { jid: ALICE, show: "online", status: "" } }));
    server.deliver(BOB, snapshot({ self: { jid: BOB, show: "online", status: "" } }));
    await vi.waitFor(() => expect(alice.status).toBe("ready"), { timeout: 10_000 });
    await vi.waitFor(() => expect(bob.status).toBe("ready"), { timeout: 10_000 });
    const heartbeats = (): number =>
      server.frames
        .get(BOB)
        ?.filter((f) => f.type === "message" && f.message.direction === "in" && !f.message.encrypted?.hasPayload)
        .length ?? 0;
    for (let i = 0; i < 50; i++) expect((await bob.sendEncrypted(ALICE, `m${i}`)).ok).toBe(true);
    await vi.waitFor(() => expect(heartbeats()).toBe(1), { timeout: 20_000 });
    // Bob processes it silently.
    const hb = server.frames
      .get(BOB)
      ?.find((f) => f.type === "message" && f.message.direction === "in" && !f.message.encrypted?.hasPayload);
    await vi.waitFor(() => expect(hb?.type === "message" && bob.plaintext(hb.message.key)).toEqual({ kind: "hidden" }));
    expect((await bob.sendEncrypted(ALICE, "one more")).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(heartbeats()).toBe(1);
  }, 60_000);
});

/** Snapshots for `jid`'s newest tab, then waits until its device is set up and published. */
async function ready(server: FakeObject, jid: string, service: E2EEService): Promise<void> {
  service.handleFrame(snapshot({ self: { jid, show: "online", status: "" }, roster: [] }));
  await vi.waitFor(() => expect(service.status).toBe("ready"), { timeout: 10_000 });
  await vi.waitFor(() => expect(server.pep.nodes.get(jid)?.get(DEVICELIST_NODE)?.length).toBe(1));
}

/** A fresh object with alice and bob connected, each with its OMEMO device set up. */
async function aliceAndBob() {
  const server = new FakeObject();
  const alice = server.connect(ALICE);
  const bob = server.connect(BOB);
  await ready(server, ALICE, alice);
  await ready(server, BOB, bob);
  return { server, alice, bob };
}

function incoming(server: FakeObject, jid: string): ChatMessage[] {
  return (server.frames.get(jid) ?? []).flatMap((f) =>
    f.type === "message" && f.message.direction === "in" ? [f.message] : [],
  );
}

/** Key rids of an encrypted element (XEP-0384 v0.3 §4.5). */
function rids(xml: string): number[] {
  return [...xml.matchAll(/<key [^>]*rid="(\d+)"/gu)].map((m) => Number(m[1]));
}

describe("no silent downgrade once OMEMO was in use (issue #6, finding 2)", () => {
  it("an empty, missing or forbidden device list blocks the send with a warning instead of sending in clear", async () => {
    const server = new FakeObject();
    const aliceStorage = new Map<string, string>();
    const alice = server.connect(ALICE, aliceStorage);
    const bob = server.connect(BOB);
    await ready(server, ALICE, alice);
    await ready(server, BOB, bob);

    // Bob writes encrypted before alice ever looked at his devices; alice decrypts it: OMEMO is in use.
    expect((await bob.sendEncrypted(ALICE, "hi alice")).ok).toBe(true);
    await vi.waitFor(() =>
      expect(alice.plaintext(incoming(server, ALICE)[0]?.key ?? "")).toMatchObject({ text: "hi alice" }),
    );

    const bobList = server.pep.nodes.get(BOB)?.get(DEVICELIST_NODE) ?? [];
    const cases: [string, () => void][] = [
      ["an empty list", () => server.pep.nodes.get(BOB)?.set(DEVICELIST_NODE, [{ id: "current", payload: emptyList }])],
      ["item-not-found", () => server.pep.nodes.get(BOB)?.delete(DEVICELIST_NODE)],
      ["forbidden", () => server.pep.failing.set(`${BOB} ${DEVICELIST_NODE}`, "forbidden")],
    ];
    for (const [what, breakList] of cases) {
      breakList();
      alice.fetchDevices(BOB);
      await vi.waitFor(() => expect(alice.peer(BOB).loading).toBe(false));
      expect(alice.composer(BOB), what).toMatchObject({
        encrypt: true,
        explicit: false,
        warning: true,
        status: expect.stringMatching(/^OMEMO is in use with bob@localhost, but .*Nothing is sent unencrypted/u),
      });
      expect(await alice.encryptFor(BOB), what).toBe(true);
      const result = await alice.sendEncrypted(BOB, `secret (${what})`);
      expect(result, what).toMatchObject({
        ok: false,
        offerPlain: true,
        error: expect.stringMatching(/OMEMO was in use with this contact, so nothing is sent unencrypted/u),
      });
      // Nothing went out: no encrypted message, and above all no clear one.
      expect(server.sent.get(ALICE)?.filter((f) => f.type.startsWith("message.")) ?? []).toEqual([]);
      server.pep.failing.clear();
      server.pep.nodes.get(BOB)?.set(DEVICELIST_NODE, bobList);
    }

    expect(alice.omemoSince(BOB)).not.toBeNull();

    // After a reload, the flag is still there (the device's IndexedDB), before any device list is known.
    server.pep.failing.set(`${BOB} ${DEVICELIST_NODE}`, "forbidden");
    const again = server.connect(ALICE, aliceStorage);
    again.warmUp();
    expect(await again.encryptFor(BOB)).toBe(true);
    expect(again.composer(BOB)).toMatchObject({ encrypt: true, warning: true });
    expect((await again.sendEncrypted(BOB, "still held")).ok).toBe(false);

    // The list is readable again: the same send goes out encrypted.
    server.pep.failing.clear();
    const sent = await again.sendEncrypted(BOB, "now encrypted");
    expect(sent.ok).toBe(true);
    await vi.waitFor(() =>
      expect(incoming(server, BOB).map((m) => bob.plaintext(m.key))).toContainEqual(
        expect.objectContaining({ text: "now encrypted" }),
      ),
    );
  }, 60_000);

  it("takes device lists from notifications and fetches again when the contact's presence starts reaching us", async () => {
    const { server, alice, bob } = await aliceAndBob();
    const bobId = bob.deviceId ?? 0;

    // A presence-model node of someone whose presence we do not get: forbidden. Nothing known about OMEMO yet.
    server.pep.failing.set(`${BOB} ${DEVICELIST_NODE}`, "forbidden");
    alice.handleFrame(
      snapshot({
        self: { jid: ALICE, show: "online", status: "" },
        roster: [contact(BOB, { subscription: "none", ask: true })],
      }),
    );
    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect(alice.peer(BOB)).toMatchObject({ loading: false, devices: null }));
    expect(alice.peer(BOB).error).toMatch(/forbidden/u);

    // Bob accepts: the roster push says "to"; the list is fetched again, now readable.
    server.pep.failing.clear();
    alice.handleFrame({ type: "roster", items: [{ ...contact(BOB, { subscription: "to" }) }], removed: [] });
    await vi.waitFor(() => expect(alice.peer(BOB).devices).toEqual([bobId]));
    expect(alice.omemoSince(BOB)).not.toBeNull();
    expect(alice.composer(BOB).encrypt).toBe(true);

    // A +notify event (XEP-0163 §4.3) is a device list too.
    const carol = server.connect(CAROL);
    await ready(server, CAROL, carol);
    expect(alice.peer(CAROL).devices).toBeNull();
    server.notifyDeviceList(CAROL, ALICE);
    await vi.waitFor(() => expect(alice.peer(CAROL).devices).toEqual([carol.deviceId]));
    await vi.waitFor(() => expect(alice.omemoSince(CAROL)).not.toBeNull());
  }, 60_000);
});

describe("device changes are announced (issue #6, finding 7)", () => {
  it("a new device of a known contact, and of our own account, produces a notice with its fingerprint", async () => {
    const { server, alice, bob } = await aliceAndBob();
    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect(alice.peer(BOB).devices).toEqual([bob.deviceId]));
    // The first list of a contact is recorded, not announced.
    expect(alice.notices(BOB)).toEqual([]);

    // Bob signs in from a second browser (its own IndexedDB): his list grows, alice is notified.
    const bob2 = server.connect(BOB, new Map(), undefined, new IDBFactory());
    await ready(server, BOB, bob2);
    await vi.waitFor(() =>
      expect(server.pep.nodes.get(BOB)?.get(DEVICELIST_NODE)?.[0]?.payload).toContain(`${bob2.deviceId}`),
    );
    const bob2Fingerprint = (await bob2.describeDevices(BOB)).find((d) => d.self)?.fingerprint;
    expect(bob2Fingerprint).toMatch(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/u);
    server.notifyDeviceList(BOB, ALICE);
    await vi.waitFor(() =>
      expect(alice.notices(BOB)).toEqual([
        expect.objectContaining({
          jid: BOB,
          kind: "added",
          deviceId: bob2.deviceId,
          fingerprint: bob2Fingerprint,
          trust: "blind",
        }),
      ]),
    );
    // The same list again (another notification, a fetch): no second notice.
    server.notifyDeviceList(BOB, ALICE);
    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect(alice.peer(BOB).loading).toBe(false));
    expect(alice.notices(BOB)).toHaveLength(1);

    // Alice's own account gets a new device: told in her conversations where OMEMO is in use.
    const alice2 = server.connect(ALICE, new Map(), undefined, new IDBFactory());
    await ready(server, ALICE, alice2);
    server.notifyDeviceList(ALICE, ALICE);
    await vi.waitFor(() =>
      expect(alice.notices(ALICE)).toEqual([
        expect.objectContaining({ jid: ALICE, kind: "added", deviceId: alice2.deviceId }),
      ]),
    );
    expect(alice.notices(BOB).map((n) => [n.jid, n.kind])).toEqual([
      [BOB, "added"],
      [ALICE, "added"],
    ]);
    // Not where OMEMO was never in use.
    expect(alice.notices(CAROL)).toEqual([]);

    // A device leaves the list: told too.
    await bob2.removeOwnDevice(bob.deviceId ?? 0);
    server.notifyDeviceList(BOB, ALICE);
    await vi.waitFor(() =>
      expect(alice.notices(BOB).at(-1)).toMatchObject({ jid: BOB, kind: "removed", deviceId: bob.deviceId }),
    );
  }, 60_000);

  it("a device announced before its bundle: the notice gets its fingerprint once the key is read", async () => {
    const { server, alice, bob } = await aliceAndBob();
    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect(alice.peer(BOB).devices).toEqual([bob.deviceId]));
    const bob2 = server.connect(BOB, new Map(), undefined, new IDBFactory());
    await ready(server, BOB, bob2);
    await vi.waitFor(() =>
      expect(server.pep.nodes.get(BOB)?.get(DEVICELIST_NODE)?.[0]?.payload).toContain(`${bob2.deviceId}`),
    );
    // The list reaches alice while the new device's bundle cannot be read yet.
    const bundle = bundleNode(bob2.deviceId ?? 0);
    server.pep.failing.set(`${BOB} ${bundle}`, "item-not-found");
    server.notifyDeviceList(BOB, ALICE);
    await vi.waitFor(() =>
      expect(alice.notices(BOB)).toEqual([
        expect.objectContaining({ kind: "added", deviceId: bob2.deviceId, fingerprint: null }),
      ]),
    );
    // The bundle is there now: the next message is encrypted for the new device too (it was not held against
    // it), and the notice shows its fingerprint.
    server.pep.failing.clear();
    const sent = await alice.sendEncrypted(BOB, "to both");
    expect(sent).toMatchObject({ ok: true, skipped: [] });
    const fingerprint = (await bob2.describeDevices(BOB)).find((d) => d.self)?.fingerprint;
    await vi.waitFor(() =>
      expect(alice.notices(BOB)).toEqual([
        expect.objectContaining({ deviceId: bob2.deviceId, fingerprint, trust: "blind" }),
      ]),
    );
  }, 60_000);

  it("'Only verified devices' encrypts for verified devices only, blocks while there is none, and is kept", async () => {
    const server = new FakeObject();
    const aliceStorage = new Map<string, string>();
    const alice = server.connect(ALICE, aliceStorage);
    const bob1 = server.connect(BOB);
    await ready(server, ALICE, alice);
    await ready(server, BOB, bob1);
    const bob2 = server.connect(BOB, new Map(), undefined, new IDBFactory());
    await ready(server, BOB, bob2);
    const [id1, id2] = [bob1.deviceId ?? 0, bob2.deviceId ?? 0];
    alice.fetchDevices(BOB);
    await vi.waitFor(() => expect([...(alice.peer(BOB).devices ?? [])].sort()).toEqual([id1, id2].sort()));
    expect((await alice.describeDevices(BOB)).map((d) => d.trust)).toEqual(["blind", "blind"]);

    await alice.setOnlyVerified(BOB, true);
    expect(alice.onlyVerified(BOB)).toBe(true);
    expect(alice.composer(BOB)).toMatchObject({
      encrypt: true,
      warning: true,
      status: expect.stringMatching(/Only verified devices/u),
    });
    const refused = await alice.sendEncrypted(BOB, "for verified eyes");
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/"Only verified devices" is on/u) });
    expect(server.sent.get(ALICE)?.filter((f) => f.type.startsWith("message.")) ?? []).toEqual([]);

    await alice.setTrust(BOB, id1, "verify");
    expect(alice.composer(BOB)).toMatchObject({
      warning: false,
      status: expect.stringMatching(/1 verified device .*1 unverified device left out/u),
    });
    const sent = await alice.sendEncrypted(BOB, "for verified eyes");
    expect(sent).toMatchObject({ ok: true, skipped: [{ jid: BOB, id: id2, reason: "not verified" }] });
    const frame = server.sent.get(ALICE)?.find((f) => f.type === "message.send-encrypted");
    const xml = frame?.type === "message.send-encrypted" ? frame.encrypted : "";
    expect(rids(xml)).toContain(id1);
    expect(rids(xml)).not.toContain(id2);

    // Kept in the device's store.
    const again = server.connect(ALICE, aliceStorage);
    again.warmUp();
    await vi.waitFor(() => expect(again.onlyVerified(BOB)).toBe(true));
  }, 60_000);
});
