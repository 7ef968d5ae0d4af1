// Staged mounting of a long message log (issue #7 §7: no main-thread task over 50 ms). Reopening a conversation
// with 1,000 loaded messages used to build all of them in one task (bench/render.mjs: over a second). Now the first
// render mounts the newest messages (more than a viewport holds), and the older ones are mounted in chunks, one chunk
// per task, sized from how long the previous chunk took. Pure: the chat timeline (features/chat/timeline.tsx,
// ./use-staged-mount.ts) keeps which message is the oldest mounted and schedules the steps.

/** A message in the log is at least this high (one line of text and the meta line, in a bubble). */
export const MIN_MESSAGE_PX = 40;
/** Mounted in the first render beyond what fills the viewport, and its bounds (bench/render.mjs measured the cost). */
export const FIRST_MARGIN = 2;
export const FIRST_MIN = 16;
export const FIRST_MAX = 60;
/** The first older chunk, before any step was timed. */
export const FIRST_STEP = 10;
/** Bounds of a chunk: a step always makes progress, and never grows past what a slow device could build at once. */
export const MIN_CHUNK = 5;
export const MAX_CHUNK = 200;
/**
 * What one step may take (building the chunk, diffing the list, the scroll kept in place): well under the 50 ms of a
 * long task, leaving room for the frame painted after it and for a misjudged chunk.
 */
export const STEP_BUDGET_MS = 16;

export interface MountPlan {
  /** How many of the newest messages the first render mounts (Infinity: all of them at once). */
  readonly first: number;
  readonly budgetMs: number;
}

/**
 * How many of the newest messages the first render mounts for a window `viewportPx` high: enough to fill it with
 * the smallest messages, and a few more, so the first frame shows a full log and the next chunks come in above it.
 */
export function firstChunk(viewportPx: number): number {
  const fill = Number.isFinite(viewportPx) && viewportPx > 0 ? Math.ceil(viewportPx / MIN_MESSAGE_PX) : FIRST_MAX;
  return Math.max(FIRST_MIN, Math.min(FIRST_MAX, fill + FIRST_MARGIN));
}

/** The plan for a window `viewportPx` high. */
export function mountPlan(viewportPx: number): MountPlan {
  return { first: firstChunk(viewportPx), budgetMs: STEP_BUDGET_MS };
}

/** The index of the oldest message the first render mounts (0: all of them). */
export function firstMounted(length: number, plan: MountPlan): number {
  return Math.max(0, length - Math.max(1, plan.first));
}

/** The index of the oldest message mounted after the next step, from `from` (already mounted) and the chunk size. */
export function nextMounted(from: number, chunk: number): number {
  return Math.max(0, from - Math.max(1, Math.floor(chunk)));
}

/**
 * The size of the next chunk, from the last one and how long its step took: scaled so a step takes about the
 * budget, at most doubled at once (one quick step says little), within [MIN_CHUNK, MAX_CHUNK]. The time includes
 * what does not depend on the chunk (the diff of the whole list), so chunks get smaller as the mounted log grows.
 */
export function nextChunk(chunk: number, tookMs: number, budgetMs: number = STEP_BUDGET_MS): number {
  const limit = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, chunk * 2));
  if (!Number.isFinite(tookMs) || tookMs <= 0) return limit;
  return Math.max(MIN_CHUNK, Math.min(limit, Math.floor((chunk * budgetMs) / tookMs)));
}

// Blocks. The mounted log is a list of blocks, each a few dozen items: the browser skips the layout, paint and
// visibility checks of a block off screen as one box (content-visibility on the block, styles.css), not per message,
// and a change re-renders its block alone. A block is named by the message it starts at, so it keeps its identity:
// each chunk mounted above is a new block, and new messages fill the newest block up to BLOCK_MAX, then start one.

/** New messages at the end of the log go into one block up to this many, then start the next. */
export const BLOCK_MAX = 30;

/** The messages (oldest first) that start a new block after the newest one in `starts`: one every `max` messages. */
export function newBlockStarts(
  messages: readonly { readonly key: string }[],
  starts: ReadonlySet<string>,
  max: number = BLOCK_MAX,
): string[] {
  let last = messages.length - 1;
  while (last >= 0 && !starts.has(messages[last]?.key ?? "")) last--;
  if (last < 0) return [];
  const out: string[] = [];
  for (let at = last + max; at < messages.length; at += max) {
    const key = messages[at]?.key;
    if (key !== undefined) out.push(key);
  }
  return out;
}

export interface Block<T> {
  /** `b:` and the key of the message the block starts at. */
  readonly key: string;
  readonly items: readonly T[];
}

/**
 * The log's items in blocks: one begins at the first message and at each message in `starts`, with the items just
 * before that message (its day separator, the unread line, notices); items after the last message join the last
 * block. `messageKey` says which items are messages (null for the others).
 */
export function blocksOf<T>(
  items: readonly T[],
  messageKey: (item: T) => string | null,
  starts: ReadonlySet<string>,
): Block<T>[] {
  const blocks: { key: string; items: T[] }[] = [];
  let pending: T[] = [];
  for (const item of items) {
    const key = messageKey(item);
    if (key === null) {
      pending.push(item);
      continue;
    }
    const current = blocks.at(-1);
    if (current === undefined || starts.has(key)) blocks.push({ key: `b:${key}`, items: [...pending, item] });
    else current.items.push(...pending, item);
    pending = [];
  }
  if (pending.length > 0) {
    const current = blocks.at(-1);
    if (current === undefined) blocks.push({ key: "b:", items: pending });
    else current.items.push(...pending);
  }
  return blocks;
}
