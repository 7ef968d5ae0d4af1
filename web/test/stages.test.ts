import { describe, expect, it } from "vitest";
import {
  BLOCK_MAX,
  FIRST_MAX,
  FIRST_MIN,
  MAX_CHUNK,
  MIN_CHUNK,
  STEP_BUDGET_MS,
  blocksOf,
  firstChunk,
  firstMounted,
  mountPlan,
  newBlockStarts,
  nextChunk,
  nextMounted,
} from "../src/features/timeline/stages.ts";

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}` }));

describe("staged mounting of a long log (issue #7 §7)", () => {
  it("mounts enough of the newest messages to fill the window, within bounds", () => {
    expect(firstChunk(800)).toBe(22);
    expect(firstChunk(100)).toBe(FIRST_MIN);
    expect(firstChunk(10_000)).toBe(FIRST_MAX);
    expect(firstChunk(Number.NaN)).toBe(FIRST_MAX);
    expect(firstChunk(0)).toBe(FIRST_MAX);
  });

  it("starts the first render at the oldest of those, or at 0 for a short log or a plan that mounts all", () => {
    const plan = mountPlan(800);
    expect(firstMounted(1000, plan)).toBe(978);
    expect(firstMounted(20, plan)).toBe(0);
    expect(firstMounted(0, plan)).toBe(0);
    expect(firstMounted(1000, { first: Number.POSITIVE_INFINITY, budgetMs: STEP_BUDGET_MS })).toBe(0);
  });

  it("mounts a chunk older at each step, down to the oldest", () => {
    expect(nextMounted(972, 20)).toBe(952);
    expect(nextMounted(7, 20)).toBe(0);
    // Always progress, whole messages.
    expect(nextMounted(10, 0)).toBe(9);
    expect(nextMounted(10, 2.7)).toBe(8);
  });

  it("sizes the next chunk so a step takes about the budget, at most doubling, within bounds", () => {
    expect(nextChunk(20, 32, 16)).toBe(10);
    expect(nextChunk(20, 16, 16)).toBe(20);
    // Quick: doubled, not more (one quick step says little).
    expect(nextChunk(20, 1, 16)).toBe(40);
    expect(nextChunk(150, 1, 16)).toBe(MAX_CHUNK);
    // Slow (a long step, a busy machine): down to the minimum, never zero.
    expect(nextChunk(20, 500, 16)).toBe(MIN_CHUNK);
    // Not measurable (a clock that did not move): as quick.
    expect(nextChunk(20, 0, 16)).toBe(40);
    expect(nextChunk(20, Number.NaN, 16)).toBe(40);
  });
});

describe("blocks of the log (issue #7 §7)", () => {
  it("starts a block every BLOCK_MAX new messages after the newest start", () => {
    const messages = keys(100);
    expect(newBlockStarts(messages, new Set(["k10"]))).toEqual([`k${10 + BLOCK_MAX}`, `k${10 + 2 * BLOCK_MAX}`]);
    expect(newBlockStarts(messages, new Set(["k10", "k90"]))).toEqual([]);
    expect(newBlockStarts(messages, new Set(["k60"]), 20)).toEqual(["k80"]);
    // No start among the messages (not planned yet): none.
    expect(newBlockStarts(messages, new Set(["gone"]))).toEqual([]);
    expect(newBlockStarts([], new Set(["k1"]))).toEqual([]);
  });

  type Item = { kind: "day" | "message" | "notice"; key: string };
  const item = (kind: Item["kind"], key: string): Item => ({ kind, key });
  const messageKey = (i: Item) => (i.kind === "message" ? i.key : null);
  const shape = (blocks: ReturnType<typeof blocksOf<Item>>) => blocks.map((b) => [b.key, b.items.map((i) => i.key)]);

  it("puts the separators and notices before a message into that message's block, trailing ones into the last", () => {
    const items = [
      item("notice", "n1"),
      item("day", "d1"),
      item("message", "a"),
      item("message", "b"),
      item("day", "d2"),
      item("message", "c"),
      item("message", "d"),
      item("notice", "n2"),
    ];
    expect(shape(blocksOf(items, messageKey, new Set(["c"])))).toEqual([
      ["b:a", ["n1", "d1", "a", "b"]],
      ["b:c", ["d2", "c", "d", "n2"]],
    ]);
    // Named by the message each starts at: mounting older messages above adds a block, the others keep their key.
    const older = [item("day", "d0"), item("message", "z"), ...items];
    expect(shape(blocksOf(older, messageKey, new Set(["z", "a", "c"]))).map(([k]) => k)).toEqual(["b:z", "b:a", "b:c"]);
  });

  it("makes one block of a log without starts, and of notices alone", () => {
    expect(shape(blocksOf([item("message", "a"), item("message", "b")], messageKey, new Set()))).toEqual([
      ["b:a", ["a", "b"]],
    ]);
    expect(shape(blocksOf([item("notice", "n")], messageKey, new Set()))).toEqual([["b:", ["n"]]]);
    expect(blocksOf([], messageKey, new Set())).toEqual([]);
  });
});
