#!/usr/bin/env node
// Self-test of test/peers/omemo_peer.py (the independent OMEMO 0.3 peer) against a real Prosody: two and then
// three peer processes talk to each other over JSON lines. Not a vitest test.
//
//   node scripts/prosody.mjs --data-dir /tmp/omemo-prosody --c2s-port 19222 --http-port 19280 --fresh &
//   node test/peers/omemo_selftest.mjs --c2s-port 19222
//
// or let it start (and stop) a private Prosody itself:
//
//   node test/peers/omemo_selftest.mjs --start-prosody [--c2s-port 19222 --http-port 19280]
//
// Options: --host 127.0.0.1, --python /usr/bin/python3, --verbose (peer debug logs on stderr).
// Plain Node ESM, node: builtins only (plus scripts/prosody.mjs for --start-prosody).

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PEER = path.join(HERE, "omemo_peer.py");
const PASSWORD = "parley";

function parseArgs(argv) {
  const opts = {
    host: "127.0.0.1",
    c2sPort: 19222,
    httpPort: 19280,
    python: "/usr/bin/python3",
    verbose: false,
    startProsody: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--host") opts.host = next();
    else if (arg === "--c2s-port") opts.c2sPort = Number(next());
    else if (arg === "--http-port") opts.httpPort = Number(next());
    else if (arg === "--python") opts.python = next();
    else if (arg === "--verbose") opts.verbose = true;
    else if (arg === "--start-prosody") opts.startProsody = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return opts;
}

/** One omemo_peer.py process driven over JSON lines. */
class OmemoPeer {
  constructor(name, jid, opts, stateDir) {
    this.name = name;
    this.jid = jid;
    this.events = [];
    this.waiters = [];
    this.pending = new Map();
    this.nextId = 1;
    this.stderr = [];
    this.deviceId = undefined;
    const args = [PEER, "--jid", jid, "--password", PASSWORD, "--host", opts.host, "--port", String(opts.c2sPort)];
    args.push("--state-dir", stateDir);
    if (opts.verbose) args.push("--verbose");
    this.child = spawn(opts.python, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
    readline.createInterface({ input: this.child.stdout }).on("line", (line) => this.onLine(line));
    readline.createInterface({ input: this.child.stderr }).on("line", (line) => {
      this.stderr.push(line);
      if (opts.verbose) process.stderr.write(`[${name}] ${line}\n`);
    });
  }

  onLine(line) {
    let obj;
    try {
      obj = JSON.parse(line);
    } catch {
      process.stderr.write(`[${this.name}] non-JSON stdout: ${line}\n`);
      return;
    }
    if (obj.event === undefined && this.pending.has(obj.id)) {
      const resolve = this.pending.get(obj.id);
      this.pending.delete(obj.id);
      resolve(obj);
      return;
    }
    this.events.push(obj);
    const matched = this.waiters.filter((w) => w.pred(obj));
    this.waiters = this.waiters.filter((w) => !matched.includes(w));
    for (const w of matched) w.resolve(obj);
  }

  /** Sends a command; resolves with the reply (rejects on ok:false unless `allowError`). */
  command(cmd, { timeoutMs = 30_000, allowError = false } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no reply to ${JSON.stringify(cmd)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (!reply.ok && !allowError) reject(new Error(`${this.name}: ${cmd.cmd} failed: ${reply.error}`));
        else resolve(reply);
      });
      this.child.stdin.write(`${JSON.stringify({ id, ...cmd })}\n`);
    });
  }

  /** The first event (already received or future) matching `pred`. */
  waitFor(pred, what, timeoutMs = 20_000) {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (obj) => {
          clearTimeout(timer);
          resolve(obj);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `${this.name}: no ${what} within ${timeoutMs} ms; events so far: ${JSON.stringify(this.events)}\n` +
              `stderr tail:\n${this.stderr.slice(-20).join("\n")}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async ready(timeoutMs = 30_000) {
    const ev = await this.waitFor((e) => e.event === "ready" || e.event === "error", "ready event", timeoutMs);
    if (ev.event === "error") throw new Error(`${this.name}: ${ev.error}\n${this.stderr.join("\n")}`);
    this.deviceId = ev.device_id;
    return ev;
  }

  async quit() {
    if (this.child.exitCode !== null) return this.exited;
    await this.command({ cmd: "quit" }, { timeoutMs: 10_000 }).catch(() => {});
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

let passed = 0;
let failed = 0;
function check(cond, label, detail) {
  if (cond) {
    passed++;
    process.stdout.write(`  ok    ${label}\n`);
  } else {
    failed++;
    process.stdout.write(`  FAIL  ${label}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}\n`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = await mkdtemp(path.join(os.tmpdir(), "omemo-selftest-"));
  let prosody;
  const peers = [];
  try {
    if (opts.startProsody) {
      const { startProsody } = await import("../../scripts/prosody.mjs");
      prosody = await startProsody({
        dataDir: path.join(tmp, "prosody"),
        c2sPort: opts.c2sPort,
        httpPort: opts.httpPort,
        fresh: true,
      });
      process.stdout.write(`Prosody started on c2s port ${opts.c2sPort}\n`);
    }
    const start = (name, jid) => {
      const peer = new OmemoPeer(name, jid, opts, path.join(tmp, name));
      peers.push(peer);
      return peer;
    };
    const fromBob = (pred) => (e) => e.event === "message" && e.from === "bob@localhost" && pred(e);

    process.stdout.write("1. bob and alice (device 1) connect, publish device list + bundle\n");
    const bob = start("bob", "bob@localhost");
    const alice1 = start("alice1", "alice@localhost");
    await Promise.all([bob.ready(), alice1.ready()]);
    check(Number.isInteger(bob.deviceId) && bob.deviceId > 0, `bob ready, device ${bob.deviceId}`);
    check(Number.isInteger(alice1.deviceId) && alice1.deviceId > 0, `alice1 ready, device ${alice1.deviceId}`);
    const aliceList1 = await bob.command({ cmd: "devices", jid: "alice@localhost" });
    check(aliceList1.devices.includes(alice1.deviceId), "bob sees alice1 in alice's device list", aliceList1);
    const bobList = await alice1.command({ cmd: "devices", jid: "bob@localhost" });
    check(bobList.devices.includes(bob.deviceId), "alice sees bob in bob's device list", bobList);

    process.stdout.write("2. bob -> alice: first message builds the session (prekey message)\n");
    const sent1 = await bob.command({ cmd: "send", to: "alice@localhost", body: "hello alice" });
    check(sent1.recipients.includes(alice1.deviceId), "bob encrypted for alice1", sent1);
    const got1 = await alice1.waitFor(
      fromBob((e) => e.body === "hello alice"),
      "decrypted 'hello alice'",
    );
    check(got1.prekey === true, "alice1 decrypted it as a prekey message", got1);
    check(got1.sid === bob.deviceId && got1.id === sent1.message_id, "sid and stanza id match", got1);
    const completion = await bob.waitFor(
      (e) => e.event === "message" && e.from === "alice@localhost" && e.sid === alice1.deviceId,
      "session completion message from alice1",
    );
    check(
      completion.body === null && completion.prekey === false,
      "alice1 completed the session with an empty message (body null)",
      completion,
    );

    process.stdout.write("3. alice -> bob: reply over the passive session (no prekey)\n");
    const sent2 = await alice1.command({ cmd: "send", to: "bob@localhost", body: "hi bob" });
    const got2 = await bob.waitFor(
      (e) => e.event === "message" && e.from === "alice@localhost" && e.body === "hi bob",
      "decrypted 'hi bob'",
    );
    check(got2.prekey === false && got2.sid === alice1.deviceId, "bob decrypted a normal (non-prekey) message", got2);
    check(got2.id === sent2.message_id, "stanza id matches", { got: got2.id, sent: sent2.message_id });

    process.stdout.write("4. bob -> alice: key transport (no payload)\n");
    const kt = await bob.command({ cmd: "key_transport", to: "alice@localhost" });
    const gotKt = await alice1.waitFor(
      fromBob((e) => e.id === kt.message_id),
      "key transport message",
    );
    check(gotKt.body === null && gotKt.prekey === false, "alice1 processed the key transport silently", gotKt);

    process.stdout.write("5. a second alice device joins\n");
    const alice2 = start("alice2", "alice@localhost");
    await alice2.ready();
    check(
      alice2.deviceId !== alice1.deviceId && Number.isInteger(alice2.deviceId),
      `alice2 ready, device ${alice2.deviceId}`,
    );
    const aliceList2 = await bob.command({ cmd: "devices", jid: "alice@localhost" });
    check(
      aliceList2.devices.includes(alice1.deviceId) && aliceList2.devices.includes(alice2.deviceId),
      "devices lists both alice devices",
      aliceList2,
    );

    process.stdout.write("6. bob -> alice: both alice devices decrypt\n");
    const sent3 = await bob.command({ cmd: "send", to: "alice@localhost", body: "to both of you" });
    check(
      sent3.recipients.includes(alice1.deviceId) && sent3.recipients.includes(alice2.deviceId),
      "bob encrypted for alice1 and alice2",
      sent3,
    );
    const got3a = await alice1.waitFor(
      fromBob((e) => e.body === "to both of you"),
      "'to both of you' on alice1",
    );
    const got3b = await alice2.waitFor(
      fromBob((e) => e.body === "to both of you"),
      "'to both of you' on alice2",
    );
    check(got3a.prekey === false, "alice1 decrypted it (existing session, no prekey)", got3a);
    check(got3b.prekey === true, "alice2 decrypted it (new session, prekey)", got3b);

    process.stdout.write("7. a listed device without a bundle is skipped\n");
    const ghost = 424242;
    await alice1.command({ cmd: "publish_device_list", devices: [alice1.deviceId, alice2.deviceId, ghost] });
    const sent4 = await bob.command({ cmd: "send", to: "alice@localhost", body: "ghosts?" });
    check(sent4.skipped.includes(ghost), `device ${ghost} reported in skipped`, sent4);
    check(!sent4.recipients.includes(ghost), "and not among the recipients", sent4);
    const got4 = await alice2.waitFor(
      fromBob((e) => e.body === "ghosts?"),
      "'ghosts?' on alice2",
    );
    check(got4.prekey === false, "alice2 decrypted it (session confirmed)", got4);

    process.stdout.write("8. publishing over a node with another access model (precondition-not-met)\n");
    const carol = start("carol", "carol@localhost");
    await carol.ready();
    await carol.command({ cmd: "configure_node", node: "devicelist", access_model: "presence" });
    await carol.command({ cmd: "configure_node", node: "bundle", access_model: "presence" });
    const hidden = await bob.command({ cmd: "devices", jid: "carol@localhost" }, { allowError: true });
    check(!hidden.ok && /forbidden/.test(hidden.error), "carol's presence-only device list is hidden from bob", hidden);
    await carol.command({ cmd: "republish" });
    check(
      carol.stderr.filter((l) => l.includes("precondition-not-met")).length >= 2,
      "carol's republish hit precondition-not-met on both nodes and reconfigured them",
      carol.stderr,
    );
    const carolList = await bob.command({ cmd: "devices", jid: "carol@localhost" });
    check(carolList.devices.includes(carol.deviceId), "bob sees carol's device again", carolList);
    await bob.command({ cmd: "send", to: "carol@localhost", body: "hello carol" });
    const gotCarol = await carol.waitFor(
      fromBob((e) => e.body === "hello carol"),
      "'hello carol'",
    );
    check(gotCarol.prekey === true, "carol decrypted bob's prekey message (bundle readable again)", gotCarol);

    process.stdout.write("9. state dir: bob goes offline, alice writes, bob comes back with the same identity\n");
    const bobDevice = bob.deviceId;
    check((await bob.quit()).code === 0, "bob quit");
    const away = await alice1.command({ cmd: "send", to: "bob@localhost", body: "while you were away" });
    check(away.recipients.includes(bobDevice), "alice1 encrypted for bob's (offline) device", away);
    const bob2 = start("bob", "bob@localhost");
    await bob2.ready();
    check(bob2.deviceId === bobDevice, `bob restarted with the same device id ${bob2.deviceId}`);
    const gotAway = await bob2.waitFor(
      (e) => e.event === "message" && e.from === "alice@localhost" && e.body === "while you were away",
      "offline message from alice1",
    );
    check(
      gotAway.prekey === false && gotAway.sid === alice1.deviceId,
      "bob decrypted it with the stored session",
      gotAway,
    );
    await bob2.command({ cmd: "send", to: "alice@localhost", body: "back again" });
    const gotBack = await alice1.waitFor(
      fromBob((e) => e.body === "back again"),
      "'back again' on alice1",
    );
    check(gotBack.prekey === false, "alice1 decrypted bob's next message (no new session)", gotBack);

    process.stdout.write("10. a group chat (members-only, non-anonymous): one message for every member's devices\n");
    const room = "omemo-selftest@conference.localhost";
    const created = await alice1.command({ cmd: "join_room", room, nick: "alice" });
    check(created.room === room, "alice1 created the room", created);
    await alice1.command({
      cmd: "configure_room",
      room,
      fields: {
        "muc#roomconfig_membersonly": "1",
        "muc#roomconfig_whois": "anyone",
        "muc#roomconfig_persistentroom": "1",
      },
    });
    for (const jid of ["bob@localhost", "carol@localhost"]) {
      await alice1.command({ cmd: "set_affiliation", room, jid, affiliation: "member" });
    }
    await bob2.command({ cmd: "join_room", room, nick: "bob" });
    await carol.command({ cmd: "join_room", room, nick: "carol" });
    const members = await alice1.command({ cmd: "room_members", room });
    check(
      ["alice@localhost", "bob@localhost", "carol@localhost"].every((m) => members.members.includes(m)),
      "alice1 lists the owner and both members",
      members,
    );
    const group = await alice1.command({ cmd: "send_room", room, body: "hello group" });
    check(
      group.recipients.includes(bob2.deviceId) && group.recipients.includes(carol.deviceId),
      "one message encrypted for bob's and carol's devices",
      group,
    );
    const inRoom = (peer, body) =>
      peer.waitFor((e) => e.event === "message" && e.room === room && e.body === body, `'${body}' in the room`);
    const [bobGot, carolGot] = await Promise.all([inRoom(bob2, "hello group"), inRoom(carol, "hello group")]);
    check(
      bobGot.from === "alice@localhost" && bobGot.nick === "alice",
      "bob decrypted it, from alice's real address",
      bobGot,
    );
    check(carolGot.from === "alice@localhost", "carol decrypted it", carolGot);
    await alice1.waitFor((e) => e.event === "room_reflection" && e.room === room, "alice1's reflection");
    await alice1.command({ cmd: "set_affiliation", room, jid: "carol@localhost", affiliation: "none" });
    await carol.waitFor(
      (e) => e.event === "room_presence" && e.room === room && e.nick === "carol" && e.type === "unavailable",
      "carol removed from the members-only room",
    );
    const after = await alice1.command({ cmd: "send_room", room, body: "without carol" });
    check(!after.members.includes("carol@localhost"), "the removed member is no longer a recipient", after);
    check(!after.recipients.includes(carol.deviceId), "no key for carol's device", after);
    const bobAfter = await inRoom(bob2, "without carol");
    check(bobAfter.from === "alice@localhost", "bob decrypted the next message", bobAfter);

    process.stdout.write("11. quit\n");
    const exits = await Promise.all(peers.filter((p) => p !== bob).map((p) => p.quit()));
    check(
      exits.every((e) => e.code === 0),
      "all peers exited with code 0",
      exits,
    );
  } catch (err) {
    failed++;
    process.stdout.write(`  FAIL  ${err instanceof Error ? err.message : err}\n`);
  } finally {
    for (const p of peers) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    if (prosody) await prosody.stop();
    await rm(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`omemo selftest: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
