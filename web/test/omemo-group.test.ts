import { describe, expect, it } from "vitest";
import { parseEncrypted } from "../src/crypto/omemo03-xml.ts";
import { FakePep, makeDevice, publishDevice } from "./omemo-helpers.ts";
import type { TestDevice } from "./omemo-helpers.ts";

async function published(pep: FakePep, jid: string, name?: string): Promise<TestDevice> {
  const device = await makeDevice(pep, jid, { preKeyTarget: 5, ...(name ? { name } : {}) });
  await publishDevice(pep, device);
  return device;
}

describe("OMEMO in a group chat (XEP-0384 v0.3, one message for every member's devices)", () => {
  it("encrypts one message for every device of every member and our other devices", async () => {
    const pep = new FakePep();
    const alice = await published(pep, "alice@localhost");
    const alice2 = await published(pep, "alice@localhost", "alice-2");
    const bob = await published(pep, "bob@localhost");
    const bob2 = await published(pep, "bob@localhost", "bob-2");
    const carol = await published(pep, "carol@localhost");

    // alice's device cached her own list before alice-2 existed (as after a reload): a notification refreshes it.
    await alice.engine.devices("alice@localhost", true);
    const members = ["bob@localhost", "carol@localhost", "alice@localhost", "bob@localhost"];
    const result = await alice.engine.encryptGroup(members, "alice@localhost", "hello group");
    expect(result.unreachable).toEqual([]);
    expect(result.skipped).toEqual([]);
    const ids = parseEncrypted(result.xml).keys.map((k) => k.rid);
    const byNumber = (a: number | null, b: number | null): number => Number(a) - Number(b);
    expect(ids.sort(byNumber)).toEqual([alice2, bob, bob2, carol].map((d) => d.engine.deviceId).sort(byNumber));
    expect(ids).not.toContain(alice.engine.deviceId);
    for (const device of [alice2, bob, bob2, carol]) {
      const got = await device.engine.decrypt({ from: "alice@localhost", xml: result.xml });
      expect(got.result).toEqual({ kind: "text", text: "hello group" });
    }
  });

  it("names the members it could not encrypt for instead of failing the others", async () => {
    const pep = new FakePep();
    const alice = await published(pep, "alice@localhost");
    const bob = await published(pep, "bob@localhost");
    pep.failing.set("dave@localhost eu.siacs.conversations.axolotl.devicelist", "forbidden");

    const result = await alice.engine.encryptGroup(
      ["bob@localhost", "carol@localhost", "dave@localhost"],
      "alice@localhost",
      "partly",
    );
    expect(result.recipients.map((r) => r.jid)).toEqual(["bob@localhost"]);
    expect(result.unreachable).toEqual([
      { jid: "dave@localhost", reason: expect.stringContaining("PEP forbidden") },
      { jid: "carol@localhost", reason: "no OMEMO device" },
    ]);
    expect((await bob.engine.decrypt({ from: "alice@localhost", xml: result.xml })).result).toEqual({
      kind: "text",
      text: "partly",
    });
  });

  it("leaves out a member removed from the list: their device gets no key", async () => {
    const pep = new FakePep();
    const alice = await published(pep, "alice@localhost");
    const bob = await published(pep, "bob@localhost");
    const carol = await published(pep, "carol@localhost");
    await alice.engine.encryptGroup(["bob@localhost", "carol@localhost"], "alice@localhost", "both");
    const after = await alice.engine.encryptGroup(["bob@localhost"], "alice@localhost", "bob only");
    expect((await carol.engine.decrypt({ from: "alice@localhost", xml: after.xml })).result).toEqual({
      kind: "not-for-us",
    });
    expect((await bob.engine.decrypt({ from: "alice@localhost", xml: after.xml })).result.kind).toBe("text");
  });

  it("keeps the one-to-one errors: a contact without a device is an error, not a partial send", async () => {
    const pep = new FakePep();
    const alice = await published(pep, "alice@localhost");
    await expect(alice.engine.encrypt("carol@localhost", "alice@localhost", "x")).rejects.toThrow(
      "carol@localhost has no OMEMO device.",
    );
  });
});
