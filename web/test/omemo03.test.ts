import { describe, expect, it } from "vitest";
import { parseBundle, parseEncrypted } from "../src/crypto/omemo03-xml.ts";
import { FakePep, makeDevice, publishDevice } from "./omemo-helpers.ts";

describe("two devices", () => {
  it("exchange a prekey message, then normal messages both ways", async () => {
    const pep = new FakePep();
    const alice = await makeDevice(pep, "alice@localhost", { preKeyTarget: 5 });
    const bob = await makeDevice(pep, "bob@localhost", { preKeyTarget: 5 });
    await publishDevice(pep, alice);
    await publishDevice(pep, bob);

    const first = await alice.engine.encrypt("bob@localhost", "alice@localhost", "hello bob");
    expect(first.skipped).toEqual([]);
    const parsed = parseEncrypted(first.xml);
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]?.prekey).toBe(true);
    expect(first.xml).toContain('prekey="true"');

    const got = await bob.engine.decrypt({ from: "alice@localhost", xml: first.xml });
    expect(got.result).toEqual({ kind: "text", text: "hello bob" });
    expect(got.usedPreKey).toBe(true);
    expect(await bob.store.preKeyIds()).toHaveLength(4);
    expect(await bob.engine.refillPreKeys()).toBe(true);
    expect(await bob.store.preKeyIds()).toHaveLength(5);

    const reply = await bob.engine.encrypt("alice@localhost", "bob@localhost", "hi alice ✓");
    expect(reply.xml).not.toContain("prekey");
    const back = await alice.engine.decrypt({ from: "bob@localhost", xml: reply.xml });
    expect(back.result).toEqual({ kind: "text", text: "hi alice ✓" });
    expect(back.usedPreKey).toBe(false);

    const again = await alice.engine.encrypt("bob@localhost", "alice@localhost", "second");
    expect(again.xml).not.toContain("prekey");
    expect((await bob.engine.decrypt({ from: "alice@localhost", xml: again.xml })).result).toEqual({
      kind: "text",
      text: "second",
    });
    // The bundle has the 0x05 prefix on every key.
    const bundleXml =
      pep.nodes.get("bob@localhost")?.get(`eu.siacs.conversations.axolotl.bundles:${bob.engine.deviceId}`)?.[0]
        ?.payload ?? "";
    const bundle = parseBundle(bundleXml);
    expect(bundle.identityKey[0]).toBe(5);
  });
});
