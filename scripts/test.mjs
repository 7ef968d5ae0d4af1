#!/usr/bin/env node
// `npm test`: the whole suite (unit, libSQL storage, Worker + object inside workerd against a private Prosody,
// browser end to end in Debian's Chromium). Works while `npm start` is running: other ports, other data dirs.
//
//   npm test [-- --server prosody-0.12] [vitest arguments]
//
// Against Prosody 13 (installed or upgraded by scripts/install-prosody.mjs), or with `--server prosody-0.12` against
// bookworm's 0.12 extracted into .parley/prosody-0.12 (13 stays installed). The choice reaches test/prosody-setup.ts
// as PARLEY_PROSODY.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ensureDebianPackages, requireNode22 } from "./env.mjs";
import {
  ensureProsody012,
  ensureProsodyInstalled,
  installedProsodyVersion,
  takeServerFlag,
} from "./install-prosody.mjs";

requireNode22();
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);

/** @type {"13" | "0.12"} */
let server;
/** @type {string[]} */
let vitestArgs;
try {
  ({ server, rest: vitestArgs } = takeServerFlag(process.argv.slice(2)));
  if (server === "0.12") {
    const { version, dir } = ensureProsody012({ root });
    console.log(`Testing against Prosody ${version} (${path.relative(root, dir)})`);
  } else {
    ensureProsodyInstalled();
    console.log(`Testing against Prosody ${installedProsodyVersion()}`);
  }
} catch (err) {
  // What to run instead (not root, no Prosody 13 in the apt sources): the message says it, a stack trace would not.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

ensureDebianPackages(
  [
    ["chromium", "/usr/bin/chromium"],
    // Reactions are emoji: without a colour emoji font Chromium draws empty boxes in the screenshots.
    ["fonts-noto-color-emoji", "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"],
    // The independent OMEMO 0.3 peer (test/peers/omemo_peer.py) runs on Debian's python-omemo and slixmpp.
    ["python3-omemo", "/usr/lib/python3/dist-packages/omemo"],
    ["python3-oldmemo", "/usr/lib/python3/dist-packages/oldmemo"],
    ["python3-slixmpp", "/usr/lib/python3/dist-packages/slixmpp"],
    ["python3-xmlschema", "/usr/lib/python3/dist-packages/xmlschema"],
  ],
  "The test suite",
);

console.log("Building the web app …");
execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], { stdio: "inherit" });

mkdirSync(".parley", { recursive: true });
const report = path.join(root, ".parley/vitest-report.json");
const args = ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs];
const run = spawnSync("npx", args, {
  stdio: "inherit",
  env: { ...process.env, PARLEY_SKIP_WEB_BUILD: "1", PARLEY_PROSODY: server },
});

try {
  const summary = JSON.parse(readFileSync(report, "utf8"));
  const skipped = summary.numPendingTests + summary.numTodoTests;
  // The plain closing line CI reads.
  console.log(
    `\ntests (Prosody ${server}): ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`,
  );
  if (summary.numTotalTests === 0) process.exit(1);
} catch {
  console.log("\ntests: no report was written");
}
process.exit(run.status ?? 1);
