// Room search and "Group settings" (web/src/features/rooms): the words of a listing, who sees the settings, the
// answers hub, and the settings dialog's markup for an owner and for an admin (preact-render-to-string).
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import type { RoomView } from "../../src/protocol/index.ts";
import { emitRoomAnswer, onRoomAnswer, type RoomAnswer } from "../src/features/rooms/answers.ts";
import { canManage, GroupSettings } from "../src/features/rooms/group-settings.tsx";
import { listingMeta, RoomSearch } from "../src/features/rooms/room-search.tsx";

const room = (over: Partial<RoomView> = {}): RoomView => ({
  room: "tea@conference.localhost",
  kind: "group",
  name: "Tea",
  nick: "ann",
  state: "joined",
  participants: 3,
  role: "moderator",
  affiliation: "owner",
  autojoin: true,
  notify: null,
  ...over,
});

describe("room search words", () => {
  it("says the kind and the participants", () => {
    expect(listingMeta({ kind: "channel", participants: 1 })).toBe("Channel · 1 participant");
    expect(listingMeta({ kind: "group", participants: 12 })).toBe("Group chat · 12 participants");
    expect(listingMeta({ kind: "other", participants: null })).toBe("Group chat");
  });

  it("renders the searchbox with its name and the hint before any typing", () => {
    const html = render(<RoomSearch send={() => true} onSettle={() => () => true} join={() => {}} busy={false} />);
    expect(html).toContain('type="search"');
    expect(html).toContain("Search group chats and channels");
    expect(html).toContain("Type to find the group chats and channels of this server.");
  });
});

describe("group settings", () => {
  it("are for owners and admins of a room the user is in", () => {
    expect(canManage(room())).toBe(true);
    expect(canManage(room({ affiliation: "admin" }))).toBe(true);
    expect(canManage(room({ affiliation: "member" }))).toBe(false);
    expect(canManage(room({ state: "left" }))).toBe(false);
  });

  const dialog = (r: RoomView): string =>
    render(
      <GroupSettings
        room={r}
        open={false}
        onClose={() => {}}
        send={() => true}
        onSettle={() => () => true}
        participants={{
          list: [
            { nick: "ann", role: "moderator", affiliation: "owner", show: "online" },
            { nick: "<b>cy</b>", role: "participant", affiliation: "member", show: "online", jid: "cy@localhost" },
          ],
          total: 2,
          query: "",
          matching: 2,
          stale: false,
        }}
      />,
    );

  it("offers an owner name, description, members, admins, removing, banning and deleting", () => {
    const html = dialog(room());
    for (const text of ["Group settings", "Name", "Description", "Save", "Member address", "Add member"]) {
      expect(html).toContain(text);
    }
    expect(html).toContain("Admin address");
    expect(html).toContain("Delete group chat");
    expect(html).toContain('aria-label="Remove &lt;b>cy&lt;/b>"');
    expect(html).toContain('aria-label="Ban &lt;b>cy&lt;/b>"');
    // The user's own row is not there; a nickname is text, never markup.
    expect(html).not.toContain('aria-label="Remove ann"');
    expect(html).not.toContain("<b>cy</b>");
  });

  it("offers an admin members and participants only", () => {
    const html = dialog(room({ affiliation: "admin", kind: "channel" }));
    expect(html).toContain("Add member");
    expect(html).not.toContain("Admin address");
    expect(html).not.toContain("Delete channel");
    expect(html).not.toContain("settings-name");
  });
});

describe("answers hub", () => {
  it("hands room answers to listeners until they unsubscribe", () => {
    const got: RoomAnswer[] = [];
    const off = onRoomAnswer((f) => got.push(f));
    const frame: RoomAnswer = { type: "room.search.results", requestId: "a", query: "q", results: [], total: 0 };
    emitRoomAnswer(frame);
    off();
    emitRoomAnswer(frame);
    expect(got).toEqual([frame]);
  });
});
