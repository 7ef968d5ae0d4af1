// Fan-out latency: the real app (wrangler dev + a private Prosody), alice signed in with N tab sockets, bob
// (an @xmpp/client in this process) sending messages one at a time. For each message: time from bob's send
// until the FIRST and until the LAST tab receives its {"type":"message"} frame. 10 tabs, then 1 tab.
// Writes results as JSON to argv[2]. Stops wrangler (its whole process group) and Prosody even on error.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket } from "ws";
import { client as xmppClient, xml } from "@xmpp/client";
import { QUIET_WRANGLER } from "../scripts/env.mjs";
import { startProsody } from "../scripts/prosody.mjs";
import { portAnswers, stopProcessGroup } from "../scripts/proc.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: node bench/fanout.mjs <results.json>");
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const log = (line) => process.stderr.write(`  [fanout] ${line}\n`);

const PORT = 17787;
const C2S_PORT = 17222;
const HTTP_PORT = 17280;
const BASE = `http://127.0.0.1:${PORT}`;
const TABS = 10;
const MESSAGES = 200;
const WARMUP = 10;
/** Messages per configuration are split into this many alternating blocks. */
const BLOCKS = 2;
const MESSAGE_TIMEOUT_MS = 5_000;
const STATE_DIR = ".parley/bench-state";
const env = { ...process.env, ...QUIET_WRANGLER, CI: "true", NO_COLOR: "1" };

/** @type {import("node:child_process").ChildProcess | undefined} */
let wrangler;
let wranglerOutput = "";
let prosody;
/** @type {WebSocket[]} */
const sockets = [];
let bob;
let benchDone = false;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

async function stopWrangler() {
  await stopProcessGroup(wrangler);
}

async function cleanup() {
  for (const ws of sockets) {
    try {
      ws.terminate();
    } catch {
      // closed
    }
  }
  if (bob) await withTimeout(bob.stop(), 3_000, "bob.stop()").catch(() => {});
  await stopWrangler();
  if (prosody) await prosody.stop().catch(() => {});
}

/** One tab: a WebSocket with the session cookie; records when each benchmark message frame arrives. */
function openTab(cookie, arrivals) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/api/socket`, { headers: { Cookie: cookie } });
    sockets.push(ws);
    const timer = setTimeout(() => reject(new Error("no snapshot frame within 15 s")), 15_000);
    let first = true;
    ws.on("message", (data) => {
      const at = performance.now();
      let frame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      if (first) {
        first = false;
        clearTimeout(timer);
        if (frame.type !== "snapshot") reject(new Error(`first frame is ${frame.type}, not snapshot`));
        else resolve({ ws, snapshot: frame });
        return;
      }
      if (frame.type === "message") {
        const m = /^fanout (\S+) #(\d+) sent=\d+$/.exec(frame.message?.body ?? "");
        if (m) arrivals(`${m[1]}#${m[2]}`, at);
      }
    });
    ws.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`socket upgrade refused: HTTP ${res.statusCode}`));
    });
  });
}

async function main() {
  for (const port of [PORT, C2S_PORT, HTTP_PORT]) {
    if (await portAnswers(port))
      throw new Error(`127.0.0.1:${port} is already in use (a previous bench still running?)`);
  }
  const t0 = performance.now();
  const setup = {};

  if (!existsSync(path.join(root, "web/dist/index.html"))) {
    log("web/dist missing: building it (vite build)");
    execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
      stdio: "inherit",
      env,
    });
  }

  log("starting Prosody");
  prosody = await startProsody({
    dataDir: path.join(root, ".parley/bench-prosody"),
    c2sPort: C2S_PORT,
    httpPort: HTTP_PORT,
    accounts: [
      ["alice", "parley"],
      ["bob", "parley"],
    ],
    fresh: true,
  });
  setup.prosodyMs = performance.now() - t0;

  log("applying D1 migrations (local, fresh state)");
  rmSync(path.join(root, STATE_DIR), { recursive: true, force: true });
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE_DIR], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });

  log("starting wrangler dev");
  const t1 = performance.now();
  wrangler = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(PORT),
      "--persist-to",
      STATE_DIR,
      "--var",
      `XMPP_WEBSOCKET_URL:${prosody.wsUrl}`,
      "--var",
      `PARLEY_SECRET:${randomBytes(32).toString("base64url")}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true, env },
  );
  const keep = (chunk) => {
    wranglerOutput = (wranglerOutput + String(chunk)).slice(-4_000);
  };
  wrangler.stdout.on("data", keep);
  wrangler.stderr.on("data", keep);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode})\n${wranglerOutput}`);
    if (Date.now() > deadline) throw new Error(`wrangler dev not ready after 90 s\n${wranglerOutput}`);
    const ok = await fetch(`${BASE}/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(200);
  }
  setup.wranglerMs = performance.now() - t1;

  log("signing alice in");
  const t2 = performance.now();
  const res = await fetch(`${BASE}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address: "alice@localhost", password: "parley" }),
  });
  if (res.status !== 200) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith("parley_session=")) ?? "").split(";")[0];
  if (!cookie) throw new Error("login set no parley_session cookie");
  setup.loginMs = performance.now() - t2;

  /** label -> per-tab arrival times */
  const arrivals = new Map();
  const onArrival = (id, at) => {
    const list = arrivals.get(id);
    if (list) list.push(at);
  };

  log(`opening ${TABS} tabs`);
  const tabs = [];
  const t3 = performance.now();
  for (let i = 0; i < TABS; i++) tabs.push(await openTab(cookie, onArrival));
  setup.tabsOpenMs = performance.now() - t3;
  const state = tabs[0].snapshot.connection;
  if (state !== "online") log(`note: snapshot says the XMPP session is ${state}`);

  log("connecting bob");
  bob = xmppClient({
    service: prosody.wsUrl,
    domain: "localhost",
    username: "bob",
    password: "parley",
    resource: "bench",
  });
  // (At stop, @xmpp/client's stream management may complain about Prosody's last ack: not a bench error.)
  bob.on("error", (err) => benchDone || log(`bob: ${err.message}`));
  await withTimeout(bob.start(), 15_000, "bob online");
  await bob.send(xml("presence"));

  /** Sends `count` messages one at a time; each waits for `expected` tabs (or a timeout). */
  async function round(label, count, expected) {
    const first = [];
    const last = [];
    let lost = 0;
    for (let seq = 0; seq < count; seq++) {
      const id = `${label}#${seq}`;
      const list = [];
      arrivals.set(id, list);
      const body = `fanout ${label} #${seq} sent=${Date.now()}`;
      const sent = performance.now();
      await bob.send(
        xml("message", { to: "alice@localhost", type: "chat", id: `b-${label}-${seq}` }, xml("body", {}, body)),
      );
      const until = sent + MESSAGE_TIMEOUT_MS;
      while (list.length < expected && performance.now() < until) await sleep(0.2);
      if (list.length < expected) lost++;
      if (list.length > 0) {
        first.push(Math.min(...list) - sent);
        if (list.length >= expected) last.push(Math.max(...list) - sent);
      }
      arrivals.delete(id);
    }
    return { tabs: expected, messages: count, first, last, lost };
  }

  // Alternating blocks (10 tabs, 1 tab, 10 tabs, 1 tab) so drift hits both alike.
  const runs = {
    10: { tabs: TABS, messages: 0, first: [], last: [], lost: 0 },
    1: { tabs: 1, messages: 0, first: [], last: [], lost: 0 },
  };
  const add = (into, r) => {
    into.messages += r.messages;
    into.first.push(...r.first);
    into.last.push(...r.last);
    into.lost += r.lost;
  };
  for (let block = 0; block < BLOCKS; block++) {
    while (tabs.length < TABS) tabs.push(await openTab(cookie, onArrival));
    await round(`w10b${block}`, WARMUP, TABS);
    log(`block ${block + 1}/${BLOCKS}: ${MESSAGES / BLOCKS} messages to ${TABS} tabs`);
    add(runs[10], await round(`t10b${block}`, MESSAGES / BLOCKS, TABS));
    const closing = tabs.splice(1);
    for (const tab of closing) tab.ws.close(1000, "bench");
    await Promise.all(
      closing.map((tab) =>
        tab.ws.readyState === WebSocket.CLOSED ? null : new Promise((r) => tab.ws.once("close", r)),
      ),
    );
    await sleep(300);
    await round(`w1b${block}`, WARMUP, 1);
    log(`block ${block + 1}/${BLOCKS}: ${MESSAGES / BLOCKS} messages to 1 tab`);
    add(runs[1], await round(`t1b${block}`, MESSAGES / BLOCKS, 1));
  }
  benchDone = true;

  writeFileSync(
    out,
    JSON.stringify({
      detail: `wrangler dev (workerd, local D1) on ${BASE}; Prosody 127.0.0.1:${C2S_PORT}/${HTTP_PORT}; tabs = ws sockets in this process; bob = @xmpp/client over ${prosody.wsUrl}`,
      setup,
      runs: [runs[10], runs[1]],
    }),
  );
}

let exitCode = 0;
const onSignal = () => {
  void cleanup().finally(() => process.exit(130));
};
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);
try {
  await main();
} catch (err) {
  process.stderr.write(`fanout bench failed: ${err instanceof Error ? err.stack : err}\n`);
  if (wranglerOutput) process.stderr.write(`--- wrangler output (tail) ---\n${wranglerOutput}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
