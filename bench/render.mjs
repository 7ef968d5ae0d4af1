// Rendering a 1,000-message conversation with reactions in Debian's Chromium (playwright-core), then a stream of
// 420 events (200 reactions, 100 new messages, 100 receipts, 20 read markers) applied through the app's reducer:
//   ours   the real chat pane (ChatPane -> Timeline -> memoised, keyed Message) fed by the store and a signal, the
//          log mounted in stages (the newest messages first, older ones in timed chunks, issue #7 §7);
//   whole  the same pane mounting all 1,000 messages in its first render, as before the staging (mount only);
//   naive  the same message components, the whole log thrown away and rebuilt from scratch on every event.
// The page (bench/render/, its own Vite entry, never part of web/dist) times itself and observes long tasks (Long
// Tasks API); a Chromium trace of the run gives every main-thread task, so the longest one is known even below the
// Long Tasks API's 50 ms floor. Writes results as JSON to argv[2]: `node bench/render.mjs <results.json>`.
// No server, no Prosody.
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { servePage } from "./page-server.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: node bench/render.mjs <results.json>");
const root = path.resolve(import.meta.dirname, "..");
const say = (line) => process.stderr.write(`  [render] ${line}\n`);
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";
const BUILD_DIR = path.join(root, ".parley/bench-render-build");
const RUNS = Number(process.env.PARLEY_BENCH_RENDER_RUNS ?? 1);
/** Fewer events for a quick look (default: all 420). */
const EVENTS = process.env.PARLEY_BENCH_RENDER_EVENTS ? Number(process.env.PARLEY_BENCH_RENDER_EVENTS) : undefined;
/** A naive event rebuilds 1,000 messages (seconds on a busy machine): it gets the first N events of the same stream. */
const NAIVE_EVENTS = Number(process.env.PARLEY_BENCH_RENDER_NAIVE_EVENTS ?? 60);
const TRACE_CATEGORIES = ["disabled-by-default-devtools.timeline", "devtools.timeline", "blink.user_timing"];

say("building bench/render with Vite");
const { base, server } = await servePage(path.join(root, "bench/render"), BUILD_DIR);

/**
 * The renderer main thread's tasks from a trace (RunTask, µs -> ms), with the page's performance marks, so tasks
 * are attributed to the mount and event phases: `ms` as the user waits (wall time), `cpu` the thread's own time
 * (what is left when other processes of a busy machine are not counted).
 */
function traceTasks(buffer) {
  const events = JSON.parse(buffer.toString("utf8")).traceEvents ?? [];
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const marks = {};
  for (const e of events) {
    if (typeof e.name === "string" && e.name.startsWith("parley:") && e.cat?.includes("blink.user_timing")) {
      marks[e.name] = e.ts;
    }
  }
  const tasks = events
    .filter((e) => e.name === "RunTask" && e.ph === "X" && mainThreads.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ ts: e.ts, ms: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000 }));
  const within = (from, to) =>
    marks[from] === undefined || marks[to] === undefined
      ? []
      : tasks.filter((t) => t.ts >= marks[from] && t.ts <= marks[to]).map(({ ms, cpu }) => ({ ms, cpu }));
  return {
    mount: within("parley:mount:start", "parley:mount:end"),
    events: within("parley:events:start", "parley:events:end"),
  };
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
});
const version = browser.version();
const runs = [];
try {
  const order = [];
  for (let i = 0; i < RUNS; i++) order.push(...(i % 2 === 0 ? ["ours", "whole", "naive"] : ["naive", "whole", "ours"]));
  // PARLEY_BENCH_RENDER_ONLY=ours (or ours,whole): some variants alone (a quick look while changing the components).
  const only = process.env.PARLEY_BENCH_RENDER_ONLY?.split(",");
  for (const variant of order.filter((v) => only === undefined || only.includes(v))) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    await page.goto(base);
    await page.waitForFunction(() => window.parleyRenderBench !== undefined);
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    say(`${variant}: mounting 1,000 messages${variant === "whole" ? "" : ", then the event stream"}`);
    const t0 = performance.now();
    const events =
      variant === "whole" ? 0 : variant === "naive" ? Math.min(NAIVE_EVENTS, EVENTS ?? Infinity) : (EVENTS ?? null);
    const result = await page.evaluate(([v, n]) => window.parleyRenderBench.run(v, n ?? undefined), [variant, events]);
    const traceBuffer = await browser.stopTracing();
    if (process.env.PARLEY_BENCH_RENDER_TRACE) {
      writeFileSync(
        path.join(process.env.PARLEY_BENCH_RENDER_TRACE, `render-${variant}-${runs.length}.json`),
        traceBuffer,
      );
    }
    const trace = traceTasks(traceBuffer);
    say(`${variant}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s — ${result.digest}`);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    runs.push({ ...result, trace });
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

writeFileSync(out, JSON.stringify({ runs, chromium: version, load: os.loadavg() }));
