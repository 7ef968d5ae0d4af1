import { describe, expect, it } from "vitest";
import {
  addHole,
  fillWindow,
  initialGap,
  MAX_HOLES,
  place,
  reaches,
  lowered,
  type Hole,
} from "../../src/durable/ranges.ts";

const S = Date.UTC(2025, 0, 1, 12, 0, 0); // a whole second
const hole = (from: Hole["from"]): Hole => ({ id: 1, cutId: 10, from, to: { archiveId: "b", stamp: S + 60_000 } });

/** Strictly increasing, and strictly inside (lo - shift, hi). */
function checkOrder(lo: number | null, hi: number | null, r: { ts: number[]; shift: number }): void {
  for (let i = 1; i < r.ts.length; i++) expect(r.ts[i]).toBeGreaterThan(r.ts[i - 1] ?? Number.NaN);
  const first = r.ts[0];
  const last = r.ts.at(-1);
  if (lo !== null && first !== undefined) expect(first).toBeGreaterThan(lo - r.shift);
  if (hi !== null && last !== undefined) expect(last).toBeLessThan(hi);
}

describe("placing archive messages in a hole", () => {
  it("keeps each message's own stamp when there is room", () => {
    const r = place(S - 5_000, S + 10_000, [S, S + 1_000, S + 2_000]);
    expect(r).toEqual({ ts: [S, S + 1_000, S + 2_000], shift: 0 });
  });

  it("keeps archive order on one whole second, below the upper edge (like the older-history fetch)", () => {
    const r = place(null, S + 3, [S, S, S, S]);
    expect(r.ts).toEqual([S - 3, S - 2, S - 1, S]);
    expect(r.shift).toBe(0);
  });

  it("packs messages of the lower edge's second under the next one, leaving the room below for later fills", () => {
    // The last message before the hole came at S and was placed at S + 2 (two others on that second before it).
    const r = place(S + 2, S + 1_500, [S, S, S + 1_000]);
    expect(r.ts).toEqual([S + 998, S + 999, S + 1_000]);
    expect(r.shift).toBe(0);
    // The next fill, further down the same second, still finds room.
    const r2 = place(S + 2, S + 998, [S, S, S]);
    expect(r2).toEqual({ ts: [S + 995, S + 996, S + 997], shift: 0 });
  });

  it("asks to move the lower side down when more messages belong between the edges than there are milliseconds", () => {
    const lo = S + 100;
    const hi = S + 103;
    const stamps = Array.from({ length: 10 }, () => S);
    const r = place(lo, hi, stamps);
    expect(r.ts).toEqual(Array.from({ length: 10 }, (_, i) => hi - 10 + i));
    expect(r.shift).toBe(lo - (hi - 10) + 1);
    checkOrder(lo, hi, r);
  });

  it("is unbounded without edges, and empty without messages", () => {
    expect(place(null, null, [S + 5, S, S + 7])).toEqual({ ts: [S - 1, S, S + 7], shift: 0 });
    expect(place(1, 2, [])).toEqual({ ts: [], shift: 0 });
  });

  it("keeps order whatever the stamps (random cases)", () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let c = 0; c < 500; c++) {
      const lo = rand(3) === 0 ? null : S + rand(3_000);
      const hi = rand(3) === 0 ? null : (lo ?? S) + 1 + rand(3_000);
      const stamps = Array.from({ length: rand(40) }, () => S + rand(4) * 1_000).sort((a, b) => a - b);
      checkOrder(lo, hi, place(lo, hi, stamps));
    }
  });
});

describe("whether a page reaches a hole", () => {
  it("a hole above every stored message is reached by the newest page only", () => {
    expect(reaches(null, { oldestTs: S, hasMore: true }, null)).toBe(true);
    expect(reaches(S + 5, { oldestTs: S, hasMore: true }, null)).toBe(false);
  });

  it("is reached when the page goes down to its upper edge, not before", () => {
    const hi = S;
    expect(reaches(null, { oldestTs: S + 10, hasMore: true }, hi)).toBe(false);
    expect(reaches(null, { oldestTs: S, hasMore: true }, hi)).toBe(true);
    expect(reaches(null, { oldestTs: S - 10, hasMore: true }, hi)).toBe(true);
    expect(reaches(S + 50, { oldestTs: S + 10, hasMore: false }, hi)).toBe(true);
    expect(reaches(S + 50, { oldestTs: null, hasMore: false }, hi)).toBe(true);
  });

  it("a page read below the hole does not reach it", () => {
    expect(reaches(S - 1, { oldestTs: S - 100, hasMore: true }, S)).toBe(false);
  });
});

describe("the bookkeeping of holes", () => {
  it("a first-login hole concerns only peers with something stored before it", () => {
    expect(initialGap(hole(null), null)).toEqual({ lo: null, done: true });
    expect(initialGap(hole(null), S)).toEqual({ lo: S, done: false });
    expect(initialGap(hole({ archiveId: "a", stamp: S }), null)).toEqual({ lo: null, done: false });
  });

  it("queries whole seconds around the edges; a first-login hole starts a minute before the newest stored", () => {
    expect(fillWindow(hole({ archiveId: "a", stamp: S + 400 }), { lo: null, done: false })).toEqual({
      start: S,
      end: S + 61_000,
    });
    expect(fillWindow(hole(null), { lo: S + 1_500, done: false })).toEqual({
      start: S + 1_000 - 60_000,
      end: S + 61_000,
    });
    expect(fillWindow(hole(null), { lo: null, done: false })).toEqual({ end: S + 61_000 });
  });

  it("moves the edges of holes that lie among moved messages", () => {
    expect(lowered({ lo: S, done: false, hi: S + 10 }, S + 5, 3)).toEqual({ lo: S - 3, done: false, hi: S + 10 });
    expect(lowered({ lo: S, done: false, hi: S + 5 }, S + 5, 3)).toEqual({ lo: S - 3, done: false, hi: S + 2 });
    expect(lowered({ lo: S + 6, done: false }, S + 5, 3)).toEqual({ lo: S + 6, done: false });
    const gap = { lo: S, done: false };
    expect(lowered(gap, S, 0)).toBe(gap);
  });

  it("numbers holes and keeps the newest", () => {
    let holes: Hole[] = [];
    for (let i = 0; i < MAX_HOLES + 3; i++)
      holes = addHole(holes, { cutId: i, from: null, to: { archiveId: "x", stamp: S } });
    expect(holes).toHaveLength(MAX_HOLES);
    expect(holes[0]?.id).toBe(4);
    expect(holes.at(-1)?.id).toBe(MAX_HOLES + 3);
  });
});
