// A virtualised list (issue #8 §3: participants of a 10,000-person channel; issue #9 §6: 5,000 contacts): only the
// rows in view (and a few either side) are in the DOM, each at its place in a full-height list, so scrolling and
// updates cost what a screenful costs. Still one `list` with `listitem`s that say their position (aria-setsize,
// aria-posinset), and keyboard-usable: one row is in the Tab order (roving tabindex), arrows, Page Up/Down, Home
// and End move it, and it stays mounted while it has focus. Positions are set through the CSSOM (style objects),
// which the strict CSP (style-src 'self') allows, unlike style attributes.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

export interface Range {
  /** First row rendered. */
  start: number;
  /** One past the last row rendered. */
  end: number;
}

/** The rows to render for a scroll position: those in view plus `overscan` either side, within [0, count). */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan: number,
): Range {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight);
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.min(count, last + overscan) };
}

/** Where a key moves the active row (null: the key is not the list's). */
export function keyTarget(key: string, active: number, count: number, pageRows: number): number | null {
  if (count === 0) return null;
  const clamp = (n: number) => Math.max(0, Math.min(count - 1, n));
  switch (key) {
    case "ArrowDown":
      return clamp(active + 1);
    case "ArrowUp":
      return clamp(active - 1);
    case "PageDown":
      return clamp(active + Math.max(1, pageRows));
    case "PageUp":
      return clamp(active - Math.max(1, pageRows));
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** The scrollTop that shows row `index` whole, moving as little as possible. */
export function scrollToShow(scrollTop: number, viewport: number, rowHeight: number, index: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return scrollTop;
}

export interface VirtualListProps {
  count: number;
  /** Every row has this height (px): what makes positions computable without measuring. */
  rowHeight: number;
  /** The list's accessible name. */
  label: string;
  /** A stable key per row (the participant's id, say), so a row keeps its DOM when others come and go. */
  rowKey(index: number): string;
  renderRow(index: number): ComponentChildren;
  overscan?: number;
  /** The viewport height assumed before the first measurement (server markup, tests). */
  initialViewport?: number;
  class?: string;
}

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, overscan = 8 } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(props.initialViewport ?? 600);
  const [active, setActive] = useState(0);
  /** A key moved the active row: focus it once it is rendered. */
  const focusPending = useRef(false);
  const frame = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return undefined;
    setViewport(el.clientHeight);
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // A shrinking list never leaves the active row past its end.
  const current = Math.min(active, Math.max(0, count - 1));

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    scroller.current?.querySelector<HTMLElement>(`[data-vindex="${current}"]`)?.focus({ preventScroll: true });
  });

  // One state update per frame, however many scroll events come.
  const onScroll = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  }, []);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    const target = keyTarget(e.key, current, count, Math.floor(viewport / rowHeight) - 1);
    if (target === null) return;
    e.preventDefault();
    const el = scroller.current;
    if (el) {
      const top = scrollToShow(el.scrollTop, viewport, rowHeight, target);
      el.scrollTop = top;
      setScrollTop(top);
    }
    focusPending.current = true;
    setActive(target);
  };

  const range = visibleRange(scrollTop, viewport, rowHeight, count, overscan);
  const rows: number[] = [];
  for (let i = range.start; i < range.end; i++) rows.push(i);
  // The row with the Tab stop stays in the DOM (focus would be lost with it), wherever the view is.
  if (count > 0 && (current < range.start || current >= range.end)) rows.push(current);

  return (
    <div ref={scroller} class={`vlist${props.class ? ` ${props.class}` : ""}`} onScroll={onScroll}>
      <ul
        role="list"
        aria-label={props.label}
        class="vlist-rows"
        style={{ height: `${count * rowHeight}px` }}
        onKeyDown={onKeyDown}
      >
        {rows.map((i) => (
          <li
            key={props.rowKey(i)}
            role="listitem"
            class="vlist-row"
            data-vindex={i}
            aria-setsize={count}
            aria-posinset={i + 1}
            tabIndex={i === current ? 0 : -1}
            onFocus={() => setActive(i)}
            style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
          >
            {props.renderRow(i)}
          </li>
        ))}
      </ul>
    </div>
  );
}
