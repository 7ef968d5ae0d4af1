import { describe, expect, it } from "vitest";
import { continuesGroup, dayKey } from "../src/features/timeline/days.ts";
import { timelineItems } from "../src/features/timeline/items.ts";

const DAY = 86_400_000;
const base = new Date(2026, 2, 3, 10, 0).getTime();
const m = (key: string, ts: number, direction: "in" | "out" = "in") => ({ key, ts, direction });
const n = (id: string, ts: number) => ({ id, ts });

describe("timeline items (issue #7 §2)", () => {
  it("puts a day separator before the first message of each day, and marks sender groups", () => {
    const items = timelineItems(
      [m("a", base), m("b", base + 60_000), m("c", base + DAY), m("d", base + DAY, "out")],
      [],
    );
    expect(items.map((i) => i.key)).toEqual(["d:2026-03-03", "m:a", "m:b", "d:2026-03-04", "m:c", "m:d"]);
    expect(items.filter((i) => i.kind === "message").map((i) => i.continued)).toEqual([false, true, false, false]);
  });

  it("places notices between messages by time, after a message of the same millisecond, and keeps keys stable", () => {
    const messages = [m("a", base), m("b", base + 10)];
    const notices = [n("x", base - 5), n("y", base), n("z", base + 20)];
    const items = timelineItems(messages, notices);
    expect(items.map((i) => i.key)).toEqual(["n:x", "d:2026-03-03", "m:a", "n:y", "m:b", "n:z"]);
    // A new message changes nothing before it: the keyed list adds one element.
    const more = timelineItems([...messages, m("c", base + 30)], notices);
    expect(more.map((i) => i.key)).toEqual([...items.map((i) => i.key), "m:c"]);
  });

  it("shows notices alone when there are no messages", () => {
    expect(timelineItems([], [n("x", 1)]).map((i) => i.key)).toEqual(["n:x"]);
  });

  it("agrees, over a long log, with each message's own day and group (one Date per day, not per message)", () => {
    const messages: ReturnType<typeof m>[] = [];
    let ts = base;
    for (let i = 0; i < 500; i++) {
      ts += [1_000, 60_000, 4 * 60_000, 6 * 60_000, 3 * 3_600_000, DAY][(i * 7) % 6] ?? 0;
      messages.push(m(`k${i}`, ts, i % 3 === 0 ? "out" : "in"));
    }
    const items = timelineItems(messages, []);
    const expected = messages.flatMap((msg, i) => {
      const prev = messages[i - 1];
      const day = prev === undefined || dayKey(prev.ts) !== dayKey(msg.ts) ? [`d:${dayKey(msg.ts)}`] : [];
      return [...day, `m:${msg.key}:${continuesGroup(prev, msg)}`];
    });
    expect(items.map((i) => (i.kind === "message" ? `${i.key}:${i.continued}` : i.key))).toEqual(expected);
  });
});
