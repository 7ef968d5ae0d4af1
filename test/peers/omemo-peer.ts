// Drives test/peers/omemo_peer.py (python-omemo + slixmpp: an independent OMEMO 0.3 implementation) from Node
// over its JSON-lines protocol: commands on stdin, replies and events on stdout.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "omemo_peer.py");

/** Events from a group chat carry the room and the sender's nick; `from` is then the sender's real address. */
interface InRoom {
  room?: string;
  nick?: string;
}

export type PeerEvent =
  | { event: "ready"; device_id: number; jid: string }
  | ({
      event: "message";
      from: string;
      sid: number;
      body: string | null;
      prekey: boolean;
      id: string;
      stanza: string;
    } & InRoom)
  | ({ event: "undecryptable"; from: string; sid: number; reason: string; id: string } & InRoom)
  | ({ event: "plain"; from: string; body: string; id: string; stanza: string } & InRoom)
  | ({ event: "stanza"; from: string; id: string | null; stanza: string } & InRoom)
  | {
      event: "room_presence";
      room: string;
      nick: string;
      jid: string | null;
      type: string;
      affiliation: string | null;
      codes: string[];
    }
  | { event: "room_error"; room: string; error: string }
  | { event: "room_reflection"; room: string; nick: string; id: string; stanza: string }
  | { event: "devicelist"; jid: string; devices: number[] }
  | { event: "subscription_request"; from: string }
  | { event: "error"; error: string };

type Reply = { id: number; ok: boolean; error?: string; [k: string]: unknown };

export interface OmemoPeerOptions {
  jid: string;
  port: number;
  stateDir?: string;
  password?: string;
  defaultAccessModel?: boolean;
  manualSubscriptions?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class OmemoPeer {
  readonly events: PeerEvent[] = [];
  deviceId = 0;
  #proc: ChildProcessWithoutNullStreams;
  #next = 1;
  #replies = new Map<number, (r: Reply) => void>();
  #waiters: { pred: (e: PeerEvent) => boolean; resolve: (e: PeerEvent) => void }[] = [];
  #stderr = "";

  private constructor(proc: ChildProcessWithoutNullStreams) {
    this.#proc = proc;
    proc.stderr.on("data", (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-8000);
    });
    createInterface({ input: proc.stdout }).on("line", (line) => {
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof msg !== "object" || msg === null) return;
      if ("event" in msg) {
        const event = msg as PeerEvent;
        this.events.push(event);
        this.#waiters = this.#waiters.filter((w) => (w.pred(event) ? (w.resolve(event), false) : true));
      } else if ("id" in msg) {
        const reply = msg as Reply;
        this.#replies.get(reply.id)?.(reply);
        this.#replies.delete(reply.id);
      }
    });
  }

  /**
   * Starts a peer and waits until it has published its device list and bundle. `defaultAccessModel`: publish
   * without forcing access_model=open (the server's default, "presence" on Prosody), as Profanity does;
   * `manualSubscriptions`: subscription requests wait for an "approve" command, as Profanity asks its user.
   */
  static async start(opts: OmemoPeerOptions): Promise<OmemoPeer> {
    const args = [SCRIPT, "--jid", opts.jid, "--password", opts.password ?? "parley", "--host", "127.0.0.1"];
    args.push("--port", String(opts.port));
    if (opts.stateDir) args.push("--state-dir", opts.stateDir);
    if (opts.defaultAccessModel) args.push("--default-access-model");
    if (opts.manualSubscriptions) args.push("--manual-subscriptions");
    const peer = new OmemoPeer(spawn("/usr/bin/python3", args, { stdio: ["pipe", "pipe", "pipe"] }));
    const ready = await peer.waitFor((e) => e.event === "ready" || e.event === "error", 30_000);
    if (ready.event !== "ready") throw new Error(`OMEMO peer ${opts.jid} failed: ${JSON.stringify(ready)}`);
    peer.deviceId = ready.device_id;
    return peer;
  }

  command(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${cmd} timed out; stderr: ${this.#stderr.slice(-2000)}`)),
        timeoutMs,
      );
      this.#replies.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r);
        else reject(new Error(`${cmd} failed: ${r.error ?? "?"}`));
      });
      this.#proc.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  waitFor(pred: (e: PeerEvent) => boolean, timeoutMs = 20_000): Promise<PeerEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching event; got ${JSON.stringify(this.events.slice(-5))}; stderr: ${this.#stderr.slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /**
   * Waits until `jid`'s published device list holds at least `n` devices and returns them: this peer encrypts only
   * for the devices listed there (XEP-0384 v0.3 §4.5), so a browser's device must be published before it can read.
   */
  async waitForDevices(jid: string, n = 1, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<number[]> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    for (;;) {
      const devices = await this.#publishedDevices(jid);
      if (devices.length >= n) return devices;
      if (Date.now() > deadline) {
        throw new Error(`${jid}'s devices not published: ${n} wanted, [${devices.join(", ")}] seen`);
      }
      await sleep(opts.intervalMs ?? 50);
    }
  }

  /**
   * `jid`'s device list as the server has it now (a fresh PEP fetch). Counts as none: the fetch failing because
   * nothing is published yet (item-not-found) or the node is not readable yet (forbidden), or the command timing out.
   */
  async #publishedDevices(jid: string): Promise<number[]> {
    const reply = await this.command("devices", { jid }).catch(() => ({ devices: [] }));
    return Array.isArray(reply.devices) ? reply.devices.filter((d): d is number => typeof d === "number") : [];
  }

  async close(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#proc.once("exit", () => resolve()));
    await this.command("quit", {}, 5_000).catch(() => this.#proc.kill("SIGKILL"));
    await exited;
  }
}
