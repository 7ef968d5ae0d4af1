// The app's E2EE service (web/src/core/e2ee.ts) against a fake object: PEP requests and answers, the composer's
// default choice, encrypted sending with the echo's text kept, and in-order decryption of incoming messages.
import "fake-indexeddb/auto";
import { describe, expect, it, vi } from "vitest";
import type { ChatMessage, ClientFrame, ServerFrame } from "../../src/protocol/index.ts";
import { E2EEService } from "../src/core/e2ee.ts";
import { PepError } from "../src/crypto/e2ee.ts";
import { FakePep } from "./omemo-helpers.ts";
import { conv, snapshot } from "./fixtures.ts";

/** A fake Durable Object for several accounts: PEP on FakePep, encrypted messages relayed as the object does. */
class FakeObject {
  readonly pep = new FakePep();
  readonly tabs = new Map<string, E2EEService>();
  readonly frames = new Map<string, ServerFrame[]>();
  /** "jid node" of fetches the object never answers. */
  readonly silent = new Set<string>();
  #n = 0;

  connect(jid: string, storage: Map<string, string> = new Map(), requestTimeoutMs?: number): E2EEService {
    const service = new E2EEService({
      jid,
      requestTimeoutMs,
      send: (frame) => {
        queueMicrotask(() => void this.#handle(jid, frame));
        return true;
      },
      onChange: () => undefined,
      load: () => import("../src/crypto/device.ts"),
      storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
    });
    this.tabs.set(jid, service);
    return service;
  }

  deliver(jid: string, frame: ServerFrame): void {
    const list = this.frames.get(jid) ?? [];
    list.push(frame);
    this.frames.set(jid, list);
    this.tabs.get(jid)?.handleFrame(frame);
  }

  async #handle(jid: string, frame: ClientFrame): Promise<void> {
    const t = this.pep.transport(jid);
    switch (frame.type) {
      case "pep.fetch":
        if (this.silent.has(`${frame.jid} ${frame.node}`)) return;
        try {
          const items = await t.fetch(frame.jid, frame.node);
          this.deliver(jid, {
            type: "pep.items",
            requestId: frame.requestId,
            jid: frame.jid,
            node: frame.node,
            items: [...items],
          });
        } catch (err) {
          this.deliver(jid, {
            type: "error",
            code: "pep-failed",
            message: (err as Error).message,
            requestId: frame.requestId,
          });
        }
        return;
      case "pep.publish":
        await t.publish(frame.node, frame.itemId, frame.payload);
        this.deliver(jid, { type: "ack", requestId: frame.requestId });
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
        this.deliver(jid, {
          type: "message",
          message: out,
          conversation: conv(frame.to, ts),
          requestId: frame.requestId,
        });
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
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/has no OMEMO device/u) });
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
