/// <reference types="node" />
// Part 10 of `npm run bench` (bench/run.mjs): encrypting one message for a group chat of 20 members with 2 devices
// each (and our own second device): the real OMEMO engine (web/src/crypto/omemo03.ts, libsignal) on fake-indexeddb
// and an in-memory PEP service whose fetches each take PEP_LATENCY_MS (a round trip tab -> object -> server).
//   ours   Omemo03.encryptGroup(): device lists fetched in parallel, one key per device, one message.
//   naive  one one-to-one OMEMO message per member (Omemo03.encrypt() 20 times, one after another), as a client
//          without group support would have to do: 20 stanzas, every own device keyed 20 times.
// Cold = first message (device lists and bundles fetched, 41 sessions built); warm = the next messages.
// Run with tsx: `tsx bench/group-encrypt.ts <results.json>`. Writes results as JSON to argv[2]. Type-checked with
// the web app (web/tsconfig.json: it runs the browser's crypto code), with Node's types referenced above.
import { writeFileSync } from "node:fs";
import { FakePep, makeDevice, publishDevice, type TestDevice } from "../web/test/omemo-helpers.ts";
import type { PepTransport } from "../web/src/crypto/e2ee.ts";
import { Omemo03 } from "../web/src/crypto/omemo03.ts";

const out = process.argv[2];
if (!out) throw new Error("usage: tsx bench/group-encrypt.ts <results.json>");
const MEMBERS = 20;
const DEVICES = 2;
const WARM_RUNS = Number(process.env.PARLEY_BENCH_GROUP_RUNS ?? 15);
const PEP_LATENCY_MS = Number(process.env.PARLEY_BENCH_PEP_LATENCY_MS ?? 10);
const ME = "alice@localhost";
const say = (line: string) => process.stderr.write(`  [group] ${line}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A PEP transport whose fetches take PEP_LATENCY_MS, counted. */
function slow(pep: FakePep, owner: string, counter: { fetches: number }): PepTransport {
  const t = pep.transport(owner);
  return {
    fetch: async (jid, node) => {
      counter.fetches++;
      await sleep(PEP_LATENCY_MS);
      return t.fetch(jid, node);
    },
    publish: t.publish,
  };
}

async function world(): Promise<{ pep: FakePep; members: string[] }> {
  const pep = new FakePep();
  const members = Array.from({ length: MEMBERS }, (_, i) => `member${i}@localhost`);
  for (const m of members) {
    for (let d = 0; d < DEVICES; d++)
      await publishDevice(pep, await makeDevice(pep, m, { preKeyTarget: 10, name: `${m}-${d}` }));
  }
  await publishDevice(pep, await makeDevice(pep, ME, { preKeyTarget: 10, name: "alice-2" }));
  return { pep, members };
}

/** Our sending device on its own database, talking to PEP through the slow transport. */
async function sender(pep: FakePep, counter: { fetches: number }): Promise<Omemo03> {
  const base: TestDevice = await makeDevice(pep, ME, { preKeyTarget: 10, name: `alice-${crypto.randomUUID()}` });
  await publishDevice(pep, base);
  return new Omemo03({ ownJid: ME, store: base.store, transport: slow(pep, ME, counter), preKeyTarget: 10 });
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

const { pep, members } = await world();
say(`${MEMBERS} members x ${DEVICES} devices published; PEP latency ${PEP_LATENCY_MS} ms`);
const results: Record<string, { cold: number; warm: number; fetches: number; stanzas: number; keys: number }> = {};

for (const method of ["ours", "naive"] as const) {
  const counter = { fetches: 0 };
  const engine = await sender(pep, counter);
  await engine.ensureDevice();
  const send = async (text: string): Promise<{ stanzas: number; keys: number }> => {
    if (method === "ours") {
      const r = await engine.encryptGroup(members, ME, text);
      if (r.unreachable.length > 0) throw new Error(`unreachable: ${JSON.stringify(r.unreachable)}`);
      return { stanzas: 1, keys: r.recipients.length };
    }
    let keys = 0;
    for (const m of members) keys += (await engine.encrypt(m, ME, text)).recipients.length;
    return { stanzas: members.length, keys };
  };
  const cold = await timed(() => send("first"));
  const coldFetches = counter.fetches;
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push((await timed(() => send(`next ${i}`))).ms);
  results[method] = { cold: cold.ms, warm: median(warm), fetches: coldFetches, ...cold.value };
  say(
    `${method}: cold ${cold.ms.toFixed(1)} ms (${coldFetches} PEP fetches), warm median ${median(warm).toFixed(1)} ms`,
  );
}

writeFileSync(
  out,
  JSON.stringify({ members: MEMBERS, devices: DEVICES, latencyMs: PEP_LATENCY_MS, runs: WARM_RUNS, results }),
);
