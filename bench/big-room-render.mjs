// The big room benchmark's Chromium half (issue #8 §5): bench/big-room-page/ (its own Vite entry, never part of
// web/dist) in Debian's Chromium (playwright-core), once the way Parley does it (a snapshot, then pages the list
// asks for) and once one frame per presence; each in a fresh context. Writes JSON to argv[2]:
// `node bench/big-room-render.mjs <results.json>`. No server, no Prosody (the object's half is bench/big-room.ts).
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { servePage } from "./page-server.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: node bench/big-room-render.mjs <results.json>");
const root = path.resolve(import.meta.dirname, "..");
const say = (line) => process.stderr.write(`  [big-room-render] ${line}\n`);
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";
const BUILD_DIR = path.join(root, ".parley/bench-big-room-build");
const N = Number(process.env.PARLEY_BENCH_BIG_ROOM ?? 10_000);

say("building bench/big-room-page with Vite");
const { base, server } = await servePage(path.join(root, "bench/big-room-page"), BUILD_DIR);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--enable-precise-memory-info",
    "--disable-background-networking",
  ],
});
const runs = [];
try {
  for (const variant of ["ours", "naive"]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    await page.goto(base);
    await page.waitForFunction(() => window.parleyBigRoomBench !== undefined);
    say(`${variant}: ${N} participants`);
    const result = await page.evaluate(([v, n]) => window.parleyBigRoomBench.run(v, n), [variant, N]);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    say(`${variant}: ${JSON.stringify(result)}`);
    runs.push(result);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
writeFileSync(out, JSON.stringify({ runs, chromium: browser.version(), load: os.loadavg() }));
