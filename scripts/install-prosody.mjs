// The project's XMPP server, installed in one place for the run, test and bench scripts:
//
// - Prosody 13 from Debian: bookworm ships 0.12, so on Debian 12 it comes from bookworm-backports (the apt source
//   is added when missing); from trixie on, the distribution's own package is 13. An installed 0.12 is upgraded.
//   Debian's prosody-modules comes along (from the same suite: its 13 build depends on prosody >= 13).
// - Debian's own prosody service is kept from starting while apt installs it (a temporary policy-rc.d) and is
//   disabled afterwards: Parley runs private instances on 127.0.0.1, and a system one would hold 5222/5280.
// - Prosody 0.12 for `--server prosody-0.12`, without touching the installed 13: bookworm's .deb is downloaded and
//   extracted into .parley/prosody-0.12, and its launchers are pointed at that tree.
//
// The decisions are pure functions of command outputs and file texts (parse*, plan*, sourcesHaveSuite,
// pointLauncherAt), unit-tested in test/unit/install-prosody.test.ts; the rest runs apt and dpkg.
// Synchronous on purpose: apt holds a lock anyway, and vitest's global setups of two projects run in one process, so
// a synchronous check can never interleave with a second one.
//
// Plain Node ESM, node: builtins only.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync, rmSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import process from "node:process";

/** The Debian codenames whose own prosody is older than 13, and the suite that has 13 for them. */
export const BACKPORTS_FOR = /** @type {Record<string, string>} */ ({ bookworm: "bookworm-backports" });
const POLICY_RC_D = "/usr/sbin/policy-rc.d";
// Lets a later run recognise (and remove) a policy-rc.d that an interrupted run of this script left behind.
const POLICY_RC_D_MARK = "# Written by Parley's scripts/install-prosody.mjs for the duration of an apt-get install.";
// Keeps a locally changed /etc/prosody/prosody.cfg.lua on an upgrade instead of stopping at dpkg's question.
const KEEP_CONFFILES = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"];
// The 0.12 tree: bookworm's package, beside whatever /usr/bin/prosody is.
const PROSODY_012_DIR = path.join(".parley", "prosody-0.12");
// Used only by the package's maintainer scripts (system user, snakeoil certificate), which an extracted tree never runs.
const MAINTAINER_ONLY_DEPENDS = new Set(["adduser", "ssl-cert"]);

// ---------------------------------------------------------------------------------------------------------------
// Pure decisions

/**
 * The major version of a Prosody (Debian) version: "13.0.1-1~bpo12+1" → 13, "0.12.3-1+deb12u1" → 0 (the 0.x
 * series, before the switch to 13), "1:13.1.0-1" → 13, "13~" (a Depends bound) → 13.
 * @param {string} version
 * @returns {number | undefined}
 */
export function prosodyMajor(version) {
  const match = /^(?:\d+:)?(\d+)(?:[.~+-]|$)/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

/** @param {string | undefined} version */
export function isProsody13OrNewer(version) {
  return version !== undefined && (prosodyMajor(version) ?? 0) >= 13;
}

/**
 * The version `prosodyctl about` reports ("Prosody 13.0.1", "Prosody hg:…" for a source checkout).
 * @param {string} text
 * @returns {string | undefined}
 */
export function parseProsodyctlAbout(text) {
  return /^Prosody (\S+)/m.exec(text)?.[1];
}

/**
 * Key/value pairs of /etc/os-release.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseOsRelease(text) {
  /** @type {Record<string, string>} */
  const fields = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match)
      fields[/** @type {string} */ (match[1])] = /** @type {string} */ (match[2]).replace(/^(["'])(.*)\1$/, "$2");
  }
  return fields;
}

/**
 * Package names of a Debian Depends field: "lua5.4, lua-expat (>= 1.2.0), a | b" → [["lua5.4"], ["lua-expat"],
 * ["a", "b"]] (each entry: the alternatives, any one of which satisfies it).
 * @param {string} field
 * @returns {string[][]}
 */
export function parseDepends(field) {
  return field
    .split(",")
    .map((entry) =>
      entry
        .split("|")
        .map((alt) =>
          alt
            .trim()
            .replace(/\s*\(.*\)$/, "")
            .replace(/\s*\[.*\]$/, "")
            .replace(/:any$/, ""),
        )
        .filter((name) => name !== ""),
    )
    .filter((alts) => alts.length > 0);
}

/**
 * Whether an installed prosody-modules (given its Depends field) is the build for Prosody 13: Debian's builds say
 * which Prosody they are for ("prosody (>= 13~)" in backports, "prosody (>= 0.12~)" in bookworm).
 * @param {string | undefined} depends
 */
export function modulesFitProsody13(depends) {
  if (depends === undefined) return false;
  const match = /(?:^|,)\s*prosody\s*\(>=\s*([^)\s]+)\s*\)/.exec(depends);
  return match !== null && isProsody13OrNewer(/** @type {string} */ (match[1]));
}

/**
 * Whether an apt source (one-line `.list` or deb822 `.sources`) enables a suite for binary packages. Only files apt
 * reads count (a `.list.disabled` or `.sources.bak` does not); commented-out lines and `Enabled: no` stanzas do not.
 * @param {Array<{ path: string, text: string }>} files
 * @param {string} suite
 */
export function sourcesHaveSuite(files, suite) {
  for (const { path: file, text } of files) {
    if (file.endsWith(".list")) {
      for (const raw of text.split("\n")) {
        const line = raw.replace(/#.*$/, "").trim();
        // deb [ options ] uri suite [component...]; the options may contain spaces.
        const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (match && match[2] === suite) return true;
      }
    } else if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        /** @type {Record<string, string>} */
        const fields = {};
        let key = "";
        for (const raw of stanza.split("\n")) {
          if (raw.startsWith("#")) continue;
          if (/^\s/.test(raw) && key) {
            fields[key] += ` ${raw.trim()}`;
            continue;
          }
          const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
          if (match) {
            key = /** @type {string} */ (match[1]).toLowerCase();
            fields[key] = /** @type {string} */ (match[2]).trim();
          }
        }
        if (/^(no|false|off|0)$/i.test(fields.enabled ?? "")) continue;
        if (!(fields.types ?? "").split(/\s+/).includes("deb")) continue;
        if ((fields.suites ?? "").split(/\s+/).includes(suite)) return true;
      }
    }
  }
  return false;
}

/**
 * The deb822 source for a backports suite, in the form of Debian's own debian.sources.
 * @param {string} suite
 */
export function renderBackportsSource(suite) {
  return [
    "# Added by Parley's scripts/install-prosody.mjs: Prosody 13 for Debian 12 comes from backports.",
    "Types: deb",
    "URIs: http://deb.debian.org/debian",
    `Suites: ${suite}`,
    "Components: main",
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
    "",
  ].join("\n");
}

/**
 * What to install so that Prosody 13 and its prosody-modules are there, or undefined when they are.
 * @param {{
 *   codename: string | undefined,
 *   prosodyVersion: string | undefined,
 *   modulesDepends: string | undefined,
 *   backportsConfigured: boolean,
 * }} state `prosodyVersion`: the installed version (dpkg), undefined when not installed; `modulesDepends`: the
 *   Depends field of the installed prosody-modules, undefined when not installed; `backportsConfigured`: whether an
 *   apt source already has the codename's backports suite.
 * @returns {{ packages: string[], target: string | undefined, addBackportsSource: boolean, upgrade: boolean } | undefined}
 *   `target`: the suite for `apt-get install -t` (undefined: the distribution's own); `upgrade`: an older Prosody is
 *   installed.
 */
export function planProsodyInstall({ codename, prosodyVersion, modulesDepends, backportsConfigured }) {
  /** @type {string[]} */
  const packages = [];
  if (!isProsody13OrNewer(prosodyVersion)) packages.push("prosody");
  if (!modulesFitProsody13(modulesDepends)) packages.push("prosody-modules");
  if (packages.length === 0) return undefined;
  const target = codename === undefined ? undefined : BACKPORTS_FOR[codename];
  return {
    packages,
    target,
    addBackportsSource: target !== undefined && !backportsConfigured,
    upgrade: prosodyVersion !== undefined && packages.includes("prosody"),
  };
}

/**
 * The apt commands a plan runs, as a person would type them (for a non-root user, and for the log).
 * @param {{ packages: string[], target: string | undefined, addBackportsSource: boolean }} plan
 * @returns {string[]}
 */
export function planCommands(plan) {
  const lines = [];
  if (plan.addBackportsSource && plan.target)
    lines.push(`add the ${plan.target} apt source (/etc/apt/sources.list.d/${plan.target}.sources)`);
  lines.push("apt-get update");
  lines.push(`apt-get install -y ${plan.target ? `-t ${plan.target} ` : ""}${plan.packages.join(" ")}`);
  return lines;
}

/**
 * The newest 0.12 in `apt-cache madison prosody` output (lines "prosody | VERSION | URI SUITE/COMPONENT ARCH
 * Packages").
 * @param {string} text
 * @returns {string | undefined}
 */
export function pickProsody012(text) {
  for (const line of text.split("\n")) {
    const version = line.split("|")[1]?.trim();
    // madison lists the newest first.
    if (version && /^(?:\d+:)?0\.12\./.test(version)) return version;
  }
  return undefined;
}

/**
 * The prosody-modules to extract beside Prosody 0.12 (`apt-cache madison prosody-modules`): the distribution's own
 * (bookworm's, built for 0.12), never a backport (those are built for 13).
 * @param {string} text
 * @returns {string | undefined}
 */
export function pickModules012(text) {
  for (const line of text.split("\n")) {
    const [, version, source] = line.split("|").map((c) => c.trim());
    if (version && source && !source.includes("-backports")) return version;
  }
  return undefined;
}

/**
 * A Prosody launcher (usr/bin/prosody or prosodyctl) pointed at an extracted tree: the configure-time paths at its
 * top (CFG_SOURCEDIR etc., Debian's /usr/lib/prosody and friends) become the tree's. Throws when the launcher does
 * not set one of them (a layout this does not know, better a clear error than the system's 13 loading 0.12's code).
 * @param {string} text
 * @param {string} tree absolute path of the extracted package
 */
export function pointLauncherAt(text, tree) {
  const paths = {
    CFG_SOURCEDIR: `${tree}/usr/lib/prosody`,
    CFG_CONFIGDIR: `${tree}/etc/prosody`,
    CFG_PLUGINDIR: `${tree}/usr/lib/prosody/modules/`,
    CFG_DATADIR: `${tree}/var/lib/prosody`,
  };
  let out = text;
  for (const [name, value] of Object.entries(paths)) {
    const line = new RegExp(`^${name}\\s*=.*$`, "m");
    if (!line.test(out)) throw new Error(`The Prosody launcher does not set ${name}; cannot point it at ${tree}`);
    out = out.replace(line, () => `${name}=${luaString(value)};`);
  }
  return out;
}

/**
 * Takes `--server prosody-13|prosody-0.12` (or `--server=…`, or just `13` / `0.12`) out of a command line, for the
 * run and test scripts; the rest goes on to vitest or is refused by the caller.
 * @param {string[]} argv
 * @returns {{ server: "13" | "0.12", rest: string[] }}
 */
export function takeServerFlag(argv) {
  /** @type {"13" | "0.12"} */
  let server = "13";
  /** @type {string[]} */
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    let value;
    if (arg === "--server") {
      value = argv[++i];
      if (value === undefined) throw new Error("--server needs a value: prosody-13 or prosody-0.12");
    } else if (arg.startsWith("--server=")) {
      value = arg.slice("--server=".length);
    } else {
      rest.push(arg);
      continue;
    }
    const name = value.replace(/^prosody-?/, "");
    if (name !== "13" && name !== "0.12") throw new Error(`Unknown --server ${value}: prosody-13 or prosody-0.12`);
    server = name;
  }
  return { server, rest };
}

/** A Lua string literal (decimal escapes for quotes, backslashes and control characters). */
function luaString(value) {
  return `"${String(value).replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`)}"`;
}

// ---------------------------------------------------------------------------------------------------------------
// System state

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;
const aptEnv = () => ({ ...process.env, DEBIAN_FRONTEND: "noninteractive" });

/** Output of a command, or undefined when it fails or does not exist. */
function output(cmd, args) {
  const result = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  return result.status === 0 ? result.stdout : undefined;
}

/** A field of an installed Debian package, or undefined when it is not installed (or there is no dpkg). */
function dpkgField(pkg, field) {
  const text = output("dpkg-query", ["-W", `-f=\${db:Status-Abbrev}\t\${${field}}`, pkg]);
  if (text === undefined) return undefined;
  const [status, value] = text.split("\t");
  // "ii " installed; "rc " removed with its config left, and the like, are not installed.
  return status?.startsWith("ii") ? (value ?? "") : undefined;
}

const hasDpkg = () => output("dpkg-query", ["--version"]) !== undefined;

function readAptSources() {
  /** @type {Array<{ path: string, text: string }>} */
  const files = [];
  const read = (file) => {
    try {
      files.push({ path: file, text: readFileSync(file, "utf8") });
    } catch {
      // unreadable or gone: apt would not use it either
    }
  };
  read("/etc/apt/sources.list");
  try {
    for (const name of readdirSync("/etc/apt/sources.list.d").sort()) read(`/etc/apt/sources.list.d/${name}`);
  } catch {
    // no sources.list.d
  }
  return files;
}

function osCodename() {
  try {
    const fields = parseOsRelease(readFileSync("/etc/os-release", "utf8"));
    return fields.VERSION_CODENAME || undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command with its output on ours; throws on failure. */
function runVisible(cmd, args, options = {}) {
  execFileSync(cmd, args, { stdio: "inherit", env: aptEnv(), ...options });
}

/**
 * Runs fn with a policy-rc.d that tells invoke-rc.d not to start services (exit 101), so installing prosody does not
 * start Debian's service on 5222/5280. An existing policy-rc.d (Docker images have one) is left alone; ours is
 * removed afterwards, also when an interrupted run left it behind.
 * @template T
 * @param {() => T} fn
 * @returns {T}
 */
function withoutServiceStarts(fn) {
  let ours = false;
  if (!existsSync(POLICY_RC_D)) {
    writeFileSync(POLICY_RC_D, `#!/bin/sh\n${POLICY_RC_D_MARK}\nexit 101\n`, { mode: 0o755 });
    ours = true;
  } else {
    ours = readFileSync(POLICY_RC_D, "utf8").includes(POLICY_RC_D_MARK);
  }
  try {
    return fn();
  } finally {
    if (ours) rmSync(POLICY_RC_D, { force: true });
  }
}

/**
 * Stops and disables Debian's prosody service, best effort: with systemd, with SysV init, or neither (a container,
 * where every one of these may fail). Parley never uses it, and it would hold 5222/5280.
 */
export function disableSystemProsody() {
  for (const [cmd, args] of /** @type {const} */ ([
    ["systemctl", ["disable", "--now", "prosody"]],
    ["service", ["prosody", "stop"]],
    ["update-rc.d", ["prosody", "disable"]],
  ])) {
    spawnSync(cmd, [...args], { stdio: "ignore", env: aptEnv(), timeout: 60_000 });
  }
}

/** The installed Prosody's version: dpkg's, or `prosodyctl about` where there is no dpkg. */
export function installedProsodyVersion() {
  if (hasDpkg()) return dpkgField("prosody", "Version");
  const about = output("prosodyctl", ["about"]);
  return about === undefined ? undefined : parseProsodyctlAbout(about);
}

/**
 * Makes sure Prosody 13 (and Debian's prosody-modules for it) is installed: installs or upgrades it with apt-get as
 * root; otherwise says what to run. Cheap when everything is there (three dpkg-query calls).
 * @param {{ log?: (line: string) => void }} [options]
 */
export function ensureProsodyInstalled({ log = (line) => console.log(line) } = {}) {
  if (!hasDpkg()) {
    // Not Debian: whatever provides prosody is the user's business, as long as it is 13.
    const version = installedProsodyVersion();
    if (isProsody13OrNewer(version)) return;
    throw new Error(
      `Parley needs Prosody 13 (found ${version ? `Prosody ${version}` : "no prosodyctl"}); on Debian the scripts install it.`,
    );
  }
  const codename = osCodename();
  const prosodyVersion = dpkgField("prosody", "Version");
  const plan = planProsodyInstall({
    codename,
    prosodyVersion,
    modulesDepends: dpkgField("prosody-modules", "Depends"),
    backportsConfigured:
      codename !== undefined && BACKPORTS_FOR[codename] !== undefined
        ? sourcesHaveSuite(readAptSources(), /** @type {string} */ (BACKPORTS_FOR[codename]))
        : false,
  });
  if (!plan) return;

  if (!isRoot()) {
    const steps = planCommands(plan).map((line) => `  ${line.startsWith("apt-get") ? "sudo " : ""}${line}`);
    if (plan.packages.includes("prosody")) {
      throw new Error(
        `Parley needs Prosody 13 (${prosodyVersion ? `${prosodyVersion} is installed` : "not installed"}). As root:\n${steps.join("\n")}\n` +
          "then stop Debian's prosody service: sudo systemctl disable --now prosody",
      );
    }
    // The MUC component loads mod_muc_moderation from it (issue #8).
    throw new Error(
      `Parley needs Debian's prosody-modules for Prosody 13 (group chat moderation). As root:\n${steps.join("\n")}`,
    );
  }

  log(
    plan.upgrade
      ? `Upgrading Prosody ${prosodyVersion} to 13${plan.target ? ` from ${plan.target}` : ""} …`
      : `Installing ${plan.packages.join(", ")}${plan.target ? ` from ${plan.target}` : ""} …`,
  );
  if (plan.addBackportsSource && plan.target) {
    const file = `/etc/apt/sources.list.d/${plan.target}.sources`;
    if (existsSync(file)) {
      // A file of that name that does not enable the suite (Enabled: no, commented out) is someone's decision.
      throw new Error(`${file} exists but does not enable ${plan.target}; enable it or remove the file`);
    }
    log(`Adding the ${plan.target} apt source (${file})`);
    writeFileSync(file, renderBackportsSource(plan.target));
  }
  withoutServiceStarts(() => {
    runVisible("apt-get", ["update"]);
    runVisible("apt-get", [
      "install",
      "-y",
      "-o",
      "DPkg::Lock::Timeout=120",
      ...KEEP_CONFFILES,
      ...(plan.target ? ["-t", plan.target] : []),
      ...plan.packages,
    ]);
  });
  disableSystemProsody();
  const installed = dpkgField("prosody", "Version");
  if (!isProsody13OrNewer(installed)) {
    throw new Error(
      `apt-get installed prosody ${installed ?? "(nothing)"}, not 13: this Debian (${codename ?? "unknown"}) has no Prosody 13 ` +
        `in its configured sources`,
    );
  }
  log(`Prosody ${installed} is installed; Debian's prosody service is stopped and disabled (Parley runs its own).`);
}

/**
 * Prosody 0.12 beside the installed one: bookworm's package extracted into `<root>/.parley/prosody-0.12`, its
 * launchers pointed at that tree, its Lua dependencies installed (as root) when missing. Cheap when it is there.
 * @param {{ root: string, log?: (line: string) => void }} options
 * @returns {{ prosody: string, prosodyctl: string, version: string, dir: string }}
 */
export function ensureProsody012({ root, log = (line) => console.log(line) }) {
  const dir = path.join(root, PROSODY_012_DIR);
  const markerPath = path.join(dir, "parley-prosody.json");
  const bins = { prosody: path.join(dir, "usr/bin/prosody"), prosodyctl: path.join(dir, "usr/bin/prosodyctl") };

  /** @type {{ version: string, depends: string, modules?: string } | undefined} */
  let marker;
  try {
    marker = JSON.parse(readFileSync(markerPath, "utf8"));
  } catch {
    marker = undefined;
  }
  // `modules`: extractions made before the tree carried prosody-modules are made again.
  if (!marker || !marker.modules || !existsSync(bins.prosody) || !existsSync(bins.prosodyctl)) {
    marker = extractProsody012(root, dir, log);
    writeFileSync(markerPath, `${JSON.stringify(marker)}\n`);
  }
  ensureDepends(marker.depends, `Prosody ${marker.version} (${PROSODY_012_DIR})`, log);
  return { ...bins, version: marker.version, dir };
}

/** Downloads bookworm's prosody 0.12 and its prosody-modules, extracts them into dir; returns the versions and Depends. */
function extractProsody012(root, dir, log) {
  let version = pickProsody012(output("apt-cache", ["madison", "prosody"]) ?? "");
  if (!version && isRoot()) {
    // A fresh machine may have no package lists yet.
    runVisible("apt-get", ["update"]);
    version = pickProsody012(output("apt-cache", ["madison", "prosody"]) ?? "");
  }
  if (!version) {
    throw new Error(
      "No Prosody 0.12 in the apt sources (`apt-cache madison prosody`): it is Debian 12 (bookworm)'s prosody." +
        (isRoot() ? "" : " Run `sudo apt-get update` if the package lists are missing."),
    );
  }
  const show = output("apt-cache", ["show", `prosody=${version}`]) ?? "";
  const depends = /^Depends:\s*(.*)$/m.exec(show)?.[1] ?? "";
  log(
    `Preparing Prosody ${version} in ${PROSODY_012_DIR} (extracted from Debian's package; the installed one stays) …`,
  );

  const work = `${dir}.download`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // As root, apt hands downloads to its unprivileged _apt user, which may not write here; the package is checked
  // against the signed index either way.
  const sandbox = isRoot() ? ["-o", "APT::Sandbox::User=root"] : [];
  execFileSync("apt-get", [...sandbox, "download", `prosody=${version}`], {
    cwd: work,
    stdio: ["ignore", "ignore", "inherit"],
    env: aptEnv(),
  });
  // The community modules of the same release (mod_muc_moderation, mod_vcard_muc; issue #8), into the same tree.
  const modules = pickModules012(output("apt-cache", ["madison", "prosody-modules"]) ?? "");
  if (!modules) throw new Error("No prosody-modules for Prosody 0.12 in the apt sources (bookworm's)");
  execFileSync("apt-get", [...sandbox, "download", `prosody-modules=${modules}`], {
    cwd: work,
    stdio: ["ignore", "ignore", "inherit"],
    env: aptEnv(),
  });
  const debs = readdirSync(work).filter((name) => name.endsWith(".deb"));
  if (!debs.some((d) => d.startsWith("prosody_")))
    throw new Error(`apt-get download prosody=${version} left no .deb in ${work}`);
  const tree = path.join(work, "tree");
  for (const deb of debs) execFileSync("dpkg", ["-x", path.join(work, deb), tree], { stdio: "inherit" });

  // Point the launchers at the tree's final place.
  for (const name of ["prosody", "prosodyctl"]) {
    const file = path.join(tree, "usr/bin", name);
    writeFileSync(file, pointLauncherAt(readFileSync(file, "utf8"), dir), { mode: 0o755 });
  }
  // What the tree's own etc/prosody/prosody.cfg.lua expects, so `prosodyctl about` works there without --config.
  mkdirSync(path.join(tree, "var/lib/prosody"), { recursive: true });
  for (const sub of ["etc/prosody/conf.d", "etc/prosody/certs"]) mkdirSync(path.join(tree, sub), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tree, dir);
  rmSync(work, { recursive: true, force: true });
  return { version, depends, modules };
}

/**
 * Names of the installed packages and of the virtual packages they provide (Prosody depends on lua5.4-bitop, which
 * lua-bitop provides): one dpkg-query call.
 * @returns {Set<string>}
 */
function installedNames() {
  const names = new Set();
  const text = output("dpkg-query", ["-W", "-f=${db:Status-Abbrev}\t${Package}\t${Provides}\n"]) ?? "";
  for (const line of text.split("\n")) {
    const [status, name, provides] = line.split("\t");
    if (!status?.startsWith("ii") || !name) continue;
    names.add(name);
    for (const alts of parseDepends(provides ?? "")) for (const provided of alts) names.add(provided);
  }
  return names;
}

/** Installs (as root) the packages of a Depends field that are missing; otherwise says what to run. */
function ensureDepends(depends, what, log) {
  const installed = installedNames();
  const missing = parseDepends(depends)
    .filter((alts) => !alts.some((name) => MAINTAINER_ONLY_DEPENDS.has(name) || installed.has(name)))
    .map((alts) => /** @type {string} */ (alts[0]));
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(`${what} needs ${missing.join(", ")}: run \`sudo apt-get install -y ${missing.join(" ")}\``);
  }
  log(`Installing ${missing.join(", ")} for ${what} …`);
  runVisible("apt-get", ["install", "-y", "-o", "DPkg::Lock::Timeout=120", ...missing]);
}
