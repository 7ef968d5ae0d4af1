// A block of the message log (issue #7 §7) rendered to markup, and when it renders again: only when a row of it
// would show differently (a new message, a changed one, a new status), or the day changed.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { LogBlock, sameBlock, type LogRow } from "../src/features/chat/log-block.tsx";
import type { MessageProps } from "../src/features/chat/message.tsx";
import type { ChatMessage } from "../../src/protocol/index.ts";
import { msg } from "./fixtures.ts";

const ts = new Date(2026, 2, 3, 10, 0).getTime();

function messageRow(m: ChatMessage, extra: Partial<MessageProps> = {}): LogRow {
  const props: MessageProps = {
    m,
    plain: undefined,
    editPlain: undefined,
    quotePlain: undefined,
    sec: null,
    clear: false,
    continued: false,
    status: null,
    peer: "bob@localhost",
    name: "Bob",
    ...extra,
  };
  return { kind: "message", key: `m:${m.key}`, props };
}

describe("LogBlock", () => {
  const a = msg("a", ts);
  const b = msg("b", ts + 60_000, { direction: "out", receipt: "sent" });
  const rows = (): LogRow[] => [
    { kind: "day", key: "d:2026-03-03", ts },
    messageRow(a),
    { kind: "unread", key: "unread" },
    messageRow(b, { continued: false }),
  ];

  it("is a list of its rows, sized by their number until the browser first shows it", () => {
    const out = render(<LogBlock rows={rows()} today="2026-03-04" />);
    expect(out).toMatch(/^<ol class="log-block" style="contain-intrinsic-size:\s*auto 16rem;?">/u);
    expect(out).toContain('<time datetime="2026-03-03">');
    const order = ["day-separator", 'data-key="a"', "unread-separator", 'data-key="b"'].map((s) => out.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
  });

  it("renders again only when a row would show differently, or the day changed", () => {
    const today = "2026-03-04";
    // Rows computed afresh on every render of the log, from the same messages: the same block.
    expect(sameBlock({ rows: rows(), today }, { rows: rows(), today })).toBe(true);
    // A reaction came (a new message object), a status changed, a message was added, the day changed.
    const reacted = [
      ...rows().slice(0, 3),
      messageRow({ ...b, reactions: [{ emoji: "👍", from: ["bob@localhost"] }] }),
    ];
    expect(sameBlock({ rows: rows(), today }, { rows: reacted, today })).toBe(false);
    const read = [...rows().slice(0, 3), messageRow(b, { status: "Read" })];
    expect(sameBlock({ rows: rows(), today }, { rows: read, today })).toBe(false);
    expect(sameBlock({ rows: rows(), today }, { rows: [...rows(), messageRow(msg("c", ts + 120_000))], today })).toBe(
      false,
    );
    expect(sameBlock({ rows: rows(), today }, { rows: rows(), today: "2026-03-05" })).toBe(false);
    // A separator moved to another block: a different row at that place.
    expect(sameBlock({ rows: rows(), today }, { rows: rows().slice(1), today })).toBe(false);
  });
});
