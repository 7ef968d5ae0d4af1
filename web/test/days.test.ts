import { describe, expect, it } from "vitest";
import { continuesGroup, dayKey, dayLabel, dayOf, GROUP_GAP_MS } from "../src/features/timeline/days.ts";

const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();

describe("day separators", () => {
  const now = at(2026, 12, 2, 9);
  it("names days as people say them", () => {
    expect(dayLabel(at(2026, 12, 2, 0, 1), now, "en-GB")).toBe("Today");
    expect(dayLabel(at(2026, 12, 1, 23, 59), now, "en-GB")).toBe("Yesterday");
    expect(dayLabel(at(2026, 11, 28), now, "en-GB")).toBe("Saturday");
    expect(dayLabel(at(2026, 10, 3), now, "en-GB")).toBe("3 October");
    expect(dayLabel(at(2025, 10, 3), now, "en-GB")).toBe("3 October 2025");
  });

  it("keys days by the local calendar", () => {
    expect(dayKey(at(2026, 1, 5, 0, 0))).toBe("2026-01-05");
    expect(dayKey(at(2026, 1, 5, 23, 59))).toBe("2026-01-05");
  });
});

describe("sender groups", () => {
  it("continue for the same sender within a few minutes on one day", () => {
    const base = at(2026, 12, 2, 10);
    expect(continuesGroup(undefined, { direction: "in", ts: base })).toBe(false);
    expect(continuesGroup({ direction: "in", ts: base }, { direction: "in", ts: base + 60_000 })).toBe(true);
    expect(continuesGroup({ direction: "in", ts: base }, { direction: "out", ts: base + 60_000 })).toBe(false);
    expect(continuesGroup({ direction: "in", ts: base }, { direction: "in", ts: base + GROUP_GAP_MS })).toBe(false);
    expect(
      continuesGroup({ direction: "in", ts: at(2026, 12, 1, 23, 59) }, { direction: "in", ts: at(2026, 12, 2, 0, 1) }),
    ).toBe(false);
  });

  it("gives a day's key and local bounds, so a sorted log needs one Date per day", () => {
    const day = dayOf(at(2026, 3, 29, 15));
    expect(day).toEqual({ key: "2026-03-29", start: at(2026, 3, 29, 0), end: at(2026, 3, 30, 0) });
    expect(dayKey(day.end - 1)).toBe("2026-03-29");
    expect(dayKey(day.end)).toBe("2026-03-30");
  });
});
