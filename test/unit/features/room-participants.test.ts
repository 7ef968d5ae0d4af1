// The presence buffer of rooms (src/durable/features/room-participants.ts) and its storage statements
// (src/db/room-participants.ts), with a fake database and fake tabs: a join's flood is one snapshot frame, later
// presences at most one delta frame per flush, more than a frame carries becomes a reset, the list is searched
// and paged in order, chat states are dropped in large rooms, and 10,000 rows are a few statements.
import { xml } from "@xmpp/xml";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "../../../src/db/client.ts";
import { participantStatements } from "../../../src/db/room-participants.ts";
import { RoomParticipants } from "../../../src/durable/features/room-participants.ts";
import { defaultRoom, RoomEntry } from "../../../src/durable/features/room-entry.ts";
import type { OutgoingFrame } from "../../../src/protocol/index.ts";
import type { Occupant } from "../../../src/xmpp/muc.ts";

const ROOM = "big@conference.localhost";

function occupant(nick: string, available = true, role: Occupant["role"] = "participant"): Occupant {
  return { room: ROOM, nick, available, show: "online", status: "", affiliation: "none", role, codes: [] };
}

function setup() {
  const frames: OutgoingFrame[] = [];
  const statements: SQL[] = [];
  const db = { run: async (s: SQL) => void statements.push(s), all: async () => [] } as unknown as Db;
  const entry = new RoomEntry(defaultRoom(ROOM, "me"));
  entry.view.state = "joining";
  const buffer = new RoomParticipants(
    {
      owner: "me@localhost",
      db,
      tabs: { send: () => undefined, broadcast: (f) => void frames.push(f) },
      room: () => entry,
    },
    { intervalMs: 60_000, maxItems: 100_000 },
  );
  return { frames, statements, entry, buffer };
}

const deltas = (frames: OutgoingFrame[]) => frames.flatMap((f) => (f.type === "room.participants.delta" ? [f] : []));

describe("the presence buffer of rooms", () => {
  it("turns a join's flood into one snapshot, stores it in bulk, then batches deltas", async () => {
    const { frames, statements, entry, buffer } = setup();
    for (let i = 0; i < 3_000; i++) buffer.presence(entry, occupant(`p${i}`));
    buffer.presence(entry, occupant("boss", true, "moderator"));
    expect(frames).toHaveLength(0); // nothing while joining
    entry.view.state = "joined";
    buffer.joined(entry);
    expect(deltas(frames)).toHaveLength(1);
    expect(deltas(frames)[0]?.rooms[0]).toMatchObject({ room: ROOM, total: 3_001, reset: true });
    expect(deltas(frames)[0]?.rooms[0]?.added[0]?.nick).toBe("boss");
    expect(deltas(frames)[0]?.rooms[0]?.added).toHaveLength(100);
    await buffer.flush();
    expect(statements).toHaveLength(1 + 7); // the reset, then 3,001 rows by the 500
    expect(deltas(frames)).toHaveLength(1);

    // Later: 10 come, 5 go, one changes: one frame.
    for (let i = 3_000; i < 3_010; i++) buffer.presence(entry, occupant(`p${i}`));
    for (let i = 0; i < 5; i++) buffer.presence(entry, occupant(`p${i}`, false));
    buffer.presence(entry, occupant("p7", true, "moderator"));
    buffer.presence(entry, occupant("p3000", false)); // came and went in one flush: nothing
    await buffer.flush();
    const live = deltas(frames)[1]?.rooms[0];
    expect(deltas(frames)).toHaveLength(2);
    expect(live?.added.map((p) => p.nick)).toHaveLength(9);
    expect(live?.removed).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect(live?.changed.map((p) => p.nick)).toEqual(["p7"]);
    expect(live?.total).toBe(3_001 + 9 - 5);
    expect(entry.view.participants).toBe(3_005);

    // More than one frame carries: a reset with the first page.
    for (let i = 5_000; i < 5_600; i++) buffer.presence(entry, occupant(`p${i}`));
    await buffer.flush();
    expect(deltas(frames)[2]?.rooms[0]).toMatchObject({ reset: true, total: 3_605 });
  });

  it("searches and pages in list order; drops chat states in large rooms", () => {
    const { entry, buffer } = setup();
    for (let i = 0; i < 60; i++) buffer.presence(entry, occupant(`n${String(i).padStart(2, "0")}`));
    buffer.presence(entry, occupant("Zed", true, "moderator"));
    expect(buffer.page(entry, "", 0, 2).participants.map((p) => p.nick)).toEqual(["Zed", "n00"]);
    expect(buffer.page(entry, "n5", 0, 100)).toMatchObject({ total: 61, matching: 10 });
    expect(buffer.page(entry, "", 60, 10).participants.map((p) => p.nick)).toEqual(["n59"]);
    const composing = xml(
      "message",
      { type: "groupchat", from: `${ROOM}/n01` },
      xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
    );
    expect(buffer.dropsNoise(entry, composing)).toBe(true);
    expect(buffer.dropsNoise(entry, xml("message", { type: "groupchat" }, xml("body", {}, "hi")))).toBe(false);
  });

  it("writes 10,000 participants in 21 statements, each binding a handful of parameters", () => {
    const upserts = Array.from({ length: 10_000 }, (_, i) => ({
      nick: `p${i}`,
      role: "participant" as const,
      affiliation: "none" as const,
      show: "online" as const,
    }));
    const stmts = participantStatements("me@localhost", [{ room: ROOM, reset: true, upserts, removed: [] }]);
    expect(stmts).toHaveLength(21);
    const dialect = new SQLiteAsyncDialect();
    for (const s of stmts) expect(dialect.sqlToQuery(s).params.length).toBeLessThanOrEqual(100);
  });
});
