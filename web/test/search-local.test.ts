import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { beforeAll, describe, expect, it } from "vitest";
import type { SearchResult } from "../../src/protocol/index.ts";
import { Kv, openDatabase } from "../src/crypto/idb.ts";
import { PlaintextCache } from "../src/crypto/plaintexts.ts";
import { compareResults, mergeResults, searchLocal } from "../src/features/search/local.ts";

beforeAll(() => {
  // Kv.withPrefix builds a key range with the global, as in a browser.
  globalThis.IDBKeyRange ??= IDBKeyRange;
});

async function cache(): Promise<PlaintextCache> {
  const db = await openDatabase(`parley-omemo-search-${crypto.randomUUID()}`, new IDBFactory());
  return new PlaintextCache(new Kv(db));
}

const bob = "bob@example.org";
const carol = "carol@example.org";

describe("search over this device's plaintexts (issue #7 §5)", () => {
  it("finds decrypted texts by word prefix, case and diacritics folded, with ranges, newest first", async () => {
    const c = await cache();
    await c.put("k1", "Meet me at the Café at noon");
    await c.put("k2", "the CAFE is closed");
    await c.put("k3", false); // undecryptable
    await c.put("k4", ""); // key transport
    await c.put("k5", "nothing to see");
    await c.put("k6", "café but nobody knows where");
    await c.putSent("ref", "café sent text (by sender reference: not a message entry)");
    await c.putInfos([
      ["k1", { peer: bob, ts: 100, direction: "in" }],
      ["k2", { peer: carol, ts: 300, direction: "out" }],
      ["k3", { peer: bob, ts: 400, direction: "in" }],
      ["k4", { peer: bob, ts: 500, direction: "in" }],
      ["k5", { peer: bob, ts: 600, direction: "in" }],
    ]);
    const page = await searchLocal(c, "caf");
    expect(page.hasMore).toBe(false);
    // k6 has a text but no info (decrypted before infos were recorded): it cannot be placed, so it is left out.
    expect(page.results).toEqual([
      { peer: carol, key: "k2", ts: 300, direction: "out", text: "the CAFE is closed", highlights: [[4, 8]] },
      {
        peer: bob,
        key: "k1",
        ts: 100,
        direction: "in",
        text: "Meet me at the Café at noon",
        highlights: [[15, 19]],
      },
    ]);
    expect((await searchLocal(c, "cafe noon")).results.map((r) => r.key)).toEqual(["k1"]);
    expect((await searchLocal(c, "cafe ")).results.map((r) => r.key)).toEqual(["k2", "k1"]);
    expect((await searchLocal(c, "caf ")).results).toEqual([]);
    expect((await searchLocal(c, '"*" NEAR( -')).results).toEqual([]);
  });

  it("searches a message's latest correction, skips retracted ones, and pages like the server", async () => {
    const c = await cache();
    await c.put("orig", "typo in the orignal");
    await c.put("fix", "the corrected original");
    await c.put("gone", "retracted original");
    const infos: [
      string,
      { peer: string; ts: number; direction: "in" | "out"; current?: string; retracted?: boolean },
    ][] = [
      ["orig", { peer: bob, ts: 10, direction: "out", current: "fix" }],
      ["gone", { peer: bob, ts: 11, direction: "out", retracted: true }],
    ];
    for (let i = 0; i < 60; i++) {
      await c.put(`m${i}`, `original number ${i}`);
      infos.push([`m${i}`, { peer: i % 2 ? bob : carol, ts: 1_000 + Math.floor(i / 3), direction: "in" }]);
    }
    await c.putInfos(infos);
    const corrected = await searchLocal(c, "corrected");
    expect(corrected.results.map((r) => [r.key, r.text])).toEqual([["orig", "the corrected original"]]);
    expect((await searchLocal(c, "orignal")).results).toEqual([]);
    expect((await searchLocal(c, "retracted")).results).toEqual([]);

    const seen: SearchResult[] = [];
    let before: SearchResult | undefined;
    for (;;) {
      const page = await searchLocal(c, "original", before, 25);
      seen.push(...page.results);
      before = page.results.at(-1);
      if (!page.hasMore || !before) break;
    }
    expect(seen).toHaveLength(61);
    expect(new Set(seen.map((r) => r.key)).size).toBe(61);
    expect(seen.toSorted(compareResults)).toEqual(seen);
  });

  it("merges server and local results in the server's order, each message once", () => {
    const r = (peer: string, key: string, ts: number): SearchResult => ({
      peer,
      key,
      ts,
      direction: "in",
      text: key,
      highlights: [],
    });
    const server = [r(bob, "s3", 30), r(carol, "s2", 20), r(bob, "s1", 10)];
    const local = [r(carol, "l4", 40), r(bob, "l2", 20), r(bob, "s1", 10)];
    expect(mergeResults(server, local).map((x) => x.key)).toEqual(["l4", "s3", "s2", "l2", "s1"]);
    // Same ts: peer, then key, descending (the server's ORDER BY ts DESC, peer DESC, key DESC).
    expect(
      mergeResults([r(bob, "a", 1)], [r(carol, "b", 1), r(carol, "a", 1)]).map((x) => `${x.peer[0]}${x.key}`),
    ).toEqual(["cb", "ca", "ba"]);
  });
});
