// Keeps a log that is at the bottom there when its content changes size by itself: the blocks of a long log are
// sized by an estimate until the browser first shows them (content-visibility, issue #7 §7), so the block at the
// bottom takes its real height a frame after the log was scrolled to the bottom, or in a layout that the next render
// forces; likewise a decrypted text replacing its placeholder. The log is "pinned" when it was placed at the bottom
// (by the timeline, or by the user's scrolling, as its scroll events say) and has not been scrolled since: a scroll
// whose event has not come yet (a wheel turn, a jump to a message) shows as a scroll position other than the last
// one known, and unpins it at once.
import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";

export interface StickToBottom {
  /**
   * Whether the log, at `scrollTop` now, is to stay at the bottom: it was at the bottom when last placed or
   * scrolled, and has not been scrolled since. Its distance from the bottom may say otherwise: a block below took
   * its real height.
   */
  pinnedAt(scrollTop: number): boolean;
  /** The timeline just placed the log: at the bottom (true), or at a message or the unread line (false). */
  placed(node: HTMLElement, atBottom: boolean): void;
  /** From the log's scroll handler. */
  onScroll(node: HTMLElement): void;
}

/** `within`: how close to the bottom counts as at the bottom (px). */
export function useStickToBottom(log: RefObject<HTMLElement | null>, within: number): StickToBottom {
  const state = useRef({ pinned: true, top: 0 });
  const pinnedAt = (scrollTop: number): boolean => state.current.pinned && Math.abs(scrollTop - state.current.top) < 1;
  useEffect(() => {
    const node = log.current;
    const content = node?.querySelector(".log-list");
    if (!node || !content) return undefined;
    const observer = new ResizeObserver(() => {
      if (!pinnedAt(node.scrollTop) || node.scrollHeight - node.scrollTop - node.clientHeight <= 1) return;
      node.scrollTop = node.scrollHeight;
      state.current.top = node.scrollTop;
    });
    // The content (blocks shown at their real height) and the log itself (the window resized).
    observer.observe(content);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return {
    pinnedAt,
    placed(node, atBottom) {
      state.current = { pinned: atBottom, top: node.scrollTop };
    },
    onScroll(node) {
      state.current = { pinned: node.scrollHeight - node.scrollTop - node.clientHeight < within, top: node.scrollTop };
    },
  };
}
