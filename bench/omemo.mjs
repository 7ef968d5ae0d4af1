// Reopening an OMEMO chat: the real app (wrangler dev + a private Prosody), alice in Debian's Chromium
// (playwright-core), bob = the independent python-omemo peer (test/peers/omemo_peer.py). Run with tsx (it imports
// the TypeScript peer driver): `tsx bench/omemo.mjs <results.json>`. Writes results as JSON to argv[2].
//
//   seed   bob sends 1,000 encrypted messages while alice's chat is open: decrypted live, plaintexts cached
//          in IndexedDB (also gives the "as they arrive" number).
//   ours   reopen = about:blank, then a new navigation to #chat/bob: (a) time from navigation start until the
//          latest page (50) is rendered as plaintext, from the cache; (b) scroll to the top repeatedly until
//          all 1,000 are rendered as plaintext.
//   naive  libsignal cannot decrypt a message twice (its message key is deleted), so "cache cleared" is played
//          by 1,000 FRESH messages: bob sends them while alice has no tab open (the server stores them), then the
//          very same reopen + scroll, where every message must be decrypted. One fresh set per run.
//
// Stops Chromium, the peer, wrangler (its whole process group) and Prosody, even on error.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";
import { WebSocket } from "ws";
import { QUIET_WRANGLER } from "../scripts/env.mjs";
import { startProsody } from "../scripts/prosody.mjs";
import { OmemoPeer } from "../test/peers/omemo-peer.ts";
import { portAnswers, stopProcessGroup } from "../scripts/proc.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: tsx bench/omemo.mjs <results.json>");
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const say = (line) => process.stderr.write(`  [omemo] ${line}\n`);

const APP_PORT = 17887;
const C2S_PORT = 17322;
const HTTP_PORT = 17380;
const BASE = `http://127.0.0.1:${APP_PORT}`;
const ALICE = "alice@localhost";
const BOB = "bob@localhost";
const CHAT_URL = `${BASE}/#chat/${encodeURIComponent(BOB)}`;
const MESSAGES = Number(process.env.PARLEY_BENCH_OMEMO_MESSAGES ?? 1000);
const PAGE = 50;
const OURS_RUNS = Number(process.env.PARLEY_BENCH_OMEMO_RUNS ?? 7);
const NAIVE_RUNS = Number(process.env.PARLEY_BENCH_OMEMO_NAIVE_RUNS ?? 2);
/** Cap on (b), scrolling until all N are plaintext (a naive run took 109 s, then 261 s, then > 300 s). */
const HISTORY_CAP_MS = Number(process.env.PARLEY_BENCH_OMEMO_HISTORY_CAP_MS ?? 600_000);
/** bob's send commands in flight at once (the peer runs them one after another; this only fills its queue). */
const SEND_BATCH = 100;
const TARGET_MS = 200;
const STEP_TIMEOUT_MS = Number(process.env.PARLEY_BENCH_OMEMO_STEP_TIMEOUT_MS ?? 300_000);
const STATE_DIR = path.join(root, ".parley/bench-omemo-state");
const PROSODY_DIR = path.join(root, ".parley/bench-omemo-prosody");
const BUILD_DIR = path.join(root, ".parley/bench-omemo-build");
const WEB_DIR = path.join(BUILD_DIR, "web");
const WRANGLER_BIN = path.join(root, "node_modules/wrangler/bin/wrangler.js");
const VITE_BIN = path.join(root, "node_modules/vite/bin/vite.js");
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";
const env = { ...process.env, ...QUIET_WRANGLER, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
const TARGET_KEY = "parley-bench-omemo-target";

let wrangler;
let wranglerOutput = "";
let prosody;
let browser;
let bob;
let counter;

function run(cmd, args, timeoutMs = 180_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const keep = (c) => (output = (output + String(c)).slice(-8_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(args[0])} ${args[1]} failed (${code})\n${output}`));
    });
  });
}

async function stopWrangler() {
  await stopProcessGroup(wrangler);
}

async function cleanup() {
  try {
    counter?.ws.terminate();
  } catch {
    // closed
  }
  if (bob) await Promise.race([bob.close().catch(() => {}), sleep(6_000)]);
  if (browser) await browser.close().catch(() => {});
  await stopWrangler();
  if (prosody) await prosody.stop().catch(() => {});
}

// ---- in the page ------------------------------------------------------------------------------------------------

/**
 * Init script of every document: when the page is the app and a target set is named in localStorage, a
 * MutationObserver notes (performance.now(), i.e. ms since this navigation started) when
 *   latestAt: the first page (PAGE rows) is in the log with the set's newest message as plaintext and nothing
 *             "Decrypting…" (i.e. every row of the page resolved: plaintext, or hidden key transport);
 *   allAt:    all N messages of the set are rendered as plaintext, nothing "Decrypting…";
 *   rowsAt:   the first message rows are in the log (the history page arrived; still "Decrypting…").
 */
function recorder(key) {
  let raw = null;
  try {
    raw = location.protocol === "http:" ? localStorage.getItem(key) : null;
  } catch {
    return;
  }
  if (!raw) return;
  const target = JSON.parse(raw);
  const re = new RegExp(`^omemo-bench ${target.label} #(\\d+)$`);
  const r = { target, rowsAt: null, latestAt: null, allAt: null, count: 0, scrollStart: null, scrolls: 0 };
  window.__omemoBench = r;
  const check = () => {
    const list = document.querySelector("[role=log]");
    if (!list) return;
    if (r.rowsAt === null && list.querySelector("li.msg")) r.rowsAt = performance.now();
    if (list.querySelector(".body-pending")) return;
    let count = 0;
    let newest = false;
    for (const body of list.querySelectorAll("li.msg-encrypted .body")) {
      const m = re.exec(body.textContent ?? "");
      if (m) {
        count++;
        if (Number(m[1]) === target.n - 1) newest = true;
      }
    }
    r.count = count;
    const now = performance.now();
    // The first page is PAGE rows (e.g. a hidden key-transport message of alice's among them).
    const rows = list.querySelectorAll("li.msg").length;
    if (r.latestAt === null && newest && rows >= Math.min(target.page, target.n)) r.latestAt = now;
    if (r.allAt === null && count >= target.n) {
      r.allAt = now;
      r.onAll?.();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
}

/** In-app reopen, all pages already loaded: leave the chat (hash ""), come back; ms until all N are plaintext. */
async function hashReopen(hash) {
  const r = window.__omemoBench;
  location.hash = "";
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (document.querySelector("[role=log] li.msg")) throw new Error("the chat did not close");
  r.allAt = null;
  const t0 = performance.now();
  location.hash = hash;
  await new Promise((resolve, reject) => {
    const deadline = t0 + 60_000;
    const iv = setInterval(() => {
      if (r.allAt !== null || performance.now() > deadline) {
        clearInterval(iv);
        if (r.allAt === null) reject(new Error("in-app reopen: not all shown within 60 s"));
        else resolve();
      }
    }, 2);
  });
  return r.allAt - t0;
}

/** Scrolls the log to the top whenever no older page is being loaded, until the recorder saw all N. */
function scrollToStart(capMs) {
  const r = window.__omemoBench;
  r.scrollStart = performance.now();
  return new Promise((resolve) => {
    let timer = 0;
    const finish = () => {
      clearInterval(timer);
      obs.disconnect();
      resolve();
    };
    const step = () => {
      if (r.allAt !== null) return finish();
      const list = document.querySelector("[role=log]");
      const older = document.querySelector("button.older");
      if (!list || !older || older.disabled || older.hidden) return;
      if (list.scrollTop !== 0) list.scrollTop = 0;
      list.dispatchEvent(new Event("scroll")); // the app loads the next older page within 48 px of the top
      r.scrolls++;
    };
    r.onAll = finish;
    const obs = new MutationObserver(step);
    obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"] });
    timer = setInterval(step, 16);
    setTimeout(finish, capMs);
    step();
  });
}

// ---- steps ------------------------------------------------------------------------------------------------------

async function buildWeb() {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  await run(process.execPath, [
    VITE_BIN,
    "build",
    "--config",
    "web/vite.config.ts",
    "--outDir",
    WEB_DIR,
    "--emptyOutDir",
    "--logLevel",
    "warn",
  ]);
}

async function startWrangler() {
  rmSync(STATE_DIR, { recursive: true, force: true });
  await run(process.execPath, [WRANGLER_BIN, "d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE_DIR]);
  wrangler = spawn(
    process.execPath,
    [
      WRANGLER_BIN,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(APP_PORT),
      "--persist-to",
      STATE_DIR,
      "--assets",
      WEB_DIR,
      "--live-reload=false",
      "--show-interactive-dev-session=false",
      "--var",
      `XMPP_WEBSOCKET_URL:${prosody.wsUrl}`,
      "--var",
      `PARLEY_SECRET:${randomBytes(32).toString("base64url")}`,
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true, env },
  );
  const keep = (chunk) => {
    wranglerOutput = (wranglerOutput + String(chunk)).slice(-4_000);
  };
  wrangler.stdout.on("data", keep);
  wrangler.stderr.on("data", keep);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode})`);
    if (Date.now() > deadline) throw new Error("wrangler dev not ready after 90 s");
    const ok = await fetch(`${BASE}/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(200);
  }
}

async function signIn(page) {
  await page.goto(CHAT_URL);
  await page.getByLabel("Address", { exact: true }).fill(ALICE);
  await page.getByLabel("Password", { exact: true }).fill("parley");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".panes:not([aria-busy])").waitFor({ timeout: 30_000 });
  await page.getByRole("log", { name: "Messages" }).waitFor({ timeout: 30_000 });
}

/** A tab socket of alice's in this process (no decryption): counts the encrypted messages the server delivers. */
function openCounter(cookie) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${APP_PORT}/api/socket`, { headers: { Cookie: cookie } });
    const c = { ws, count: 0, firstAt: 0, lastAt: 0 };
    const timer = setTimeout(() => reject(new Error("counter socket: no snapshot within 15 s")), 15_000);
    ws.on("message", (data) => {
      let frame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      if (frame.type === "snapshot") {
        clearTimeout(timer);
        resolve(c);
      } else if (frame.type === "message" && frame.message?.encrypted && frame.message.direction === "in") {
        const at = performance.now();
        if (c.count === 0) c.firstAt = at;
        c.lastAt = at;
        c.count++;
      }
    });
    ws.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** bob sends set `label` (#0 .. #N-1); resolves once the server delivered all N to alice's counter socket. */
async function sendSet(label) {
  counter.count = 0;
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i += SEND_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(MESSAGES, i + SEND_BATCH); j++) {
      batch.push(bob.command("send", { to: ALICE, body: `omemo-bench ${label} #${j}` }, 300_000));
    }
    await Promise.all(batch);
  }
  const sentMs = performance.now() - t0;
  const deadline = Date.now() + 120_000;
  while (counter.count < MESSAGES) {
    if (Date.now() > deadline) throw new Error(`set ${label}: only ${counter.count}/${MESSAGES} reached alice`);
    await sleep(20);
  }
  return { t0, sentMs, firstAt: counter.firstAt, lastAt: counter.lastAt };
}

async function setTarget(page, label) {
  await page.evaluate(
    ([key, value]) => localStorage.setItem(key, value),
    [TARGET_KEY, JSON.stringify({ label, n: MESSAGES, page: PAGE })],
  );
}

/** Reopen: a new navigation to the chat, (a) latest page as plaintext, then (b) scroll until all N. */
async function reopen(page, label) {
  await page.goto("about:blank");
  await page.goto(CHAT_URL, { waitUntil: "commit" });
  await page
    .waitForFunction(() => (window.__omemoBench?.latestAt ?? null) !== null, null, {
      timeout: STEP_TIMEOUT_MS,
      polling: 50,
    })
    .catch(async (err) => {
      const state = await page.evaluate(() => ({
        bench: window.__omemoBench ?? null,
        pending: document.querySelectorAll("[role=log] .body-pending").length,
        rows: document.querySelectorAll("[role=log] li").length,
        sample: [...document.querySelectorAll("[role=log] li .body")].slice(-3).map((b) => b.textContent),
      }));
      throw new Error(`${err.message}\n${JSON.stringify(state)}`);
    });
  await page.evaluate(scrollToStart, HISTORY_CAP_MS);
  const r = await page.evaluate(() => {
    const { rowsAt, latestAt, allAt, scrollStart, scrolls, count } = window.__omemoBench;
    const nav = performance.getEntriesByType("navigation")[0];
    return { rowsAt, latestAt, allAt, scrollStart, scrolls, count, domContentLoaded: nav?.domContentLoadedEventEnd };
  });
  if (r.allAt === null) {
    // Not all shown within the cap (naive runs slow down as the history grows): recorded as incomplete.
    say(`reopen ${label}: not all ${MESSAGES} shown within ${HISTORY_CAP_MS / 1000} s of scrolling`);
    return { rowsMs: r.rowsAt, latestMs: r.latestAt, inAppMs: NaN, historyMs: NaN, totalMs: NaN, scrolls: r.scrolls };
  }
  const inAppMs = await page.evaluate(hashReopen, new URL(CHAT_URL).hash);
  return {
    rowsMs: r.rowsAt,
    latestMs: r.latestAt,
    inAppMs,
    historyMs: r.allAt - r.scrollStart,
    totalMs: r.allAt,
    scrolls: r.scrolls,
    domContentLoadedMs: r.domContentLoaded,
  };
}

async function main() {
  for (const port of [APP_PORT, C2S_PORT, HTTP_PORT]) {
    if (await portAnswers(port)) throw new Error(`127.0.0.1:${port} is already in use (a previous bench running?)`);
  }
  const setup = {};
  let t = performance.now();
  say("building the web app (vite) into .parley/bench-omemo-build/web");
  await buildWeb();
  setup.buildMs = performance.now() - t;

  t = performance.now();
  say("starting Prosody");
  prosody = await startProsody({
    dataDir: PROSODY_DIR,
    c2sPort: C2S_PORT,
    httpPort: HTTP_PORT,
    accounts: [
      ["alice", "parley"],
      ["bob", "parley"],
    ],
    fresh: true,
  });
  say("starting wrangler dev");
  await startWrangler();
  setup.serversMs = performance.now() - t;

  t = performance.now();
  say("starting Chromium and the python OMEMO peer (bob)");
  [browser, bob] = await Promise.all([
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    }),
    OmemoPeer.start({ jid: BOB, port: C2S_PORT }),
  ]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(recorder, TARGET_KEY);
  const page = await context.newPage();
  say("signing alice in");
  await signIn(page);
  const cookie = (await context.cookies(BASE)).find((c) => c.name === "parley_session");
  if (!cookie) throw new Error("no parley_session cookie after sign-in");
  counter = await openCounter(`parley_session=${cookie.value}`);
  // bob encrypts for the devices in alice's published list: wait until this browser's device is in it.
  await bob.waitForDevices(ALICE, 1, { timeoutMs: 60_000, intervalMs: 250 });
  setup.clientsMs = performance.now() - t;

  // Seed: live, with the chat open (this is also the "as they arrive" measurement).
  say(`seed: bob sends ${MESSAGES} encrypted messages to alice's open chat`);
  await setTarget(page, "s0");
  await page.reload();
  await page.getByRole("log", { name: "Messages" }).waitFor({ timeout: 30_000 });
  const pageT0 = await page.evaluate(() => performance.now());
  const nodeT0 = performance.now();
  const seed = await sendSet("s0");
  await page.waitForFunction(() => (window.__omemoBench?.allAt ?? null) !== null, null, {
    timeout: 600_000,
    polling: 100,
  });
  const allAt = await page.evaluate(() => window.__omemoBench.allAt);
  // Page clock -> this process's clock (both monotonic; offset taken when the seed started).
  const shownAt = allAt - pageT0 + nodeT0;
  const live = {
    sentMs: seed.sentMs,
    arrivalSpanMs: seed.lastAt - seed.firstAt,
    firstArrivalToAllShownMs: shownAt - seed.firstAt,
    lastArrivalToAllShownMs: shownAt - seed.lastAt,
  };
  say(
    `seed: sent in ${(live.sentMs / 1000).toFixed(1)} s; all ${MESSAGES} shown ${live.firstArrivalToAllShownMs.toFixed(0)} ms after the first arrived (${live.lastArrivalToAllShownMs.toFixed(0)} ms after the last)`,
  );

  // Ours: plaintexts from IndexedDB.
  const ours = [];
  say(`ours: 1 warm-up + ${OURS_RUNS} reopens of the cached set`);
  await setTarget(page, "s0");
  await reopen(page, "s0");
  for (let i = 0; i < OURS_RUNS; i++) {
    const r = await reopen(page, "s0");
    say(
      `ours ${i + 1}/${OURS_RUNS}: latest page ${r.latestMs.toFixed(1)} ms (rows at ${r.rowsMs.toFixed(1)}), whole history +${r.historyMs.toFixed(1)} ms, in-app reopen ${r.inAppMs.toFixed(1)} ms`,
    );
    ours.push(r);
  }

  // Naive: every message decrypted (fresh sets, sent while alice has no tab open).
  const naive = [];
  for (let i = 0; i < NAIVE_RUNS; i++) {
    const label = `f${i + 1}`;
    await setTarget(page, label);
    await page.goto("about:blank");
    say(`naive ${i + 1}/${NAIVE_RUNS}: bob sends ${MESSAGES} fresh messages (no tab of alice's open)`);
    await sendSet(label);
    const r = await reopen(page, label);
    say(
      `naive ${i + 1}/${NAIVE_RUNS}: latest page ${r.latestMs.toFixed(1)} ms (rows at ${r.rowsMs.toFixed(1)}), whole history +${r.historyMs.toFixed(1)} ms`,
    );
    naive.push(r);
  }

  // Ours again, on the newest set (now cached too): same history depth as the naive runs saw.
  const oursAfter = [];
  const lastLabel = NAIVE_RUNS > 0 ? `f${NAIVE_RUNS}` : "s0";
  await setTarget(page, lastLabel);
  for (let i = 0; i < OURS_RUNS; i++) {
    const r = await reopen(page, lastLabel);
    say(
      `ours (${lastLabel}) ${i + 1}/${OURS_RUNS}: latest page ${r.latestMs.toFixed(1)} ms, whole history +${r.historyMs.toFixed(1)} ms`,
    );
    oursAfter.push(r);
  }

  const chromiumVersion = browser.version();
  writeFileSync(
    out,
    JSON.stringify({
      messages: MESSAGES,
      page: PAGE,
      targetMs: TARGET_MS,
      setup,
      live,
      ours,
      oursAfter,
      oursAfterLabel: lastLabel,
      naive,
      detail: `Chromium ${chromiumVersion} headless (playwright-core), app = wrangler dev on ${BASE} serving a fresh vite build; Prosody 127.0.0.1:${C2S_PORT}/${HTTP_PORT}; bob = test/peers/omemo_peer.py (python-omemo, OMEMO 0.3)`,
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
  if (!existsSync(WRANGLER_BIN)) throw new Error(`${WRANGLER_BIN} missing`);
  await main();
} catch (err) {
  process.stderr.write(`omemo bench failed: ${err instanceof Error ? err.stack : err}\n`);
  if (wranglerOutput) process.stderr.write(`--- wrangler output (tail) ---\n${wranglerOutput}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
