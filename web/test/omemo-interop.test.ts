/// <reference types="node" />
// Node types for child_process (this test drives python); they apply to the whole web typecheck, which
// stays browser-safe because web/src compiles without them too.
// Interop of web/src/crypto (libsignal-protocol-typescript) with an independent OMEMO 0.3 implementation,
// python-omemo + python-oldmemo (omemo-interop.py), offline: PEP items are handed over by the test. Exercises the
// bundle and device-list formats both ways (python serialises with ns0: prefixes), pre-key messages in both
// directions, normal messages, key transport, and the 12-byte IV / key||tag layout. Skipped without python-omemo.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICELIST_NODE, bundleNode, parseBundle, parseEncrypted } from "../src/crypto/omemo03-xml.ts";
import { FakePep, makeDevice, publishDevice } from "./omemo-helpers.ts";
import type { TestDevice } from "./omemo-helpers.ts";

const PYTHON = process.env.PARLEY_PYTHON ?? "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./omemo-interop.py", import.meta.url));
const available = spawnSync(PYTHON, ["-c", "import omemo, oldmemo"], { stdio: "ignore" }).status === 0;

type Answer = Record<string, unknown> & { ok: boolean; error?: string; trace?: string };

class PyPeer {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #waiting = new Map<number, (a: Answer) => void>();
  #next = 1;

  constructor() {
    this.#proc = spawn(PYTHON, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    this.#proc.stderr.on("data", (d: Buffer) => process.stderr.write(d));
    createInterface({ input: this.#proc.stdout }).on("line", (line) => {
      const answer = JSON.parse(line) as Answer & { id: number };
      this.#waiting.get(answer.id)?.(answer);
      this.#waiting.delete(answer.id);
    });
  }

  async call(cmd: Record<string, unknown>): Promise<Answer> {
    const id = this.#next++;
    const answer = await new Promise<Answer>((resolve) => {
      this.#waiting.set(id, resolve);
      this.#proc.stdin.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
    if (!answer.ok) throw new Error(`python: ${answer.error}\n${answer.trace ?? ""}`);
    return answer;
  }

  stop(): void {
    this.#proc.stdin.end();
    this.#proc.kill();
  }
}

const PY = "py@localhost";

/** Hands a JS device's published items to python. */
async function share(py: PyPeer, pep: FakePep, device: TestDevice): Promise<void> {
  for (const [node, items] of pep.nodes.get(device.jid) ?? []) {
    const xml = items[0]?.payload;
    if (xml) await py.call({ cmd: "put", jid: device.jid, node, xml });
  }
}

describe.skipIf(!available)("interop with python-omemo (oldmemo)", () => {
  let py: PyPeer;
  let pep: FakePep;
  let pyDevice = 0;

  beforeAll(async () => {
    py = new PyPeer();
    pep = new FakePep();
    const init = await py.call({ cmd: "init", jid: PY });
    pyDevice = init.device_id as number;
    const items = init.items as Record<string, string>;
    const byNode = new Map(Object.entries(items).map(([node, xml]) => [node, [{ id: "current", payload: xml }]]));
    pep.nodes.set(PY, byNode);
  }, 30_000);

  afterAll(() => py?.stop());

  it("reads python's bundle and device list (prefixed XML)", () => {
    const list = pep.nodes.get(PY)?.get(DEVICELIST_NODE)?.[0]?.payload ?? "";
    const bundle = parseBundle(pep.nodes.get(PY)?.get(bundleNode(pyDevice))?.[0]?.payload ?? "");
    expect(list).toContain(String(pyDevice));
    expect(bundle.identityKey[0]).toBe(5);
    expect(bundle.preKeys.length).toBeGreaterThan(0);
  });

  it("we start the session: pre-key message, python's reply, normal messages", async () => {
    const alice = await makeDevice(pep, "alice@localhost");
    await publishDevice(pep, alice);
    await share(py, pep, alice);

    const first = await alice.engine.encrypt(PY, "alice@localhost", "hello python ✓");
    const parsed = parseEncrypted(first.xml);
    expect(parsed.iv.byteLength).toBe(12);
    expect(parsed.keys.map((k) => [k.rid, k.prekey])).toEqual([[pyDevice, true]]);
    const got = await py.call({ cmd: "decrypt", from: "alice@localhost", xml: first.xml });
    expect(got.body).toBe("hello python ✓");
    expect(got.sid).toBe(alice.engine.deviceId);

    // python-omemo answers a pre-key message with an empty message that completes the session.
    expect((got.outbox as string[]).length).toBeGreaterThan(0);
    for (const xml of got.outbox as string[]) {
      const kt = await alice.engine.decrypt({ from: PY, xml });
      expect(kt.result.kind).toBe("key-transport");
    }

    const reply = await py.call({ cmd: "encrypt", to: "alice@localhost", body: "hi from python" });
    const back = await alice.engine.decrypt({ from: PY, xml: reply.xml as string });
    expect(back.result).toEqual({ kind: "text", text: "hi from python" });

    const second = await alice.engine.encrypt(PY, "alice@localhost", "second");
    expect(second.xml).not.toContain("prekey");
    expect((await py.call({ cmd: "decrypt", from: "alice@localhost", xml: second.xml })).body).toBe("second");
  }, 30_000);

  it("python starts the session: we decrypt its pre-key message and use up our pre key", async () => {
    const bob = await makeDevice(pep, "bob@localhost");
    await publishDevice(pep, bob);
    await share(py, pep, bob);

    const first = await py.call({ cmd: "encrypt", to: "bob@localhost", body: "first contact" });
    const xml = first.xml as string;
    expect(parseEncrypted(xml).keys.find((k) => k.rid === bob.engine.deviceId)?.prekey).toBe(true);
    const got = await bob.engine.decrypt({ from: PY, xml });
    expect(got.result).toEqual({ kind: "text", text: "first contact" });
    expect(got.usedPreKey).toBe(true);
    expect(await bob.engine.refillPreKeys()).toBe(true);

    const answer = await bob.engine.encrypt(PY, "bob@localhost", "got it");
    expect(answer.xml).not.toContain("prekey");
    expect((await py.call({ cmd: "decrypt", from: "bob@localhost", xml: answer.xml })).body).toBe("got it");

    // A key-transport message from python: no payload, processed silently.
    const kt = await py.call({ cmd: "encrypt", to: "bob@localhost", body: null });
    expect(kt.xml as string).not.toContain("payload>");
    expect((await bob.engine.decrypt({ from: PY, xml: kt.xml as string })).result.kind).toBe("key-transport");

    // Our key transport reaches python too.
    const ours = await bob.engine.encrypt(PY, "bob@localhost", null);
    expect(ours.xml).not.toContain("<payload");
    expect((await py.call({ cmd: "decrypt", from: "bob@localhost", xml: ours.xml })).body).toBeNull();
  }, 30_000);
});
