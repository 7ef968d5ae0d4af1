#!/usr/bin/env node
// `npm start`: Prosody (loopback, demo accounts) + local D1 + Parley in workerd, on http://127.0.0.1:8787.
// Ctrl-C stops everything it started; a second run keeps the data (.parley/ and .wrangler/).
// `npm start -- --server prosody-0.12` runs bookworm's Prosody 0.12 (from .parley/prosody-0.12) instead of 13.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { requireNode22 } from "./env.mjs";
import { takeServerFlag } from "./install-prosody.mjs";
import { startProsody } from "./prosody.mjs";
import { DEMO_PEOPLE, publishAvatars, seedRosters } from "./demo.mjs";
import { stopProcessGroup } from "./proc.mjs";

requireNode22();
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const PORT = Number(process.env.PORT ?? 8787);
const ACCOUNTS = DEMO_PEOPLE.map((p) => p.user);
/** @param {unknown} err */
const fail = (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
};
let parsed;
try {
  parsed = takeServerFlag(process.argv.slice(2));
} catch (err) {
  fail(err);
}
const { server, rest } = /** @type {ReturnType<typeof takeServerFlag>} */ (parsed);
if (rest.length > 0) fail(`Unknown arguments: ${rest.join(" ")} (npm start [-- --server prosody-13|prosody-0.12])`);

if (!existsSync(".dev.vars")) {
  // The key that seals stored XMPP credentials (see README, Security). Kept across runs.
  writeFileSync(".dev.vars", `PARLEY_SECRET="${randomBytes(32).toString("base64url")}"\n`, { mode: 0o600 });
}

console.log(`Starting Prosody ${server} on 127.0.0.1:5222 / ws://127.0.0.1:5280/xmpp-websocket …`);
// startProsody installs Prosody 13 (or prepares 0.12) when needed. 0.12 keeps its own data: 13 may write what 0.12
// does not know.
const prosody = await startProsody({
  dataDir: path.join(root, server === "0.12" ? ".parley/prosody-dev-0.12" : ".parley/prosody-dev"),
  c2sPort: 5222,
  httpPort: 5280,
  accounts: ACCOUNTS.map((u) => [u, "parley"]),
  server,
}).catch(fail);
console.log(`Prosody ${prosody.version} is up.`);
// Demo content: alice, bob and carol are mutual contacts with names and avatars (only what is missing is added).
const seeded = await seedRosters(path.join(prosody.dataDir, "data"), prosody.domain);
const avatars = await publishAvatars({ port: prosody.c2sPort, domain: prosody.domain }).catch((err) => {
  console.warn(`Demo avatars not published: ${err instanceof Error ? err.message : err}`);
  return [];
});
if (seeded.length + avatars.length > 0) {
  console.log(
    `Demo content: rosters for ${seeded.join(", ") || "nobody"}, avatars for ${avatars.join(", ") || "nobody"}.`,
  );
}

console.log("Building the web app …");
execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], { stdio: "inherit" });
console.log("Applying D1 migrations (local) …");
execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], {
  stdio: ["ignore", "ignore", "inherit"],
  env: { ...process.env, CI: "true" },
});

const wrangler = spawn(
  "npx",
  ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(PORT), "--var", `XMPP_WEBSOCKET_URL:${prosody.wsUrl}`],
  { stdio: ["ignore", "pipe", "inherit"], detached: true, env: { ...process.env, CI: "true" } },
);
let announced = false;
wrangler.stdout.on("data", (chunk) => {
  const text = String(chunk);
  if (process.env.PARLEY_VERBOSE) process.stdout.write(text);
  if (!announced && text.includes("Ready on")) {
    announced = true;
    console.log(`\nParley is running: http://127.0.0.1:${PORT}`);
    console.log(`Demo accounts: ${ACCOUNTS.map((u) => `${u}@localhost`).join(", ")} (password: parley)`);
    console.log("Ctrl-C stops Parley and Prosody.\n");
  }
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stopProcessGroup(wrangler);
  await prosody.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
wrangler.on("exit", (code) => {
  if (!stopping) console.error(`wrangler dev exited (${code})`);
  void stop(code ?? 1);
});
