// The virtualised list (web/src/ui/virtual-list.tsx): which rows are rendered, where the keyboard moves, what the
// markup says to assistive technology.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { keyTarget, scrollToShow, visibleRange, VirtualList } from "../src/ui/virtual-list.tsx";

describe("visibleRange", () => {
  it("renders the rows in view plus the overscan, within the list", () => {
    expect(visibleRange(0, 600, 40, 10_000, 8)).toEqual({ start: 0, end: 23 });
    expect(visibleRange(40_000, 600, 40, 10_000, 8)).toEqual({ start: 992, end: 1_023 });
    expect(visibleRange(399_600, 600, 40, 10_000, 8)).toEqual({ start: 9_982, end: 10_000 });
    expect(visibleRange(0, 600, 40, 0, 8)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 600, 40, 3, 8)).toEqual({ start: 0, end: 3 });
  });

  it("renders a screenful whatever the list's length (10,000 rows: ~31 in the DOM)", () => {
    const r = visibleRange(123_456, 600, 40, 10_000, 8);
    expect(r.end - r.start).toBeLessThanOrEqual(33);
  });
});

describe("keyboard", () => {
  it("moves by one, by a page, to the ends, and stays within the list", () => {
    expect(keyTarget("ArrowDown", 0, 5, 10)).toBe(1);
    expect(keyTarget("ArrowDown", 4, 5, 10)).toBe(4);
    expect(keyTarget("ArrowUp", 0, 5, 10)).toBe(0);
    expect(keyTarget("PageDown", 0, 100, 14)).toBe(14);
    expect(keyTarget("PageUp", 5, 100, 14)).toBe(0);
    expect(keyTarget("Home", 50, 100, 14)).toBe(0);
    expect(keyTarget("End", 0, 100, 14)).toBe(99);
    expect(keyTarget("a", 0, 100, 14)).toBeNull();
    expect(keyTarget("ArrowDown", 0, 0, 14)).toBeNull();
  });

  it("scrolls as little as possible to show the row", () => {
    expect(scrollToShow(0, 600, 40, 3)).toBe(0);
    expect(scrollToShow(0, 600, 40, 15)).toBe(40);
    expect(scrollToShow(1_000, 600, 40, 2)).toBe(80);
  });
});

describe("markup", () => {
  it("is one named list of positioned items that say their place, one of them in the Tab order", () => {
    const html = render(
      <VirtualList
        count={10_000}
        rowHeight={40}
        label="Participants"
        initialViewport={400}
        rowKey={(i) => `p${i}`}
        renderRow={(i) => <span>person {i}</span>}
      />,
    );
    expect(html).toContain(`role="list" aria-label="Participants"`);
    expect(html.match(/role="listitem"/g)).toHaveLength(18);
    expect(html).toContain(`aria-setsize="10000" aria-posinset="1" tabindex="0"`);
    expect(html.match(/tabindex="0"/g)).toHaveLength(1);
    expect(html).toContain("person 17");
    expect(html).not.toContain("person 18<");
  });
});
