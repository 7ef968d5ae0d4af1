import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay } from "../src/core/backoff.ts";
import { Connection } from "../src/core/connection.ts";
import type { AuthCheck, SocketHandlers } from "../src/core/connection.ts";
import type { LinkStatus } from "../src/core/format.ts";
import type { ServerFrame } from "../../src/protocol/index.ts";

describe("backoffDelay", () => {
  it("starts at 0.5 s, doubles, caps at 10 s", () => {
    const mid = (): number => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(a, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 10000, 10000, 10000,
    ]);
  });

  it("jitters within ±20 % and never above the cap", () => {
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 0.999999)).toBe(600);
    expect(backoffDelay(10, () => 0.999999)).toBe(10000);
  });
});

class FakeSockets {
  readonly opened: { handlers: SocketHandlers; sent: string[]; closed: boolean }[] = [];
  open = (_url: string, handlers: SocketHandlers) => {
    const entry = { handlers, sent: [] as string[], closed: false };
    this.opened.push(entry);
    return {
      send: (data: string) => {
        entry.sent.push(data);
        return true;
      },
      close: () => {
        entry.closed = true;
      },
    };
  };
  get last() {
    const s = this.opened.at(-1);
    if (!s) throw new Error("no socket");
    return s;
  }
}

const SNAPSHOT = JSON.stringify({
  type: "snapshot",
  self: { jid: "a@x", show: "online", status: "" },
  connection: "online",
  roster: [],
  conversations: [],
  subscriptionRequests: [],
});

describe("Connection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(auth: AuthCheck = "ok") {
    const sockets = new FakeSockets();
    const frames: ServerFrame[] = [];
    const statuses: LinkStatus[] = [];
    const unauthorized = vi.fn();
    const checkAuth = vi.fn(async () => auth);
    const conn = new Connection({
      url: "ws://h/api/socket",
      openSocket: sockets.open,
      onFrame: (f) => frames.push(f),
      onStatus: (s) => statuses.push(s),
      checkAuth,
      onUnauthorized: unauthorized,
      random: () => 0.5,
    });
    return { sockets, frames, statuses, unauthorized, checkAuth, conn };
  }

  it("parses frames and ignores junk", () => {
    const { sockets, frames, conn } = setup();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    conn.start();
    sockets.last.handlers.open();
    sockets.last.handlers.message(SNAPSHOT);
    sockets.last.handlers.message("{not json");
    sockets.last.handlers.message(JSON.stringify({ type: "nope" }));
    expect(frames.map((f) => f.type)).toEqual(["snapshot"]);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });

  it("sends JSON only while open", () => {
    const { sockets, conn } = setup();
    conn.start();
    expect(conn.send({ type: "ping" })).toBe(false);
    sockets.last.handlers.open();
    expect(conn.send({ type: "conversation.read", peer: "bob@x" })).toBe(true);
    expect(sockets.last.sent).toEqual(['{"type":"conversation.read","peer":"bob@x"}']);
  });

  it("reconnects with doubling back-off, reset by a snapshot", () => {
    const { sockets, statuses, conn } = setup();
    conn.start();
    sockets.last.handlers.open();
    sockets.last.handlers.close(1006);
    expect(statuses.at(-1)).toBe("waiting");
    vi.advanceTimersByTime(499);
    expect(sockets.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.opened).toHaveLength(2);
    sockets.last.handlers.open();
    sockets.last.handlers.close(1006);
    vi.advanceTimersByTime(999);
    expect(sockets.opened).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets.opened).toHaveLength(3);
    sockets.last.handlers.open();
    sockets.last.handlers.message(SNAPSHOT);
    sockets.last.handlers.close(1006);
    vi.advanceTimersByTime(500);
    expect(sockets.opened).toHaveLength(4);
  });

  it("goes to sign-in when opening keeps failing and /api/auth/me says 401", async () => {
    const { sockets, unauthorized, checkAuth, conn, statuses } = setup("unauthorized");
    conn.start();
    sockets.last.handlers.close(1006);
    expect(checkAuth).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    sockets.last.handlers.close(1006);
    expect(checkAuth).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(unauthorized).toHaveBeenCalledTimes(1);
    expect(statuses.at(-1)).toBe("stopped");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets.opened).toHaveLength(2);
  });

  it("keeps retrying when the session is still valid", async () => {
    const { sockets, unauthorized, conn } = setup("ok");
    conn.start();
    for (let i = 0; i < 4; i++) {
      sockets.last.handlers.close(1006);
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(unauthorized).not.toHaveBeenCalled();
    expect(sockets.opened).toHaveLength(5);
  });

  it("ignores events from a socket it already dropped, and stop() ends everything", () => {
    const { sockets, conn, statuses } = setup();
    conn.start();
    const first = sockets.last;
    first.handlers.open();
    conn.stop();
    expect(first.closed).toBe(true);
    first.handlers.close(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets.opened).toHaveLength(1);
    expect(statuses.at(-1)).toBe("stopped");
  });

  it("pings, and drops a silent socket", () => {
    const { sockets, conn } = setup();
    conn.start();
    sockets.last.handlers.open();
    vi.advanceTimersByTime(25_000);
    expect(sockets.last.sent).toContain('{"type":"ping"}');
    vi.advanceTimersByTime(50_000);
    expect(sockets.opened[0]?.closed).toBe(true);
    vi.advanceTimersByTime(500);
    expect(sockets.opened).toHaveLength(2);
  });
});
