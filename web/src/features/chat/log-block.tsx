// A block of the message log (issue #7 §7, features/timeline/stages.ts blocksOf): a few dozen of its rows —
// messages, day separators, device notices, the unread line — as one list. The browser skips a block off screen as
// one box (styles.css .log-block), and a block renders again only when one of its rows would show differently, so an
// event in a 1,000-message log renders one block, not the whole list.
import type { DeviceNotice } from "../../core/e2ee.ts";
import { memo } from "../../ui/memo.ts";
import { Notice } from "../omemo/notice.tsx";
import { UnreadSeparator } from "../read/log-controls.tsx";
import { DaySeparator } from "../timeline/day-separator.tsx";
import { Message, sameMessageProps, type MessageProps } from "./message.tsx";
import { RoomEventLine } from "../rooms/room-event.tsx";
import type { RoomEvent } from "../rooms/membership.ts";

/** The estimated height of a row of a block not shown yet (styles.css .log-block). */
const ROW_REM = 4;

export type LogRow =
  | { readonly kind: "unread"; readonly key: string }
  | { readonly kind: "day"; readonly key: string; readonly ts: number }
  | {
      readonly kind: "notice";
      readonly key: string;
      readonly notice: DeviceNotice;
      readonly name: string;
      readonly own: boolean;
    }
  | { readonly kind: "event"; readonly key: string; readonly event: RoomEvent }
  | { readonly kind: "message"; readonly key: string; readonly props: MessageProps };

export interface LogBlockProps {
  rows: readonly LogRow[];
  /** Today's day key (features/timeline/days.ts): separators say "Today" and "Yesterday" again as days pass. */
  today: string;
}

function sameRow(a: LogRow, b: LogRow): boolean {
  if (a.key !== b.key) return false;
  switch (a.kind) {
    case "unread":
      return b.kind === "unread";
    case "day":
      return b.kind === "day" && a.ts === b.ts;
    case "notice":
      return b.kind === "notice" && a.notice === b.notice && a.name === b.name && a.own === b.own;
    case "event":
      return b.kind === "event" && a.event === b.event;
    case "message":
      return b.kind === "message" && sameMessageProps(a.props, b.props);
  }
}

function LogBlockView({ rows }: LogBlockProps) {
  return (
    // Its height until first shown (then the browser keeps the size it had): set on the block alone, as a custom
    // property would be inherited, and changing it would restyle every message of the block.
    <ol class="log-block" style={{ containIntrinsicSize: `auto ${rows.length * ROW_REM}rem` }}>
      {rows.map((row) => {
        switch (row.kind) {
          case "unread":
            return <UnreadSeparator key={row.key} />;
          case "day":
            return <DaySeparator key={row.key} ts={row.ts} />;
          case "notice":
            return <Notice key={row.key} notice={row.notice} name={row.name} own={row.own} />;
          case "event":
            return <RoomEventLine key={row.key} event={row.event} />;
          case "message":
            return <Message key={row.key} {...row.props} />;
        }
      })}
    </ol>
  );
}

/** Whether the block would show the same with `b` as with `a` (its memo). */
export function sameBlock(a: LogBlockProps, b: LogBlockProps): boolean {
  if (a.today !== b.today || a.rows.length !== b.rows.length) return false;
  for (let i = 0; i < a.rows.length; i++) {
    const x = a.rows[i];
    const y = b.rows[i];
    if (x === undefined || y === undefined || !sameRow(x, y)) return false;
  }
  return true;
}

export const LogBlock = memo(LogBlockView, sameBlock);
