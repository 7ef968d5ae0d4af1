// The log's staged mounting (issue #7 §7, ./stages.ts decides): which loaded messages are mounted now (the newest
// ones first, older ones added one timed chunk per task until all are), which messages start the log's blocks, and
// what waits for a message to be mounted (Jump to first unread). The timeline keeps the scroll position in place as
// chunks are added above, and calls `committed` after each of its commits: that times the step, runs what waited,
// and schedules the next step.
import { createContext } from "preact";
import { useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  FIRST_STEP,
  firstMounted,
  mountPlan,
  newBlockStarts,
  nextChunk,
  nextMounted,
  type MountPlan,
} from "./stages.ts";

/**
 * How the log mounts; null (everywhere in the app): staged, for the window's height. The render benchmark
 * (bench/render/) provides a plan that mounts everything in the first render, to compare with the way before.
 */
export const MountPlanContext = createContext<MountPlan | null>(null);

export interface StagedMount {
  /** The index of the oldest mounted message: those before it are not in the DOM yet (0: all are). */
  from: number;
  /** The messages that start a block of the log (stages.ts blocksOf). */
  starts: ReadonlySet<string>;
  /** Runs `andThen` once the message `key` is mounted (at once when it is), after the log placed its scroll position. */
  reveal(key: string, andThen: () => void): void;
  /** Called at the end of the log's layout effect, after every commit. */
  committed(): void;
}

export function useStagedMount(messages: readonly { readonly key: string }[]): StagedMount {
  const given = useContext(MountPlanContext);
  const plan = useMemo(() => given ?? mountPlan(window.innerHeight), [given]);
  const oldest = useRef<string | null>(null);
  const starts = useRef(new Set<string>());
  const latest = useRef(messages);
  latest.current = messages;
  const chunk = useRef(FIRST_STEP);
  const stepStarted = useRef<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const waiting = useRef<{ key: string; run: () => void } | null>(null);
  const [, setStep] = useState(0);

  const known = oldest.current;
  let from = known === null ? -1 : messages.findIndex((m) => m.key === known);
  if (from < 0) {
    // First render with messages, or the history was replaced (a snapshot): a fresh plan.
    from = firstMounted(messages.length, plan);
    starts.current = new Set();
  }
  oldest.current = messages[from]?.key ?? null;
  if (oldest.current !== null) starts.current.add(oldest.current);
  for (const key of newBlockStarts(messages, starts.current)) starts.current.add(key);
  const fromRef = useRef(from);
  fromRef.current = from;
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );

  /** Whether the message is mounted; null when it is not loaded at all. */
  const isMounted = (key: string): boolean | null => {
    const at = latest.current.findIndex((m) => m.key === key);
    return at < 0 ? null : at >= fromRef.current;
  };
  const step = (): void => {
    timer.current = null;
    const list = latest.current;
    const at = oldest.current === null ? -1 : list.findIndex((m) => m.key === oldest.current);
    if (at <= 0) return;
    oldest.current = list[nextMounted(at, chunk.current)]?.key ?? null;
    stepStarted.current = performance.now();
    setStep((n) => n + 1);
  };

  return {
    from,
    starts: starts.current,
    reveal(key, andThen) {
      const mounted = isMounted(key);
      if (mounted === true) andThen();
      else if (mounted === false) waiting.current = { key, run: andThen };
    },
    committed() {
      const started = stepStarted.current;
      if (started !== null) {
        stepStarted.current = null;
        chunk.current = nextChunk(chunk.current, performance.now() - started, plan.budgetMs);
      }
      const wait = waiting.current;
      const ready = wait ? isMounted(wait.key) : false;
      if (wait && ready !== false) {
        // Mounted now (or gone from the loaded messages: nothing to wait for any more).
        waiting.current = null;
        if (ready) wait.run();
      }
      // One chunk per task: the browser paints and handles input in between.
      if (fromRef.current > 0 && timer.current === null) timer.current = setTimeout(step, 0);
    },
  };
}
