import { describe, expect, it } from "vitest";
import { arrowTarget, isArrowKey } from "../src/features/actions/arrows.ts";

// A picker as drawn: a row of 4 quick reactions, then a grid of 4 columns whose last row has 2.
const col = (i: number) => i * 40;
const grid = [
  ...[0, 1, 2, 3].map((i) => ({ left: col(i), top: 0 })),
  ...[0, 1, 2, 3].map((i) => ({ left: col(i), top: 50 })),
  ...[0, 1].map((i) => ({ left: col(i), top: 90 })),
];

describe("arrowTarget", () => {
  it("moves left and right in reading order, wrapping around; Home and End go to the ends", () => {
    expect(arrowTarget(grid, 0, "ArrowRight")).toBe(1);
    expect(arrowTarget(grid, 3, "ArrowRight")).toBe(4);
    expect(arrowTarget(grid, 9, "ArrowRight")).toBe(0);
    expect(arrowTarget(grid, 0, "ArrowLeft")).toBe(9);
    expect(arrowTarget(grid, 5, "Home")).toBe(0);
    expect(arrowTarget(grid, 5, "End")).toBe(9);
  });

  it("moves up and down to the nearest button of the next row, and stays at the first and last row", () => {
    expect(arrowTarget(grid, 1, "ArrowDown")).toBe(5);
    expect(arrowTarget(grid, 7, "ArrowDown")).toBe(9); // the last row is shorter: its nearest button
    expect(arrowTarget(grid, 8, "ArrowUp")).toBe(4);
    expect(arrowTarget(grid, 2, "ArrowUp")).toBeNull();
    expect(arrowTarget(grid, 8, "ArrowDown")).toBeNull();
  });

  it("treats a few pixels of difference as one row (emoji glyphs of different heights)", () => {
    const row = [
      { left: 0, top: 0 },
      { left: 40, top: 1 },
      { left: 0, top: 40 },
    ];
    expect(arrowTarget(row, 1, "ArrowDown")).toBe(2);
    expect(arrowTarget(row, 0, "ArrowUp")).toBeNull();
  });

  it("ignores other keys and an empty or unknown position", () => {
    expect(arrowTarget(grid, 0, "Enter")).toBeNull();
    expect(arrowTarget([], 0, "ArrowRight")).toBeNull();
    expect(arrowTarget(grid, 42, "ArrowRight")).toBeNull();
    expect(isArrowKey("ArrowUp")).toBe(true);
    expect(isArrowKey("Tab")).toBe(false);
  });
});
