// The flood peer (issue #8 §4): an XMPP component (XEP-0114) that puts N participants in a room, each from an
// address of its own domain (f1@flood.localhost/r, …), so a test or a benchmark can make a channel of 10,000 on
// the local Prosody. A component is the cheapest way there: one TCP connection, no SASL or resource binding per
// participant, and no per-account resource limit (c2s sessions would need one login each).
//
// Prosody sends every participant the presence of every later one (XEP-0045 §7.2.3), so a flood of N costs the
// server N²/2 presences; this peer reads and discards them, counting only the self-presences (status 110) that
// say a join or a leave went through.
import { createHash } from "node:crypto";
import net from "node:net";

export interface FloodOptions {
  port: number;
  /** The server's domain: the component is flood.<domain>. */
  domain?: string;
  secret: string;
}

/** XML-escapes an attribute value (nicks and addresses come from the test itself, but stay well-formed). */
function attr(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class FloodPeer {
  readonly domain: string;
  #socket: net.Socket;
  #joined = 0;
  #left = 0;
  #waiters: (() => void)[] = [];
  #buffer = "";

  private constructor(socket: net.Socket, domain: string) {
    this.#socket = socket;
    this.domain = domain;
  }

  /** Connects and authenticates as the component flood.<domain> (XEP-0114 §3). */
  static async connect(options: FloodOptions): Promise<FloodPeer> {
    const domain = `flood.${options.domain ?? "localhost"}`;
    const socket = net.connect({ host: "127.0.0.1", port: options.port });
    socket.setEncoding("utf8");
    const peer = new FloodPeer(socket, domain);
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      const fail = (err: Error): void => reject(err);
      socket.once("error", fail);
      const onData = (chunk: string): void => {
        buffer += chunk;
        const id = /<stream:stream[^>]*\sid=['"]([^'"]+)['"]/.exec(buffer);
        if (id?.[1] && !buffer.includes("<handshake")) {
          const digest = createHash("sha1").update(`${id[1]}${options.secret}`).digest("hex");
          socket.write(`<handshake>${digest}</handshake>`);
          buffer = buffer.slice(buffer.indexOf(id[1]));
        }
        if (/<handshake\s*\/>|<handshake><\/handshake>/.test(buffer)) {
          socket.off("data", onData);
          socket.off("error", fail);
          socket.on("data", (more: string) => peer.#read(more));
          socket.on("error", () => undefined);
          resolve();
        } else if (buffer.includes("<stream:error")) {
          reject(new Error(`component refused: ${buffer}`));
        }
      };
      socket.on("data", onData);
      socket.write(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' ` +
          `xmlns:stream='http://etherx.jabber.org/streams' to='${attr(domain)}'>`,
      );
    });
    return peer;
  }

  /** Joins so far that the room confirmed (self-presences, XEP-0045 §7.2.2 status 110). */
  get joined(): number {
    return this.#joined;
  }

  #read(chunk: string): void {
    // Whole presences are counted: everything before the last "<presence" start, and the last one once it ends.
    this.#buffer += chunk;
    const last = this.#buffer.lastIndexOf("<presence");
    if (last > 0) {
      this.#count(this.#buffer.slice(0, last));
      this.#buffer = this.#buffer.slice(last);
    }
    const end = this.#buffer.indexOf("</presence>");
    if (this.#buffer.startsWith("<presence") && end >= 0) {
      this.#count(this.#buffer.slice(0, end));
      this.#buffer = "";
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  #count(text: string): void {
    for (const part of text.split("<presence").slice(1)) {
      if (!/code=['"]110['"]/.test(part)) continue;
      const startTag = part.slice(0, part.indexOf(">"));
      // XEP-0045 §10.1.2: the join made the room (status 201); it stays locked until configured: an instant room.
      const created = /code=['"]201['"]/.test(part) ? /\sto=['"]([^'"]+)['"]/.exec(startTag) : null;
      const room = /\sfrom=['"]([^'"/]+)\//.exec(startTag);
      if (created?.[1] && room?.[1]) {
        this.#socket.write(
          `<iq type='set' id='instant-${this.#joined}' from='${created[1]}' to='${room[1]}'>` +
            `<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`,
        );
      }
      if (/type=['"]unavailable['"]/.test(startTag)) this.#left++;
      else this.#joined++;
    }
  }

  #wait(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`flood: ${what} timed out`)), timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  /** The address of participant `i` of this peer. */
  jidOf(i: number): string {
    return `f${i}@${this.domain}/r`;
  }

  /**
   * `count` participants join `room` (nicks `${prefix}${i}` for i in [from, from + count)), without history
   * (XEP-0045 §7.2.6); resolves when the room confirmed them all.
   */
  async join(room: string, count: number, { prefix = "p", from = 0, timeoutMs = 600_000 } = {}): Promise<void> {
    const target = this.#joined + count;
    const batch: string[] = [];
    for (let i = from; i < from + count; i++) {
      // The first one alone: it may create the room, which others can join only once it is configured.
      if (i === from + 1) await this.#wait(() => this.#joined > target - count, timeoutMs, "the first join");
      batch.push(
        `<presence from='${attr(this.jidOf(i))}' to='${attr(`${room}/${prefix}${i}`)}'>` +
          `<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`,
      );
      if (batch.length === 500 || i === from) await this.#write(batch.splice(0));
    }
    if (batch.length > 0) await this.#write(batch);
    await this.#wait(() => this.#joined >= target, timeoutMs, `joining ${count}`);
  }

  /** Participants [from, from + count) leave `room` (XEP-0045 §7.14); resolves when the room confirmed. */
  async leave(room: string, count: number, { prefix = "p", from = 0, timeoutMs = 600_000 } = {}): Promise<void> {
    const target = this.#left + count;
    const batch: string[] = [];
    for (let i = from; i < from + count; i++) {
      batch.push(`<presence from='${attr(this.jidOf(i))}' to='${attr(`${room}/${prefix}${i}`)}' type='unavailable'/>`);
    }
    await this.#write(batch);
    await this.#wait(() => this.#left >= target, timeoutMs, `leaving ${count}`);
  }

  #write(stanzas: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.#socket.write(stanzas.join(""), (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): void {
    this.#socket.end("</stream:stream>");
    this.#socket.destroy();
  }
}
