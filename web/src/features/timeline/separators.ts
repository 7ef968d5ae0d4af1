// The day separators of one conversation's log: one <li> per day shown, kept across renders so the log is not
// rebuilt, and relabelled as days pass (Today → Yesterday). A render marks the days it used; the rest are dropped.
import { h, setText } from "../../ui/dom.ts";
import { dayKey, dayLabel } from "./days.ts";

export class DaySeparators {
  readonly #seps = new Map<string, { li: HTMLLIElement; time: HTMLTimeElement }>();
  #used = new Set<string>();

  /** The separator to put before `ts` when it starts a new day after `prevTs` (or the log); else null. */
  before(ts: number, prevTs: number | undefined, now: number): HTMLLIElement | null {
    const day = dayKey(ts);
    this.#used.add(day);
    if (prevTs !== undefined && dayKey(prevTs) === day) return null;
    let sep = this.#seps.get(day);
    if (!sep) {
      const time = h("time", { datetime: day });
      sep = { li: h("li", { class: "day-separator" }, time), time };
      this.#seps.set(day, sep);
    }
    setText(sep.time, dayLabel(ts, now));
    return sep.li;
  }

  /** After a render: forget the days it did not show. */
  prune(): void {
    for (const day of this.#seps.keys()) if (!this.#used.has(day)) this.#seps.delete(day);
    this.#used = new Set();
  }

  clear(): void {
    this.#seps.clear();
    this.#used = new Set();
  }
}
