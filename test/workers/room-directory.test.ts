// Room search (issue #8 §1) against a real Prosody: channels made by an independent XMPP client (the peer) are found
// by name, address and description, with their participant counts, most participants first; a group chat (not
// listed, XEP-0045 §6.3 public rooms only) is not; the object's cache answers the next search without walking the
// service again (a channel made since is not seen until the cache expires).
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../src/protocol/index.ts";
import {
  buildConfigFetch,
  buildConfigSubmit,
  buildJoin,
  NS_MUC_USER,
  parseConfigFields,
  roomConfig,
} from "../../src/xmpp/muc.ts";
import { peer, record, signedInTab, until, type Peer, type Tab } from "./helpers.ts";

const MUC = "conference.localhost";

/** `p` joins `room` as `nick` and waits for its self-presence (status 110). */
async function enter(p: Peer, room: string, nick: string): Promise<void> {
  const got = record(p);
  await p.link.send(buildJoin(room, nick));
  await until(`${nick} in ${room}`, () =>
    got.find(
      (s) =>
        s.name === "presence" &&
        s.attrs.from === `${room}/${nick}` &&
        (s.getChild("x", NS_MUC_USER)?.getChildren("status") ?? []).some((c) => c.attrs.code === "110"),
    ),
  );
}

/** The peer makes `room` (XEP-0045 §10.1: join, then submit the configuration after status 201). */
async function create(
  owner: Peer,
  room: string,
  kind: "group" | "channel",
  name: string,
  description: string,
): Promise<void> {
  await enter(owner, room, "owner");
  const offered = parseConfigFields(await owner.link.iq("get", buildConfigFetch(), room));
  await owner.link.iq("set", buildConfigSubmit(roomConfig(kind, { name, description }), offered), room);
}

type Results = Extract<ServerFrame, { type: "room.search.results" }>;

async function search(tab: Tab, query: string): Promise<Results> {
  const requestId = `q-${crypto.randomUUID().slice(0, 8)}`;
  tab.send({ type: "room.search", requestId, query });
  const frame = await tab.waitFor(
    (f) => (f.type === "room.search.results" || f.type === "error") && f.requestId === requestId,
    20_000,
  );
  if (frame.type !== "room.search.results") throw new Error(`search failed: ${JSON.stringify(frame)}`);
  return frame;
}

describe("room search (XEP-0030 disco on the group chat service)", () => {
  // Two walks of every room on the service, which by this point of the suite holds the other tests' rooms too.
  it(
    "lists a peer's channels with counts, most participants first; not group chats; cached",
    { timeout: 60_000 },
    async () => {
      const run = crypto.randomUUID().slice(0, 6);
      const [bo, cy] = await Promise.all([peer("dir-bo"), peer("dir-cy")]);
      const quiet = `quiet-${run}@${MUC}`;
      const busy = `busy-${run}@${MUC}`;
      const secret = `secret-${run}@${MUC}`;
      await create(bo, quiet, "channel", `Quiet ${run}`, "Knitting circle");
      await create(bo, busy, "channel", `Busy ${run}`, "Loud talk");
      await create(bo, secret, "group", `Secret ${run}`, "members only");
      await enter(cy, busy, "cy");

      const { tab } = await signedInTab("dir-ann");
      const found = await search(tab, run.toUpperCase());
      expect(found.total).toBe(2);
      expect(found.results).toEqual([
        { room: busy, name: `Busy ${run}`, description: "Loud talk", participants: 2, kind: "channel" },
        { room: quiet, name: `Quiet ${run}`, description: "Knitting circle", participants: 1, kind: "channel" },
      ]);
      // By description, case-folded; by address.
      expect((await search(tab, `KNITTING`)).results.map((r) => r.room)).toContain(quiet);
      expect((await search(tab, `busy-${run}@`)).results.map((r) => r.room)).toEqual([busy]);

      // A channel made now is not seen: the object answers from its walk of a moment ago (5 minutes' cache).
      const late = `late-${run}@${MUC}`;
      await create(bo, late, "channel", `Late ${run}`, "");
      expect((await search(tab, run)).results.map((r) => r.room)).toEqual([busy, quiet]);
      // A second tab of another account walks afresh and sees it.
      const other = await signedInTab("dir-cy");
      expect((await search(other.tab, run)).results.map((r) => r.room)).toEqual([busy, late, quiet]);
      other.tab.close();
      tab.close();
      await Promise.all([bo.close(), cy.close()]);
    },
  );

  it("refuses a query XML cannot carry, and answers an empty query with every listed room", async () => {
    const { tab } = await signedInTab("dir-ann");
    tab.send(JSON.stringify({ type: "room.search", requestId: "bad1", query: "a\u0000b" }));
    const refused = await tab.waitFor((f) => f.type === "error" && f.requestId === "bad1");
    expect(refused).toMatchObject({ code: "bad-frame" });
    const all = await search(tab, "");
    expect(all.total).toBeGreaterThanOrEqual(all.results.length);
    expect(all.results.length).toBeLessThanOrEqual(50);
    const counts = all.results.map((r) => r.participants ?? -1);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    tab.close();
  });
});
