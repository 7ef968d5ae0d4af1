// A real Parley for the browser tests: `wrangler dev` (workerd) on loopback, with its own persist dir, that a test
// can stop and start again (same port, same storage, same PARLEY_SECRET) to play "the app server restarted".
//
// The code under test is frozen once per run by the globalSetup (./app-setup.ts, `prepareBuild`): the web app is
// built into .parley/e2e-build/web and the Worker bundled into .parley/e2e-build/worker. The dev server then runs
// that bundle without bundling or watching src/, so edits made to src/ or web/ while the tests run (by people
// or other tools) cannot reload the Worker in the middle of a scenario.
//
// Every wrangler is spawned in its own process group and stopped by group, so no workerd is left behind.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Built web app, bundled Worker, generated wrangler config and .dev.vars (the test-only PARLEY_SECRET). */
export const E2E_BUILD_DIR = path.join(REPO_ROOT, ".parley", "e2e-build");
/** Default persist dir (D1, Durable Objects, alarms) of the test app; wiped by startApp unless `fresh: false`. */
export const E2E_STATE_DIR = path.join(REPO_ROOT, ".parley", "e2e-state");
/** The data store of the e2e project's Prosody (test/prosody-setup.ts), where scripts/demo.mjs seeds rosters. */
export const E2E_PROSODY_STORE = path.join(REPO_ROOT, ".parley", "prosody-test-e2e", "data");
export const E2E_CONFIG = path.join(E2E_BUILD_DIR, "wrangler.json");

const WRANGLER_BIN = path.join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const VITE_BIN = path.join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js");
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_KEEP_CHARS = 64 * 1024;

/** Non-interactive, no telemetry, no network calls to Cloudflare. */
export const WRANGLER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wrangler 4 needs Node >= 22.12; vitest normally runs on the repo's Node 22 (node_modules/node). */
function nodeBinary(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  const local = path.join(REPO_ROOT, "node_modules", "node", "bin", "node");
  if (existsSync(local)) return local;
  return process.execPath;
}

/** Runs a command to completion; rejects with its output when it fails or takes longer than `timeoutMs`. */
export function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: opts.env ?? WRANGLER_ENV,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_KEEP_CHARS);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const timer = setTimeout(() => {
      killGroup(child, "SIGKILL");
      reject(
        new Error(
          `${path.basename(args[0] ?? cmd)} ${args.slice(1).join(" ")} timed out after ${timeoutMs} ms\n${output}`,
        ),
      );
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(
            `${path.basename(args[0] ?? cmd)} ${args.slice(1).join(" ")} failed (code ${code}, signal ${signal})\n${output}`,
          ),
        );
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Polls `done` every 50 ms; false if it did not become true within `timeoutMs`. */
async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- build (once per run, from the globalSetup) ----------------------------------------------------------------

export interface BuildResult {
  configPath: string;
  webDir: string;
  ms: { web: number; worker: number };
}

/**
 * Builds the web app (unless PARLEY_SKIP_WEB_BUILD=1, then web/dist is served as it is), bundles the Worker, and
 * writes a wrangler config that runs that bundle plus a .dev.vars with a random PARLEY_SECRET.
 */
export async function prepareBuild(): Promise<BuildResult> {
  await rm(E2E_BUILD_DIR, { recursive: true, force: true });
  await mkdir(E2E_BUILD_DIR, { recursive: true });
  const node = nodeBinary();

  let t0 = Date.now();
  let webDir: string;
  if (process.env.PARLEY_SKIP_WEB_BUILD === "1") {
    webDir = path.join(REPO_ROOT, "web", "dist");
    if (!existsSync(path.join(webDir, "index.html"))) {
      throw new Error(`PARLEY_SKIP_WEB_BUILD=1 but ${webDir}/index.html does not exist: build the web app first`);
    }
  } else {
    webDir = path.join(E2E_BUILD_DIR, "web");
    await run(node, [
      VITE_BIN,
      "build",
      "--config",
      "web/vite.config.ts",
      "--outDir",
      webDir,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ]);
  }
  const webMs = Date.now() - t0;

  t0 = Date.now();
  const workerDir = path.join(E2E_BUILD_DIR, "worker");
  await run(node, [
    WRANGLER_BIN,
    "deploy",
    "--dry-run",
    "--config",
    "wrangler.toml",
    "--outdir",
    workerDir,
    "--assets",
    webDir,
  ]);
  const main = path.join(workerDir, "index.js");
  if (!existsSync(main)) throw new Error(`wrangler deploy --dry-run wrote no ${main}`);
  const workerMs = Date.now() - t0;

  // The repo's wrangler.toml, as wrangler reads it, re-pointed at the bundle and the built assets.
  const rawJson = await run(node, [
    "--input-type=module",
    "-e",
    'import { experimental_readRawConfig as read } from "wrangler"; process.stdout.write(JSON.stringify(read({ config: "wrangler.toml" }).rawConfig));',
  ]);
  const raw = JSON.parse(rawJson) as Record<string, unknown> & {
    assets?: Record<string, unknown>;
    d1_databases?: Array<Record<string, unknown> & { migrations_dir?: string }>;
  };
  const config = {
    ...raw,
    main,
    no_bundle: true,
    assets: { ...raw.assets, directory: webDir },
    d1_databases: (raw.d1_databases ?? []).map((db) => ({
      ...db,
      migrations_dir: path.resolve(REPO_ROOT, db.migrations_dir ?? "migrations"),
    })),
  };
  await writeFile(E2E_CONFIG, `${JSON.stringify(config, null, 2)}\n`);
  // wrangler dev reads .dev.vars next to the config (and then ignores the repo's own .dev.vars).
  await writeFile(path.join(E2E_BUILD_DIR, ".dev.vars"), `PARLEY_SECRET=${randomBytes(24).toString("base64url")}\n`);
  return { configPath: E2E_CONFIG, webDir, ms: { web: webMs, worker: workerMs } };
}

// ---- the dev server ----------------------------------------------------------------------------------------------

export interface AppServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  /** Whether the server is currently up (between start and stop). */
  readonly running: boolean;
  /** The last 64 KiB of wrangler's output (all starts), for failure messages. */
  output(): string;
  /** Stops wrangler and its workerd processes (the whole process group). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same persist dir and secret (stopping it first if it runs). */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface StartAppOptions {
  /** The XMPP WebSocket URL the app connects to (the test Prosody: `inject("prosodyWs")`). */
  prosodyWs: string;
  port?: number;
  stateDir?: string;
  /** Wipe the persist dir and apply the D1 migrations first (default true). */
  fresh?: boolean;
  /** Echo wrangler's output to stderr (also with PARLEY_E2E_VERBOSE=1). */
  verbose?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Starts the app. A free port found by the system can be taken by another process before wrangler binds it (the
 * suite starts Prosody, Chromium and workerd around it): without an asked-for port, one with "Address already in
 * use" is given up for another, up to three times.
 */
export async function startApp(opts: StartAppOptions): Promise<AppServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(opts);
    } catch (err) {
      const taken = err instanceof Error && err.message.includes("Address already in use");
      if (!taken || opts.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function startAppOnce(opts: StartAppOptions): Promise<AppServer> {
  if (!existsSync(E2E_CONFIG)) {
    throw new Error(
      `${E2E_CONFIG} is missing: run the e2e tests through vitest (project "e2e"), whose globalSetup builds it`,
    );
  }
  const node = nodeBinary();
  const stateDir = opts.stateDir ?? E2E_STATE_DIR;
  const verbose = opts.verbose ?? process.env.PARLEY_E2E_VERBOSE === "1";
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;

  if (opts.fresh ?? true) {
    await rm(stateDir, { recursive: true, force: true });
    await mkdir(stateDir, { recursive: true });
    await run(node, [
      WRANGLER_BIN,
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "--config",
      E2E_CONFIG,
      "--persist-to",
      stateDir,
    ]);
  }

  let output = "";
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const append = (chunk: Buffer): void => {
    const text = chunk.toString();
    output = (output + text).slice(-OUTPUT_KEEP_CHARS);
    if (verbose) {
      process.stderr.write(
        text
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map((line) => `[wrangler:${port}] ${line}\n`)
          .join(""),
      );
    }
  };

  const killOnExit = (): void => {
    if (child) killGroup(child, "SIGKILL");
  };

  const stop = async (): Promise<void> => {
    const current = child;
    if (!current) return;
    child = null;
    process.off("exit", killOnExit);
    const pgid = current.pid;
    killGroup(current, "SIGTERM");
    const timer = setTimeout(() => killGroup(current, "SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    // wrangler is gone; make sure its workerd processes (same group) are too, and the port is free again.
    if (pgid !== undefined && !(await waitFor(() => !groupAlive(pgid), STOP_GRACE_MS))) killGroup(current, "SIGKILL");
    if (!(await waitFor(async () => !(await portAnswers(port)), STOP_GRACE_MS))) {
      throw new Error(`127.0.0.1:${port} still answers after stopping wrangler dev`);
    }
  };

  const start = async (): Promise<void> => {
    if (child) await stop();
    if (await portAnswers(port)) throw new Error(`cannot start the app: 127.0.0.1:${port} is already in use`);
    append(Buffer.from(`--- starting wrangler dev on ${url} (state ${stateDir}) ---\n`));
    const proc = spawn(
      node,
      [
        WRANGLER_BIN,
        "dev",
        "--config",
        E2E_CONFIG,
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--persist-to",
        stateDir,
        "--var",
        `XMPP_WEBSOCKET_URL:${opts.prosodyWs}`,
        "--show-interactive-dev-session=false",
        "--live-reload=false",
        "--log-level",
        "info",
      ],
      { cwd: REPO_ROOT, env: WRANGLER_ENV, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    child = proc;
    process.on("exit", killOnExit);
    let gone = false;
    let spawnError: Error | null = null;
    exited = new Promise((resolve) => {
      proc.on("exit", (code, signal) => {
        gone = true;
        append(Buffer.from(`--- wrangler exited (code ${code}, signal ${signal}) ---\n`));
        resolve();
      });
    });
    proc.on("error", (err) => {
      spawnError = err;
    });
    proc.stdout?.on("data", append);
    proc.stderr?.on("data", append);

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawnError !== null || gone) {
        await stop();
        throw new Error(`wrangler dev did not start${spawnError ? `: ${String(spawnError)}` : ""}\n${output}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`wrangler dev did not answer on ${url}/ within ${READY_TIMEOUT_MS / 1000} s\n${output}`);
      }
      try {
        const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  };

  await start();

  return {
    url,
    port,
    stateDir,
    get running() {
      return child !== null;
    },
    output: () => output,
    stop,
    start,
    restart: start,
  };
}

/**
 * Every file under `dir` (the app's persist dir: D1, the objects' storage) with its bytes, to look for what must
 * never be stored. The SQLite files are complete once the app is stopped.
 */
export function storedFiles(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? storedFiles(file) : [{ file, bytes: readFileSync(file) }];
  });
}
