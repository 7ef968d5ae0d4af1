import { describe, expect, it } from "vitest";
import { PeerRecords } from "../../src/durable/peer-records.ts";
import { memoryStorage } from "./features/fakes.ts";

const isNumber = (v: unknown): v is number => typeof v === "number";

describe("PeerRecords (per-conversation records in the object's storage)", () => {
  it("keeps at most `max`, the oldest written going first, in storage and in memory", async () => {
    const storage = memoryStorage();
    const records = new PeerRecords(storage, "p:", 2, isNumber);
    await records.set("a", 1);
    await records.set("b", 2);
    await records.set("a", 3); // rewritten: now the newest
    await records.set("c", 4); // b goes
    expect(records.entries()).toEqual([
      ["a", 3],
      ["c", 4],
    ]);
    expect([...storage.map.keys()].toSorted()).toEqual(["p:a", "p:c"]);
  });

  it("restores the write order after a restart and drops what is not of the expected shape", async () => {
    const storage = memoryStorage();
    const records = new PeerRecords(storage, "p:", 10, isNumber);
    for (const [peer, v] of [
      ["z", 1],
      ["y", 2],
      ["x", 3],
    ] as const)
      await records.set(peer, v);
    await storage.put("p:bad", { at: 5, value: "not a number" });
    await storage.put("p:worse", "no record at all");
    await storage.put("other", { at: 1, value: 7 });
    const again = new PeerRecords(storage, "p:", 10, isNumber);
    await again.load();
    expect(again.entries()).toEqual([
      ["z", 1],
      ["y", 2],
      ["x", 3],
    ]);
    await again.delete("y");
    await again.delete("nobody");
    expect(storage.map.has("p:y")).toBe(false);
    expect(again.size).toBe(2);
    expect(again.get("x")).toBe(3);
  });
});
