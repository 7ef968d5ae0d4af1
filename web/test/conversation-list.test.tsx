// The conversation list and the log's reading controls rendered to markup (preact-render-to-string): order, the
// unread count in words, the pin and mute marks, the "Conversation actions" button and the menu's items.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import type { Conversation } from "../../src/protocol/index.ts";
import { applyFrame, initialState, type AppState } from "../src/core/state.ts";
import { ConversationList } from "../src/features/conversations/conversation-list.tsx";
import { menuItems, notifyItems } from "../src/features/conversations/conversation-menu.tsx";
import { JumpToUnread, ScrollToBottom, UnreadSeparator } from "../src/features/read/log-controls.tsx";
import type { LogReading } from "../src/features/read/use-log-reading.ts";
import { conv, snapshot } from "./fixtures.ts";

const withConversations = (conversations: Conversation[]): AppState =>
  applyFrame(initialState("alice@localhost"), snapshot({ conversations, roster: [] }));

const list = (state: AppState): string =>
  render(
    <ConversationList
      state={state}
      openPeer={null}
      send={() => true}
      onSettle={() => () => {}}
      onActivate={() => {}}
    />,
  );

describe("conversation list (issue #7 §4)", () => {
  const state = withConversations([
    conv("old@x", 1),
    conv("unread@x", 10, 3),
    { ...conv("pinned@x", 0), pinned: true },
    { ...conv("muted@x", 20, 5), muted: true },
    { ...conv("hidden@x", 99, 1), hidden: true },
  ]);

  it("is in orderConversations' order, hidden ones left out", () => {
    const peers = [...list(state).matchAll(/href="#chat\/([^"]+)"/gu)].map((m) => decodeURIComponent(m[1] ?? ""));
    expect(peers).toEqual(["pinned@x", "unread@x", "muted@x", "old@x"]);
  });

  it("says the unread count in words, marks pinned and muted, mutes a muted badge", () => {
    const out = list(state);
    expect(out).toContain('aria-label="3 unread"');
    expect(out).toContain('class="badge badge-muted" role="img" aria-label="5 unread"');
    expect(out).toContain(", pinned");
    expect(out).toContain(", muted");
    expect(out.match(/aria-label="Conversation actions"/gu)).toHaveLength(4);
    expect(out).toContain("Show hidden conversations (1)");
  });

  it("offers the opposite of each flag", () => {
    expect(menuItems({}).map((i) => i.label)).toEqual(["Pin", "Mute", "Hide"]);
    expect(menuItems({ pinned: true, muted: true, hidden: true }).map((i) => i.label)).toEqual([
      "Unpin",
      "Unmute",
      "Unhide",
    ]);
    expect(menuItems({ pinned: true })[0]).toEqual({ label: "Unpin", flag: "pinned", value: false });
  });

  it("offers a room's notification setting (XEP-0492), every message when it has none", () => {
    expect(notifyItems(null).map((i) => [i.label, i.flag === "notify" && i.checked])).toEqual([
      ["Notify for every message", true],
      ["Notify for mentions only", false],
      ["Never notify", false],
    ]);
    expect(notifyItems("never").find((i) => i.flag === "notify" && i.checked)?.value).toBe("never");
  });
});

describe("log reading controls (issue #7 §2)", () => {
  const reading = (extra: Partial<LogReading>): LogReading => ({
    firstUnread: "k",
    showJump: false,
    showScrollDown: false,
    newCount: 0,
    onScroll: () => {},
    jumpToFirstUnread: () => {},
    scrollToBottom: () => {},
    ...extra,
  });

  it("draws the Unread messages line", () => {
    expect(render(<UnreadSeparator />)).toContain("Unread messages");
  });

  it("shows the jump button only when asked", () => {
    expect(render(<JumpToUnread reading={reading({})} />)).not.toContain("<button");
    expect(render(<JumpToUnread reading={reading({ showJump: true })} />)).toContain("Jump to first unread");
  });

  it("names the scroll button with the count of new messages, shown in text", () => {
    const out = render(<ScrollToBottom reading={reading({ showScrollDown: true, newCount: 3 })} />);
    expect(out).toContain('aria-label="Scroll to bottom, 3 new messages"');
    expect(out.replace(/<[^>]+>/gu, "")).toBe("3 new messages");
    expect(render(<ScrollToBottom reading={reading({ showScrollDown: true })} />)).toContain(
      'aria-label="Scroll to bottom"',
    );
  });
});
