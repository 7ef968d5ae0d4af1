// Affiliation tracking (src/durable/features/room-members.ts): presences (XEP-0045 status 321/301/322 carry the new
// affiliation), the room's announcement for someone not in it (§9.3, as Prosody 13 sends it), the lists fetched by
// the settings, bounds, and the OMEMO recipients (issue #8 §2: never outcasts).
import { describe, expect, it } from "vitest";
import { MAX_TRACKED_PER_ROOM, RoomMembers } from "../../../src/durable/features/room-members.ts";
import { NS_MUC_USER, parseOccupant } from "../../../src/xmpp/muc.ts";
import { parseXml } from "../xml-helpers.ts";

const ROOM = "tea@conference.localhost";

function presence(nick: string, jid: string, affiliation: string, role: string, codes: number[] = [], type = "") {
  const status = codes.map((c) => `<status code="${c}"/>`).join("");
  return parseOccupant(
    parseXml(
      `<presence from="${ROOM}/${nick}"${type ? ` type="${type}"` : ""}><x xmlns="${NS_MUC_USER}">` +
        `<item jid="${jid}/res" affiliation="${affiliation}" role="${role}"/>${status}</x></presence>`,
    ),
  );
}

describe("RoomMembers", () => {
  it("follows presences: joins, a 321 removal, a 301 ban; recipients never include outcasts", () => {
    const members = new RoomMembers((r) => r === ROOM);
    for (const p of [
      presence("bo", "bo@localhost", "owner", "moderator"),
      presence("cy", "cy@localhost", "member", "participant"),
      presence("dee", "dee@localhost", "member", "participant"),
    ]) {
      if (p) members.observe(p);
    }
    expect([...members.of(ROOM)]).toEqual([
      ["bo@localhost", "owner"],
      ["cy@localhost", "member"],
      ["dee@localhost", "member"],
    ]);
    const removed = presence("cy", "cy@localhost", "none", "none", [321], "unavailable");
    const banned = presence("dee", "dee@localhost", "outcast", "none", [301], "unavailable");
    if (removed) members.observe(removed);
    if (banned) members.observe(banned);
    expect(members.of(ROOM).get("cy@localhost")).toBeUndefined();
    expect(members.of(ROOM).get("dee@localhost")).toBe("outcast");
    expect(members.recipients(ROOM)).toEqual(["bo@localhost"]);
  });

  it("takes the room's announcement for someone not in it, and nothing else", () => {
    const members = new RoomMembers((r) => r === ROOM);
    const announce = (from: string, inner: string) =>
      parseXml(`<message from="${from}" id="x"><x xmlns="${NS_MUC_USER}">${inner}</x></message>`);
    expect(members.onStanza(announce(ROOM, `<item jid="eve@localhost" affiliation="member"/>`))).toBe(true);
    expect(members.of(ROOM).get("eve@localhost")).toBe("member");
    expect(members.onStanza(announce(ROOM, `<status code="321"/><item jid="eve@localhost" affiliation="none"/>`))).toBe(
      true,
    );
    expect(members.of(ROOM).has("eve@localhost")).toBe(false);
    // Not from a room of ours, from an occupant, an invitation, a groupchat message: not this.
    expect(members.onStanza(announce("other@conference.localhost", `<item jid="x@l" affiliation="member"/>`))).toBe(
      false,
    );
    expect(members.onStanza(announce(`${ROOM}/bo`, `<item jid="x@l" affiliation="member"/>`))).toBe(false);
    expect(members.onStanza(announce(ROOM, `<invite from="bo@localhost"/>`))).toBe(false);
    expect(
      members.onStanza(
        parseXml(
          `<message from="${ROOM}" type="groupchat"><x xmlns="${NS_MUC_USER}"><item jid="x@l" affiliation="member"/></x></message>`,
        ),
      ),
    ).toBe(false);
  });

  it("replaces one affiliation's entries with a fetched list, and stays bounded", () => {
    const members = new RoomMembers(() => true);
    members.set(ROOM, "old@localhost", "member");
    members.set(ROOM, "boss@localhost", "owner");
    members.applyList(ROOM, "member", [{ jid: "new@localhost", affiliation: "member" }]);
    expect([...members.of(ROOM)].sort()).toEqual([
      ["boss@localhost", "owner"],
      ["new@localhost", "member"],
    ]);
    for (let i = 0; i < MAX_TRACKED_PER_ROOM + 10; i++) members.set(ROOM, `u${i}@localhost`, "member");
    expect(members.of(ROOM).size).toBe(MAX_TRACKED_PER_ROOM);
    members.set(ROOM, "boss@localhost", "admin"); // a known one still changes
    expect(members.of(ROOM).get("boss@localhost")).toBe("admin");
    members.forget(ROOM);
    expect(members.of(ROOM).size).toBe(0);
  });
});
