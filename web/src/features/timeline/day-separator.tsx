// A day separator in the log ("Today", "Yesterday", a weekday, a date): relabelled as days pass when the log renders.
import { dayKey, dayLabel } from "./days.ts";

export function DaySeparator({ ts }: { ts: number }) {
  return (
    <li class="day-separator">
      <time datetime={dayKey(ts)}>{dayLabel(ts, Date.now())}</time>
    </li>
  );
}
