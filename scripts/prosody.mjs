#!/usr/bin/env node
// A private, loopback-only Prosody for development and tests: Debian's Prosody 13 (installed by
// scripts/install-prosody.mjs), or with `server: "0.12"` bookworm's 0.12 extracted into .parley/prosody-0.12.
//
// It runs with its own config, data, pidfile and log under `dataDir`, never touches the system
// instance in /etc/prosody, offers no TLS and no s2s, and listens on 127.0.0.1 only. One config serves both
// versions (options 13 renamed are given in their new names, which 0.12 already reads).
//
//   node scripts/prosody.mjs [--server prosody-13|prosody-0.12] [--data-dir D] [--c2s-port N] [--http-port N]
//                            [--domain D] [--log LEVEL] [--fresh]
//
// Plain Node ESM, node: builtins only (Node 20 and 22).

import { spawn, execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, openSync, writeSync, closeSync } from "node:fs";
import { mkdir, writeFile, rm, readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { portAnswers } from "./proc.mjs";
import {
  ensureProsody012,
  ensureProsodyInstalled,
  installedProsodyVersion,
  takeServerFlag,
} from "./install-prosody.mjs";

export { ensureProsodyInstalled };

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PROSODY = "/usr/bin/prosody";
const PROSODYCTL = "/usr/bin/prosodyctl";
const SETPRIV = "/usr/bin/setpriv";
const DEFAULT_ACCOUNTS = [
  ["alice", "parley"],
  ["bob", "parley"],
  ["carol", "parley"],
];
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Prosody to run: the installed 13 (installed or upgraded when needed), or the 0.12 tree.
 * @param {"13" | "0.12"} server
 * @returns {{ prosody: string, prosodyctl: string, version: string }}
 */
export function resolveProsody(server) {
  if (server === "0.12") return ensureProsody012({ root: REPO_ROOT, log: (line) => process.stderr.write(`${line}\n`) });
  ensureProsodyInstalled({ log: (line) => process.stderr.write(`${line}\n`) });
  return { prosody: PROSODY, prosodyctl: PROSODYCTL, version: installedProsodyVersion() ?? "13" };
}

/**
 * Starts a private Prosody. Resolves once c2s and the WebSocket endpoint answer and every account is registered.
 *
 * @param {{
 *   dataDir: string,
 *   c2sPort?: number,
 *   httpPort?: number,
 *   domain?: string,
 *   accounts?: Array<[string, string]>,
 *   log?: "debug" | "info" | "warn" | "error",
 *   fresh?: boolean,
 *   authentication?: "internal_plain" | "internal_hashed",
 *   passwordHash?: "SHA-1" | "SHA-256",
 *   server?: "13" | "0.12",
 *   componentPort?: number,
 * }} options
 *   `componentPort`: also listen for XEP-0114 components there; the component `flood.<domain>` (secret
 *   FLOOD_SECRET) is what test/peers/flood.ts connects as, to put many participants in a room (issue #8 §4).
 *   `fresh: true` wipes dataDir first (accounts, archives, everything).
 *   `server`: "13" (default) runs the installed Prosody 13; "0.12" runs bookworm's 0.12 from .parley/prosody-0.12.
 *   `authentication`: Prosody 0.12's internal_hashed stores keys for ONE hash only (`password_hash`, SHA-1 by
 *   default), so it offers either SCRAM-SHA-1 or SCRAM-SHA-256, never both. The default, internal_plain (plaintext
 *   passwords; fine for a private dev/test server), offers PLAIN, SCRAM-SHA-1 and SCRAM-SHA-256.
 * @returns {Promise<{
 *   wsUrl: string, domain: string, c2sPort: number, httpPort: number, dataDir: string,
 *   configPath: string, logPath: string, pid: number, version: string,
 *   exited: Promise<{ code: number | null, signal: string | null }>,
 *   stop: () => Promise<void>, register: (user: string, password: string) => Promise<void>,
 * }>}
 */
export async function startProsody({
  dataDir,
  c2sPort = 5222,
  httpPort = 5280,
  domain = "localhost",
  accounts = DEFAULT_ACCOUNTS,
  log = "warn",
  fresh = false,
  authentication = "internal_plain",
  passwordHash = "SHA-1",
  server = "13",
  componentPort = undefined,
} = /** @type {any} */ ({})) {
  if (!dataDir || !path.isAbsolute(dataDir))
    throw new Error(`startProsody: dataDir must be an absolute path (got ${dataDir})`);
  if (server !== "13" && server !== "0.12") throw new Error(`startProsody: unknown server ${server}`);
  const { prosody: prosodyBin, prosodyctl: prosodyctlBin, version } = resolveProsody(server);

  const configPath = path.join(dataDir, "prosody.cfg.lua");
  const pidPath = path.join(dataDir, "prosody.pid");
  const logPath = path.join(dataDir, "prosody.log");
  const consolePath = path.join(dataDir, "prosody.console.log");
  const storePath = path.join(dataDir, "data");

  // A previous run of this same dataDir may have been left behind (e.g. the parent was SIGKILLed).
  await killStale(pidPath, configPath);

  if (fresh) await rm(dataDir, { recursive: true, force: true });
  await mkdir(storePath, { recursive: true });
  // certmanager logs an error at every start if its certificate directory is missing; give it an empty one.
  const certsPath = path.join(dataDir, "certs");
  await mkdir(certsPath, { recursive: true });
  await writeFile(
    configPath,
    renderConfig({
      domain,
      c2sPort,
      httpPort,
      log,
      storePath,
      pidPath,
      logPath,
      certsPath,
      authentication,
      passwordHash,
      componentPort,
      mucModules: [
        ...(server === "0.12"
          ? ["muc_mam", "muc_unique", "muc_moderation", "vcard_muc"]
          : ["muc_mam", "muc_unique", "muc_moderation"]),
        ...(componentPort === undefined ? [] : ["flood_quiet"]),
      ],
    }),
  );
  // Start each run with empty logs so error tails belong to this run.
  await writeFile(logPath, "");
  await writeFile(consolePath, "");

  for (const port of [c2sPort, httpPort]) {
    if (await portAnswers(port)) {
      throw new Error(`Cannot start Prosody: 127.0.0.1:${port} is already in use. ${describePortHolder(port)}`);
    }
  }

  const startedAt = Date.now();
  const consoleFd = openSync(consolePath, "a");
  // detached: false keeps Prosody in our process group (Ctrl-C reaches it); setpriv --pdeathsig also takes it down
  // when this process dies without calling stop() (SIGKILL, crash). setpriv execs Prosody, so the pid is the same.
  const prosodyArgs = ["--config", configPath, "-F"];
  const [cmd, args] = existsSync(SETPRIV)
    ? [SETPRIV, ["--pdeathsig", "TERM", "--", prosodyBin, ...prosodyArgs]]
    : [prosodyBin, prosodyArgs];
  const child = spawn(cmd, args, {
    cwd: dataDir,
    detached: false,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PROSODY_CONFIG: configPath },
  });
  // Prosody's own log goes to prosody.log; its console (errors, startup failures, Lua tracebacks) goes to
  // prosody.console.log and is echoed on our stderr so problems are visible.
  const onConsole = (chunk) => {
    try {
      writeSync(consoleFd, chunk);
    } catch {
      // log file gone; ignore
    }
    process.stderr.write(
      String(chunk)
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => `[prosody] ${line}\n`)
        .join(""),
    );
  };
  child.stdout.on("data", onConsole);
  child.stderr.on("data", onConsole);

  let exited = false;
  /** @type {number | null} */
  let exitCode = null;
  /** @type {string | null} */
  let exitSignal = null;
  const exitPromise = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      resolve(undefined);
    });
  });
  child.on("close", () => {
    try {
      closeSync(consoleFd);
    } catch {
      // already closed
    }
  });
  /** @type {Error | undefined} */
  let spawnError;
  child.on("error", (err) => {
    spawnError = err;
  });

  // If this Node process exits without calling stop(), take Prosody down with it.
  const killOnExit = () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch {
        // gone
      }
    }
  };
  process.on("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (exited) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, STOP_GRACE_MS);
    await exitPromise;
    clearTimeout(timer);
  };

  const failure = async (what) => {
    await stop().catch(() => {});
    const tail = await logTail([consolePath, logPath]);
    return new Error(`${what}\n--- tail of ${consolePath} and ${logPath} ---\n${tail}`);
  };

  // Wait until c2s accepts TCP connections and the WebSocket endpoint answers over HTTP.
  const wsPath = "/xmpp-websocket";
  const deadline = startedAt + START_TIMEOUT_MS;
  let ready = false;
  while (Date.now() < deadline) {
    if (spawnError) throw await failure(`Could not spawn ${prosodyBin}: ${spawnError.message}`);
    if (exited) {
      throw await failure(`Prosody exited during startup (code ${exitCode}, signal ${exitSignal})`);
    }
    // HTTP first: probing c2s on every round would fill an info-level log with connects.
    if ((await httpStatus(httpPort, wsPath)) === 200 && (await portAnswers(c2sPort))) {
      ready = true;
      break;
    }
    await sleep(50);
  }
  if (!ready) {
    throw await failure(
      `Prosody did not open 127.0.0.1:${c2sPort} (c2s) and http://127.0.0.1:${httpPort}${wsPath} within ${START_TIMEOUT_MS / 1000} s`,
    );
  }

  const register = async (user, password) => {
    try {
      await run(prosodyctlBin, ["--config", configPath, "register", user, domain, password], {
        env: { ...process.env, PROSODY_CONFIG: configPath },
      });
    } catch (err) {
      throw new Error(`Registering ${user}@${domain} failed: ${err instanceof Error ? err.message : err}`, {
        cause: err,
      });
    }
  };

  try {
    // Each prosodyctl call writes its own account file, so they can run side by side.
    await mapLimit(accounts, 4, ([user, password]) => register(user, password));
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }

  return {
    wsUrl: `ws://127.0.0.1:${httpPort}${wsPath}`,
    domain,
    c2sPort,
    httpPort,
    dataDir,
    configPath,
    logPath,
    pid: /** @type {number} */ (child.pid),
    version,
    exited: exitPromise.then(() => ({ code: exitCode, signal: exitSignal })),
    stop,
    register,
  };
}

/** Lua string literal. */
function lua(value) {
  return `"${String(value).replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`)}"`;
}

function renderConfig({
  domain,
  c2sPort,
  httpPort,
  log,
  storePath,
  pidPath,
  logPath,
  certsPath,
  authentication,
  passwordHash,
  componentPort,
  mucModules,
}) {
  const httpBase = `http://127.0.0.1:${httpPort}/`;
  return `-- Generated by scripts/prosody.mjs for development and tests. Do not edit: rewritten on every start.
-- Loopback only, no TLS, no s2s, run from this directory's data only.

run_as_root = true
data_path = ${lua(storePath)}
pidfile = ${lua(pidPath)}
-- Started with "prosody -F" (foreground); the "daemonize" option is deprecated in 0.12 and only logs a warning.

log = {
  { levels = { min = ${lua(log)} }, to = "file", filename = ${lua(logPath)} };
  { levels = { min = "error" }, to = "console" };
}

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { ${Number(c2sPort)} }
c2s_interfaces = { "127.0.0.1" }
-- Direct TLS is c2s_direct_tls_ports since 0.12 (13 warns about the old legacy_ssl_ports, which has no default).
c2s_direct_tls_ports = { }
s2s_ports = { }
s2s_direct_tls_ports = { }
http_ports = { ${Number(httpPort)} }
http_interfaces = { "127.0.0.1" }
https_ports = { }
https_interfaces = { }
${componentPort === undefined ? "" : floodGlobals(componentPort)}-- Requests whose Host header is not a configured host (e.g. "127.0.0.1:${httpPort}") go to the main VirtualHost,
-- which serves /xmpp-websocket.
http_default_host = ${lua(domain)}

-- No TLS anywhere, so no certificates are needed (the directory exists but stays empty).
certificates = ${lua(certsPath)}
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
consider_websocket_secure = true

-- internal_plain offers PLAIN, SCRAM-SHA-1 and SCRAM-SHA-256; internal_hashed (0.12) offers PLAIN and only the
-- SCRAM of password_hash.
authentication = ${lua(authentication)}
password_hash = ${lua(passwordHash)}
storage = "internal"
allow_registration = false

modules_enabled = {
  "roster"; "saslauth"; "disco"; "carbons"; "pep"; "private"; "blocklist";
  "vcard4"; "vcard_legacy"; "version"; "uptime"; "time"; "ping"; "register";
  "mam"; "smacks"; "bookmarks"; "websocket"; "http"; "csi_simple";
  -- prosodyctl's user commands (passwd, shell) go through the running server on 13 (a socket in data_path).
  "admin_shell";
}
modules_disabled = { "s2s"; "s2s_auth_certs" }

-- Prosody 13's roles (0.12 has none and ignores this). Accounts made by "prosodyctl register" have no stored role, so
-- they are "prosody:registered", and so are local users on the components. PEP needs nothing (each user owns their
-- own service); creating nodes on the pubsub component is "pubsub:create-node", given by default to admins only.
-- (On 0.12 only admins create nodes there.)
add_permissions = {
  ["prosody:registered"] = { "pubsub:create-node" };
}

smacks_hibernation_time = 600
archive_expires_after = "never"
default_archive_policy = true

VirtualHost ${lua(domain)}

-- Group chats and channels (issue #8): archived for ever (the default deletes a room's history after a week),
-- unique room names (XEP-0307), moderation (XEP-0425, prosody-modules). Occupant ids (XEP-0421) and room vCards
-- (avatars) are built into 13's MUC; 0.12 gets the avatars from prosody-modules' vcard_muc and has no occupant ids.
Component ${lua(`conference.${domain}`)} "muc"
  modules_enabled = { ${mucModules.map((m) => lua(m)).join("; ")} }
  muc_log_by_default = true
  muc_log_expires_after = "never"

Component ${lua(`pubsub.${domain}`)} "pubsub"

Component ${lua(`upload.${domain}`)} "http_file_share"
  -- Serve uploads from the main HTTP host and hand out loopback URLs that need no DNS for upload.${domain}.
  http_host = ${lua(domain)}
  http_external_url = ${lua(httpBase)}
${componentPort === undefined ? "" : floodComponent(domain)}`;
}

/** The shared secret of the test component flood.<domain> (loopback only, tests and benchmarks). */
export const FLOOD_SECRET = "parley-flood";

/**
 * XEP-0114: an external component for the flood peer (test/peers/flood.ts), whose addresses join rooms by the
 * thousand (issue #8 §4). Loopback only.
 */
function floodGlobals(port) {
  return `component_ports = { ${Number(port)} }
component_interfaces = { "127.0.0.1" }
-- test/prosody/mod_flood_quiet.lua: flood participants do not get each other's presences (N² otherwise).
plugin_paths = { ${lua(FLOOD_PLUGINS)} }
`;
}

const FLOOD_PLUGINS = path.join(REPO_ROOT, "test/prosody");

function floodComponent(domain) {
  return `
Component ${lua(`flood.${domain}`)}
  component_secret = ${lua(FLOOD_SECRET)}
`;
}

/**
 * Who listens on 127.0.0.1:port, for the error when a Prosody port is taken: the process that holds the listening
 * socket (from /proc/net/tcp* and /proc/<pid>/fd). Debian's prosody service runs without --config; Parley's private
 * ones with theirs.
 * @param {number} port
 */
function describePortHolder(port) {
  const inodes = new Set();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the socket's inode is the tenth column.
      if (cols[3] === "0A" && Number.parseInt(cols[1]?.split(":")[1] ?? "", 16) === port) inodes.add(cols[9]);
    }
  }
  /** @type {string[]} */
  const found = [];
  let pids = [];
  try {
    pids = inodes.size > 0 ? readdirSync("/proc").filter((name) => /^\d+$/.test(name)) : [];
  } catch {
    // no /proc
  }
  for (const pid of pids) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]);
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let args = [];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      // gone
    }
    // "lua5.4 /usr/bin/prosody -F": the launcher is a Lua script.
    const isProsody = args.slice(0, 2).some((arg) => path.basename(arg) === "prosody");
    const configAt = args.indexOf("--config");
    if (isProsody && configAt < 0) {
      found.push(
        `Debian's prosody service holds it (pid ${pid}, /etc/prosody/prosody.cfg.lua). Parley runs its own Prosody; ` +
          "stop and disable the system one: `systemctl disable --now prosody` (without systemd: " +
          "`service prosody stop && update-rc.d prosody disable`).",
      );
    } else if (isProsody) {
      found.push(
        `Another private Prosody holds it (pid ${pid}, config ${args[configAt + 1]}): another \`npm start\` or test run?`,
      );
    } else {
      found.push(`pid ${pid} holds it: ${args.join(" ").slice(0, 200)}`);
    }
  }
  return found.length > 0 ? found.join(" ") : "Stop what listens there or choose other ports.";
}

/** Kills a Prosody left over from a previous run of this dataDir (pidfile present and the pid is ours). */
async function killStale(pidPath, configPath) {
  let pid;
  try {
    pid = Number.parseInt((await readFile(pidPath, "utf8")).trim(), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return;
  // Only kill it if it really is a prosody for this config (pids get reused).
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    // no /proc: fall back to trusting the pidfile
    cmdline = `prosody --config ${configPath}`;
  }
  if (!cmdline.includes("prosody") || !cmdline.includes(configPath)) return;
  process.stderr.write(`[prosody] stopping a previous instance (pid ${pid}) of ${configPath}\n`);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
    while (isAlive(pid)) await sleep(20);
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === "EPERM";
  }
  // A zombie still "exists"; treat it as dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return true;
  }
}

/** HTTP status of GET http://127.0.0.1:port/path, or 0 when nothing answers. */
function httpStatus(port, urlPath) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

async function logTail(files, lines = 40) {
  const parts = [];
  for (const file of files) {
    try {
      const text = (await readFile(file, "utf8")).trimEnd();
      if (text) parts.push(text.split("\n").slice(-lines).join("\n"));
    } catch {
      // missing
    }
  }
  return parts.join("\n") || "(empty)";
}

/** Runs a command; rejects with its output on a non-zero exit. */
function run(cmd, args, { env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        const output = `${stdout}${stderr}`.trim();
        reject(new Error(`${path.basename(cmd)} exited with ${err.code ?? err.signal}${output ? `: ${output}` : ""}`));
      } else {
        resolve(`${stdout}${stderr}`);
      }
    });
  });
}

async function mapLimit(items, limit, fn) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) await fn(/** @type {any} */ (queue.shift()));
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

function parseArgs(cliArgs) {
  const { server, rest: argv } = takeServerFlag(cliArgs);
  const opts = {
    server,
    // 0.12 gets its own data: 13 may write what 0.12 does not know.
    dataDir: path.join(REPO_ROOT, ".parley", server === "0.12" ? "prosody-dev-0.12" : "prosody-dev"),
    c2sPort: 5222,
    httpPort: 5280,
    domain: "localhost",
    log: "warn",
    fresh: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--data-dir":
        opts.dataDir = path.resolve(value());
        break;
      case "--c2s-port":
        opts.c2sPort = Number(value());
        break;
      case "--http-port":
        opts.httpPort = Number(value());
        break;
      case "--domain":
        opts.domain = value();
        break;
      case "--log":
        opts.log = value();
        break;
      case "--fresh":
        opts.fresh = true;
        break;
      case "-h":
      case "--help":
        process.stdout.write(
          "Usage: node scripts/prosody.mjs [--server prosody-13|prosody-0.12] [--data-dir D] [--c2s-port N] [--http-port N]\n" +
            "                                [--domain D] [--log LEVEL] [--fresh]\n",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown argument: ${arg}`);
    }
  }
  for (const key of /** @type {const} */ (["c2sPort", "httpPort"])) {
    if (!Number.isInteger(opts[key]) || opts[key] <= 0 || opts[key] > 65535)
      throw new Error(`Invalid port: ${opts[key]}`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const prosody = await startProsody({ ...opts, accounts: DEFAULT_ACCOUNTS });
  process.stdout.write(
    [
      `Prosody ${prosody.version} ready in ${Date.now() - t0} ms (pid ${prosody.pid})`,
      `  WebSocket: ${prosody.wsUrl}`,
      `  c2s:       127.0.0.1:${prosody.c2sPort} (plain TCP, no TLS)`,
      `  domain:    ${prosody.domain}`,
      `  data:      ${prosody.dataDir}`,
      `  log:       ${prosody.logPath}`,
      `  accounts:  ${DEFAULT_ACCOUNTS.map(([u, p]) => `${u}@${prosody.domain} / ${p}`).join(", ")}`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Prosody...\n`);
    await prosody.stop();
    process.exit(0);
  };
  void prosody.exited.then(({ code, signal }) => {
    if (stopping) return;
    process.stderr.write(`Prosody exited unexpectedly (code ${code}, signal ${signal}); see ${prosody.logPath}\n`);
    process.exit(1);
  });
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  });
}
