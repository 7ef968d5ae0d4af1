// Helpers for tests inside workerd: sign in through the Worker, open real tab sockets, and drive a second
// XMPP account ("bob") with the same link code the object uses.
import { SELF, env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { xml, type Element } from "@xmpp/xml";
import {
  parseRoomFrame,
  parseServerFrame,
  type ClientFrame,
  type RoomFrame,
  type RoomView,
  type ServerFrame,
} from "../../src/protocol/index.ts";
import { XmppLink } from "../../src/durable/xmpp-link.ts";
import type { TestUserSession } from "./test-worker.ts";

export const BASE = "http://127.0.0.1:8787";

/**
 * Each test file signs in from an address of its own, so the files do not share the per-address sign-in limits
 * (src/worker/limits.ts); a test of those limits passes its own.
 */
export const TEST_IP = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;

export async function login(
  user: string,
  password = "parley",
  ip = TEST_IP,
): Promise<{ status: number; cookie: string; body: unknown }> {
  const res = await SELF.fetch(`${BASE}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "CF-Connecting-IP": ip },
    body: JSON.stringify({ address: user.includes("@") ? user : `${user}@localhost`, password }),
  });
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  return { status: res.status, cookie, body: await res.json() };
}

export class Tab {
  readonly frames: ServerFrame[] = [];
  readonly raw: string[] = [];
  /** `room` frames (issue #8; outside ServerFrame until the web app reads them). */
  readonly rooms: RoomFrame[] = [];
  #waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  #roomWaiters: { pred: (r: RoomView) => boolean; resolve: (r: RoomView) => void }[] = [];
  closed = false;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (ev) => {
      const data = typeof ev.data === "string" ? ev.data : "";
      this.raw.push(data);
      const room = parseRoomFrame(data);
      if (room) {
        this.rooms.push(room);
        this.#roomWaiters = this.#roomWaiters.filter((w) => {
          if (!w.pred(room.room)) return true;
          w.resolve(room.room);
          return false;
        });
        return;
      }
      const frame = parseServerFrame(data);
      if (!frame) return;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.addEventListener("close", () => {
      this.closed = true;
    });
  }

  send(frame: ClientFrame | string): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) matching `pred`; rejects after `timeoutMs`. */
  waitFor<T extends ServerFrame>(pred: (f: ServerFrame) => f is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (f: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  waitFor(pred: (f: ServerFrame) => boolean, timeoutMs = 15_000): Promise<ServerFrame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a frame; got ${this.raw.slice(-5).join(" | ")}`)),
        timeoutMs,
      );
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** The first room state (from a `room` frame, already received or future) matching `pred`. */
  waitForRoom(pred: (r: RoomView) => boolean, timeoutMs = 20_000): Promise<RoomView> {
    const seen = this.rooms.find((f) => pred(f.room));
    if (seen) return Promise.resolve(seen.room);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a room frame; got ${this.raw.slice(-5).join(" | ")}`)),
        timeoutMs,
      );
      this.#roomWaiters.push({
        pred,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  close(): void {
    this.ws.close(1000, "test done");
  }
}

export async function openTab(cookie: string, query = ""): Promise<Tab> {
  const res = await SELF.fetch(`${BASE}/api/socket${query}`, { headers: { Upgrade: "websocket", Cookie: cookie } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  ws.accept();
  return new Tab(ws);
}

/** Signs `user` in and opens a tab that has its snapshot, with the account online. */
export async function signedInTab(user: string): Promise<{ cookie: string; tab: Tab }> {
  const res = await login(user);
  if (res.status !== 200) throw new Error(`sign-in of ${user} answered ${res.status}`);
  const tab = await openTab(res.cookie);
  await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
  return { cookie: res.cookie, tab };
}

/** A second account driven directly over XMPP (the same link code as the object). */
export interface Peer {
  link: XmppLink;
  /** Bodies of chat messages received so far. */
  bodies: string[];
  send(to: string, body: string, id?: string): Promise<void>;
  close(): Promise<void>;
}

export async function peer(user: string): Promise<Peer> {
  const bodies: string[] = [];
  const link = new XmppLink(
    {
      service: env.XMPP_WEBSOCKET_URL,
      domain: "localhost",
      username: user,
      password: "parley",
      resource: `peer-${crypto.randomUUID().slice(0, 6)}`,
    },
    {
      stanza: (el) => {
        const body = el.name === "message" ? el.getChildText("body") : null;
        if (body !== null) bodies.push(body);
      },
      rosterPush: () => undefined,
      acked: () => undefined,
      lost: () => undefined,
    },
  );
  await link.connect();
  await link.send(xml("presence"));
  return {
    link,
    bodies,
    async send(to, body, id = crypto.randomUUID()) {
      await link.send(xml("message", { to, type: "chat", id }, xml("body", {}, body)));
    },
    close: () => link.close(),
  };
}

export function isMessage(body: string) {
  return (f: ServerFrame): f is Extract<ServerFrame, { type: "message" }> =>
    f.type === "message" && f.message.body === body;
}

/**
 * Another client of `user` (its phone), online at priority 100: RFC 6121 §8.5.2.1.1, messages to the bare JID go
 * to it, not to the stream the object left behind (kept by the server for resumption, with a bounded queue).
 */
export async function phoneOf(user: string): Promise<Peer> {
  const phone = await peer(user);
  await phone.link.send(xml("presence", {}, xml("priority", {}, "100")));
  // A round trip on the phone's stream: the server has taken its presence before the first message is routed.
  await phone.link.iq("get", xml("ping", { xmlns: "urn:xmpp:ping" }), "localhost");
  return phone;
}

/** Every stanza a peer receives from now on. */
export function record(p: Peer): Element[] {
  const stanzas: Element[] = [];
  p.link.entity.on("stanza", (el: Element) => stanzas.push(el));
  return stanzas;
}

/** Polls `probe` until it gives a value. */
export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The object goes away as after a crash with its stream expired: the next tab wakes it to a fresh login. */
export async function goAway(jid: string): Promise<void> {
  const stub = env.USER_SESSION.getByName(jid);
  await runInDurableObject(stub, async (instance: TestUserSession, state) => {
    await instance.dropConnectionForTests();
    await state.storage.delete("sm");
  });
  await evictDurableObject(stub, { webSockets: "close" });
}

/** Reads the whole conversation back, page by page from the newest, as a tab scrolling up does. */
export async function readAll(tab: Tab, peerJid: string, maxPages = 40): Promise<string[]> {
  const seen: string[] = [];
  let before: { ts: number; key: string } | null = null;
  for (let i = 0; i < maxPages; i++) {
    const requestId = `p${i}-${crypto.randomUUID().slice(0, 6)}`;
    tab.send({ type: "history.load", requestId, peer: peerJid, before });
    const page = await tab.waitFor(
      (f): f is Extract<ServerFrame, { type: "history" }> => f.type === "history" && f.requestId === requestId,
      30_000,
    );
    seen.unshift(...page.messages.map((m) => m.body));
    const first = page.messages[0];
    if (!page.hasMore) return seen;
    if (first) before = { ts: first.ts, key: first.key };
  }
  throw new Error("the conversation did not end");
}
