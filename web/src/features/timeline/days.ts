// Date separators and sender groups in the message log (issue #7 §2): which day a message belongs to (the reader's
// local calendar), what the separator says, and whether a message continues its sender's group. Pure.

/** Messages of one sender closer than this (and on the same day) are one group: no repeated header, tight spacing. */
export const GROUP_GAP_MS = 5 * 60_000;

/** The local calendar day of `ts`, as a key (yyyy-mm-dd). */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function startOfDay(ts: number): number {
  const d = new Date(ts);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The local calendar day of `ts`: its key and its bounds [start, end) (a day is not always 24 hours: DST). */
export function dayOf(ts: number): { key: string; start: number; end: number } {
  const d = new Date(ts);
  return {
    key: dayKey(ts),
    start: new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(),
    end: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime(),
  };
}

/**
 * Formatters by locale and kind, made once: toLocaleDateString builds a new Intl.DateTimeFormat on every call, and the
 * separators are relabelled on every render of the log (bench/render.mjs measured it among the costliest parts).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string | undefined, kind: "weekday" | "date" | "dateYear"): Intl.DateTimeFormat {
  const id = `${locale ?? ""}|${kind}`;
  let f = formatters.get(id);
  if (f === undefined) {
    const options: Intl.DateTimeFormatOptions =
      kind === "weekday"
        ? { weekday: "long" }
        : { day: "numeric", month: "long", ...(kind === "dateYear" ? { year: "numeric" } : {}) };
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(id, f);
  }
  return f;
}

/** "Today", "Yesterday", a weekday within the last week, else the date (with the year when it is not this one). */
export function dayLabel(ts: number, now: number, locale?: string): string {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86_400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return formatter(locale, "weekday").format(ts);
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return formatter(locale, sameYear ? "date" : "dateYear").format(ts);
}

/** Whether `m` continues the group of `prev` (same direction and sender, same day, close in time). */
export function continuesGroup(
  prev: { direction: "in" | "out"; ts: number } | undefined,
  m: { direction: "in" | "out"; ts: number },
): boolean {
  return prev !== undefined && closeInGroup(prev, m) && dayKey(prev.ts) === dayKey(m.ts);
}

/** Same direction and sender, close in time: a group, if on the same day (the caller knows the days). */
export function closeInGroup(
  prev: { direction: "in" | "out"; ts: number; from?: { nick: string; occupantId?: string } | undefined },
  m: { direction: "in" | "out"; ts: number; from?: { nick: string; occupantId?: string } | undefined },
) {
  // In a group chat the same direction is not the same sender: the participant must be the same too.
  const sameSender = (prev.from?.occupantId ?? prev.from?.nick) === (m.from?.occupantId ?? m.from?.nick);
  return prev.direction === m.direction && sameSender && m.ts - prev.ts < GROUP_GAP_MS;
}
