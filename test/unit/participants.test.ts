// The participants a tab is shown (src/durable/features/muc.ts participantViews): present ones only, moderators
// first, then by name; real addresses and occupant ids only where the room gave them.
import { describe, expect, it } from "vitest";
import { participantViews } from "../../src/durable/features/muc.ts";
import type { Occupant } from "../../src/xmpp/muc.ts";

const occ = (nick: string, over: Partial<Occupant> = {}): Occupant => ({
  room: "r@muc.x",
  nick,
  available: true,
  show: "online",
  status: "",
  affiliation: "member",
  role: "participant",
  codes: [],
  ...over,
});

describe("participantViews", () => {
  it("lists present participants, moderators first, then by name", () => {
    const views = participantViews([
      occ("zed"),
      occ("amy", { role: "visitor", affiliation: "none" }),
      occ("bob", { role: "moderator", affiliation: "owner", realJid: "bob@x", occupantId: "o-bob" }),
      occ("gone", { available: false }),
      occ("cat"),
    ]);
    expect(views.map((v) => v.nick)).toEqual(["bob", "cat", "zed", "amy"]);
    expect(views[0]).toEqual({
      nick: "bob",
      role: "moderator",
      affiliation: "owner",
      show: "online",
      jid: "bob@x",
      occupantId: "o-bob",
    });
    expect(views[1]).not.toHaveProperty("jid");
  });
});
