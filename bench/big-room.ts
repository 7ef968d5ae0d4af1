// Big rooms (issue #8 §5), the object's side, against a real Prosody: the flood peer (test/peers/flood.ts) fills a
// channel with 10,000 participants, a real client (xmpp.js, test/peers/bob.ts) joins it and records the presences
// Prosody sends (one per participant, all at once, then ours). They are fed, as the object's muc feature does, to
//   ours   the presence buffer (src/durable/features/room-participants.ts): applied at once, one snapshot frame,
//          the list stored in bulk (JSON array as one parameter, 500 rows a statement) on libSQL;
//   naive  one `room` frame and one INSERT or DELETE per presence (the object before the buffer sent one frame per
//          presence once joined; a statement per presence is what a row-per-event design writes), all of a phase's
//          statements in one batch, so only their number differs.
// Then 1,000 more come and go live (500 joins, 500 leaves), the same two ways. Frames are counted at the tabs'
// side of the object (a TabsOut that counts), statements at the database client (execute = 1, batch = its length).
// Run with tsx; writes results as JSON to argv[2]. The Chromium half is bench/big-room-render.mjs.
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeFileSync } from "node:fs";
import { createClient } from "@libsql/client";
import type { Element } from "@xmpp/xml";
import { sql, type SQL } from "drizzle-orm";
import { startProsody, FLOOD_SECRET } from "../scripts/prosody.mjs";
import { FloodPeer } from "../test/peers/flood.ts";
import { connectPeer } from "../test/peers/bob.ts";
import { buildJoin, parseOccupant, isSelfPresence } from "../src/xmpp/muc.ts";
import { RoomParticipants } from "../src/durable/features/room-participants.ts";
import { defaultRoom, RoomEntry } from "../src/durable/features/room-entry.ts";
import type { OutgoingFrame } from "../src/protocol/index.ts";
import { runBatch } from "../src/db/store.ts";
import { benchLibsql, migrate } from "./libsql-runner.ts";

const out = process.argv[2];
if (!out) throw new Error("usage: tsx bench/big-room.ts <results.json>");
const N = Number(process.env.PARLEY_BENCH_BIG_ROOM ?? 10_000);
const LIVE = 500;
const say = (line: string): void => void process.stderr.write(`  [big-room] ${line}\n`);
const root = path.resolve(import.meta.dirname, "..");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const [c2sPort, httpPort, componentPort] = [await freePort(), await freePort(), await freePort()];
const prosody = await startProsody({
  dataDir: path.join(root, ".parley/bench-big-room"),
  c2sPort,
  httpPort,
  componentPort,
  fresh: true,
  accounts: [["bench", "parley"]],
});
const dir = mkdtempSync(path.join(os.tmpdir(), "parley-big-room-"));
try {
  const room = `big-${Date.now()}@conference.localhost`;
  const flood = await FloodPeer.connect({ port: componentPort, secret: FLOOD_SECRET });
  let t = performance.now();
  await flood.join(room, N);
  say(`${N} participants put in ${room} in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // A real client joins: Prosody sends every participant's presence, then ours (XEP-0045 §7.2.3).
  const client = await connectPeer({ service: prosody.wsUrl, username: "bench" });
  const seen = client.stanzas.length;
  t = performance.now();
  await client.sendStanza(buildJoin(room, "bench"));
  const self = (s: Element | undefined) => {
    const o = s?.is("presence") ? parseOccupant(s) : null;
    return o !== null && o !== undefined && isSelfPresence(o);
  };
  // Each stanza looked at once (the client keeps receiving while this waits).
  for (let i = seen; ;) {
    while (i < client.stanzas.length) if (self(client.stanzas[i++])) break;
    if (i > seen && self(client.stanzas[i - 1])) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const joinMs = performance.now() - t;
  const presences = client.stanzas.slice(seen).filter((s) => s.is("presence"));
  say(`joined: ${presences.length} presences in ${joinMs.toFixed(0)} ms`);

  // The live phase's presences: 500 more join, 500 of the first ones leave.
  const liveSeen = client.stanzas.length;
  await flood.join(room, LIVE, { from: N });
  await flood.leave(room, LIVE, { from: 0 });
  for (;;) {
    if (client.stanzas.length - liveSeen >= 2 * LIVE) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const live = client.stanzas.slice(liveSeen).filter((s) => s.is("presence"));
  await client.close();
  flood.close();

  /** The two ways, on a fresh database each. */
  async function feed(way: "ours" | "naive", file: string) {
    const real = createClient({ url: `file:${path.join(dir, file)}` });
    await migrate(real);
    const { db, counters } = benchLibsql(real);
    const frames = { join: 0, live: 0 };
    let phase: "join" | "live" = "join";
    const tabs = {
      send: () => undefined,
      broadcast: (frame: OutgoingFrame) => {
        frames[phase]++;
        JSON.stringify(frame); // what the fan-out does with each frame
      },
    };
    const entry = new RoomEntry(defaultRoom(room, "bench"));
    entry.view.state = "joining";
    const buffer = new RoomParticipants({ owner: "bench@localhost", db, tabs, room: () => entry });
    const statements = { join: 0, live: 0 };
    const pending: SQL[] = [];
    const ms = { join: 0, live: 0 };
    for (const [name, stanzas] of [
      ["join", presences],
      ["live", live],
    ] as const) {
      phase = name;
      const before = counters.statements;
      const t0 = performance.now();
      for (const el of stanzas) {
        const o = parseOccupant(el);
        if (!o) continue;
        if (way === "ours") {
          buffer.presence(entry, o);
          if (isSelfPresence(o)) {
            entry.view.state = "joined";
            buffer.joined(entry);
          }
        } else {
          // One frame and one statement per presence.
          if (o.available) entry.occupants.set(o.nick, o);
          else entry.occupants.delete(o.nick);
          entry.view.participants = entry.occupants.size;
          tabs.broadcast({ type: "room", room: { ...entry.view } });
          pending.push(
            o.available
              ? sql`INSERT INTO room_participants (owner, room, nick, rank, role, affiliation, show)
                  VALUES ('bench@localhost', ${room}, ${o.nick}, 1, ${o.role}, ${o.affiliation}, ${o.show})
                  ON CONFLICT (owner, room, nick) DO UPDATE SET role = excluded.role`
              : sql`DELETE FROM room_participants WHERE owner = 'bench@localhost' AND room = ${room} AND nick = ${o.nick}`,
          );
        }
      }
      // The naive statements go in one batch (one transaction) too: only their number differs.
      if (way === "ours") await buffer.flush();
      else await runBatch(db, pending.splice(0));
      ms[name] = performance.now() - t0;
      statements[name] = counters.statements - before;
    }
    const rows = await real.execute("SELECT count(*) AS n FROM room_participants");
    real.close();
    return { frames, statements, ms, rows: Number(rows.rows[0]?.n ?? 0) };
  }
  const ours = await feed("ours", "ours.db");
  say(`ours: ${JSON.stringify(ours)}`);
  const naive = await feed("naive", "naive.db");
  say(`naive: ${JSON.stringify(naive)}`);
  writeFileSync(
    out,
    JSON.stringify({ participants: N, presences: presences.length, live: live.length, joinMs, ours, naive }),
  );
} finally {
  await prosody.stop();
  rmSync(dir, { recursive: true, force: true });
}
