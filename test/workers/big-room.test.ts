// Big rooms stay fluid (issue #8 §3) against a real Prosody: a channel of 1,000 participants (the flood peer,
// test/peers/flood.ts, through the control endpoint) is joined with a handful of frames to the tab instead of one
// per presence, its participants are searched in the object and stored in bulk, and later joins and leaves reach
// the tab as batched deltas.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import {
  buildConfigFetch,
  buildConfigSubmit,
  buildJoin,
  NS_MUC_USER,
  parseConfigFields,
  roomConfig,
} from "../../src/xmpp/muc.ts";
import { peer, record, signedInTab, until, type Tab } from "./helpers.ts";

const ROOM = `big-${crypto.randomUUID().slice(0, 8)}@conference.localhost`;
const FLOOD = 1_000;

async function flood(ask: { join?: number; leave?: number; from?: number }): Promise<void> {
  const res = await fetch(`${inject("prosodyControl")}/flood`, {
    method: "POST",
    body: JSON.stringify({ room: ROOM, ...ask }),
  });
  expect(res.status).toBe(204);
}

async function roundTrip(tab: Tab): Promise<void> {
  const before = tab.frames.length;
  tab.send({ type: "ping" });
  await tab.waitFor((f) => f.type === "pong" && tab.frames.indexOf(f) >= before);
}

/** Every frame about rooms the tab got from index `from` on (raw: `room` frames are kept apart by the Tab). */
const roomFrames = (tab: Tab, from: number): string[] =>
  tab.raw.slice(from).filter((raw) => /^\{"type":"room(\.participants\.delta)?"/.test(raw));

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function storedRows(owner: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM room_participants WHERE owner = ? AND room = ?")
    .bind(owner, ROOM)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("a channel of 1,000 participants", () => {
  it("is joined with a few frames, searched in the object, stored in bulk, and followed by batched deltas", async () => {
    // bo makes the channel; the flood peer fills it.
    const bo = await peer("big-bo");
    const got = record(bo);
    await bo.link.send(buildJoin(ROOM, "bo"));
    await until("bo's self-presence", () =>
      got.find(
        (s) =>
          s.name === "presence" &&
          s
            .getChild("x", NS_MUC_USER)
            ?.getChildren("status")
            .some((c) => c.attrs.code === "110") === true,
      ),
    );
    const offered = parseConfigFields(await bo.link.iq("get", buildConfigFetch(), ROOM));
    await bo.link.iq(
      "set",
      buildConfigSubmit(roomConfig("channel", { name: "Big", description: "big" }), offered),
      ROOM,
    );
    await flood({ join: FLOOD });

    const { tab } = await signedInTab("big-ann");
    const start = tab.frames.length;
    const rawStart = tab.raw.length;
    tab.send({ type: "room.join", requestId: "j1", room: ROOM });
    await tab.waitFor((f) => f.type === "ack" && f.requestId === "j1");
    const joined = await tab.waitForRoom((r) => r.room === ROOM && r.state === "joined");
    const total = FLOOD + 2;
    expect(joined.participants).toBe(total);
    await new Promise((r) => setTimeout(r, 1_500)); // a flush interval: nothing more may come from the join
    await roundTrip(tab);
    const joinFrames = roomFrames(tab, rawStart);
    // room (joining), room (joined), one snapshot, and the room's own updates (subject, bookmark): a handful of
    // frames where one per presence would be 1,002.
    console.log(`big room: ${joinFrames.length} room frames to the tab for ${total} presences`);
    expect(joinFrames.length).toBeLessThanOrEqual(8);
    expect(joinFrames.filter((raw) => raw.startsWith('{"type":"room.participants.delta"'))).toHaveLength(1);
    const snapshot = tab.frames.slice(start).find((f) => f.type === "room.participants.delta");
    expect(snapshot?.type === "room.participants.delta" && snapshot.rooms[0]).toMatchObject({
      room: ROOM,
      total,
      reset: true,
    });
    expect(snapshot?.type === "room.participants.delta" && snapshot.rooms[0]?.added.length).toBe(100);

    // Searched in the object: p99 and p990…p999.
    tab.send({ type: "room.participants", requestId: "q1", room: ROOM, query: "P99" });
    const found = await tab.waitFor((f) => f.type === "room.participants" && f.requestId === "q1");
    expect(found.type === "room.participants" && found.participants.map((p) => p.nick).toSorted()).toEqual(
      ["p99", ...Array.from({ length: 10 }, (_, i) => `p99${i}`)].toSorted(),
    );
    expect(found).toMatchObject({ total, matching: 11, query: "P99" });
    // Paged: the second page of the whole list starts where the first ended.
    tab.send({ type: "room.participants", requestId: "q2", room: ROOM, offset: 1_000, limit: 500 });
    const tail = await tab.waitFor((f) => f.type === "room.participants" && f.requestId === "q2");
    expect(tail.type === "room.participants" && tail.participants.length).toBe(2);

    // Stored in bulk: the whole list, a few statements (see bench/big-room for the count).
    await poll("the list stored", async () => ((await storedRows("big-ann@localhost")) === total ? true : undefined));

    // 50 more come and 20 go: batched deltas, a handful of frames, not 70.
    const before = tab.frames.length;
    const rawBefore = tab.raw.length;
    await flood({ join: 50, from: FLOOD });
    await flood({ leave: 20, from: 0 });
    const final = total + 50 - 20;
    await tab.waitForRoom((r) => r.room === ROOM && r.participants === final, 10_000).catch(() => undefined);
    await until(
      "the deltas",
      () => {
        const last = tab.frames
          .slice(before)
          .filter((f) => f.type === "room.participants.delta")
          .at(-1);
        return last?.type === "room.participants.delta" && last.rooms[0]?.total === final ? last : undefined;
      },
      15_000,
    );
    const deltas = tab.frames.slice(before).filter((f) => f.type === "room.participants.delta");
    console.log(`big room: ${deltas.length} delta frames for 70 presences`);
    expect(deltas.length).toBeLessThanOrEqual(6);
    const added = deltas.flatMap((f) => (f.type === "room.participants.delta" ? f.rooms.flatMap((r) => r.added) : []));
    const removed = deltas.flatMap((f) =>
      f.type === "room.participants.delta" ? f.rooms.flatMap((r) => r.removed) : [],
    );
    expect(new Set(added.map((p) => p.nick)).size).toBe(50);
    expect(removed.toSorted()).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).toSorted());
    // No `room` frame per presence any more: the count travels in the deltas.
    expect(roomFrames(tab, rawBefore)).toHaveLength(deltas.length);
    await poll("the deltas stored", async () => ((await storedRows("big-ann@localhost")) === final ? true : undefined));
    tab.close();
    await bo.close();
  }, 180_000);
});
