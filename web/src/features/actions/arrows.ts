// Arrow keys among the buttons of the message toolbar and of the reaction picker (WAI-ARIA APG, "Keyboard
// Navigation Inside Components": arrows move between the items of a composite widget). Tab still goes through
// them one by one as well; the arrows are a shortcut, and the only way to move up and down the picker's grid.
// Pure: it gets where each button is on screen, so the rule is tested without a browser.

/** Where a button is drawn (its top-left corner), as getBoundingClientRect says. */
export interface Spot {
  readonly left: number;
  readonly top: number;
}

/** Keys this module handles. */
export function isArrowKey(key: string): boolean {
  return ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(key);
}

/**
 * The index of the button to focus after `key` with the button at `current` focused, or null to stay (no button
 * that way). Left/Right: the previous/next in reading order, wrapping around; Up/Down: the nearest button in the
 * row above/below (by horizontal distance), nothing beyond the first/last row; Home/End: first/last.
 */
export function arrowTarget(spots: readonly Spot[], current: number, key: string): number | null {
  const n = spots.length;
  const here = spots[current];
  if (n === 0 || here === undefined) return null;
  switch (key) {
    case "ArrowLeft":
      return (current - 1 + n) % n;
    case "ArrowRight":
      return (current + 1) % n;
    case "Home":
      return 0;
    case "End":
      return n - 1;
    case "ArrowUp":
    case "ArrowDown": {
      const down = key === "ArrowDown";
      // The nearest row in that direction (rows: the distinct tops; a few pixels apart count as one row).
      let rowTop: number | null = null;
      for (const s of spots) {
        const gap = down ? s.top - here.top : here.top - s.top;
        if (gap > 2 && (rowTop === null || Math.abs(s.top - here.top) < Math.abs(rowTop - here.top))) rowTop = s.top;
      }
      if (rowTop === null) return null;
      let best: number | null = null;
      spots.forEach((s, i) => {
        if (Math.abs(s.top - (rowTop ?? 0)) > 2) return;
        const b = best === null ? undefined : spots[best];
        if (b === undefined || Math.abs(s.left - here.left) < Math.abs(b.left - here.left)) best = i;
      });
      return best;
    }
    default:
      return null;
  }
}
