// The tab's one WebSocket to its Durable Object: parses every frame, pings, and reconnects with back-off.
// The socket itself is injected (openSocket) so this runs under unit tests without a browser.
import { parseServerFrame } from "../../../src/protocol/index.ts";
import type { ClientFrame, ServerFrame } from "../../../src/protocol/index.ts";
import { backoffDelay } from "./backoff.ts";
import type { LinkStatus } from "./format.ts";

export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  close(code: number): void;
}

export interface SocketHandle {
  /** False when the socket is not open (the frame was not sent). */
  send(data: string): boolean;
  /** Closes without calling the handlers again. */
  close(): void;
}

export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketHandle;

export type AuthCheck = "ok" | "unauthorized" | "unknown";

export interface ConnectionOptions {
  url: string;
  onFrame(frame: ServerFrame): void;
  onStatus(status: LinkStatus): void;
  /** Called after repeated failures to open: is the session still signed in? */
  checkAuth(): Promise<AuthCheck>;
  onUnauthorized(): void;
  openSocket?: OpenSocket;
  random?: () => number;
  now?: () => number;
  pingIntervalMs?: number;
  /** No frame at all for this long (pongs included): the socket is considered dead. */
  idleTimeoutMs?: number;
}

/** Consecutive failures to open before asking /api/auth/me whether the session is gone. */
export const AUTH_CHECK_AFTER = 2;
/** Close codes a server may use for "not signed in" on an upgraded socket. */
const AUTH_CLOSE_CODES = new Set([1008, 4401, 4403]);

export const browserSocket: OpenSocket = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.open();
  ws.onmessage = (ev: MessageEvent<unknown>) => handlers.message(ev.data);
  ws.onclose = (ev: CloseEvent) => handlers.close(ev.code);
  return {
    send(data) {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(data);
      return true;
    },
    close() {
      ws.onopen = null;
      ws.onmessage = null;
      ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000, "bye");
    },
  };
};

export class Connection {
  readonly #opts: ConnectionOptions;
  readonly #openSocket: OpenSocket;
  #socket: SocketHandle | null = null;
  #opened = false;
  #stopped = true;
  #attempt = 0;
  #failuresBeforeOpen = 0;
  #checkingAuth = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #lastFrameAt = 0;
  #status: LinkStatus = "stopped";

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    this.#openSocket = opts.openSocket ?? browserSocket;
  }

  get status(): LinkStatus {
    return this.#status;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimers();
    this.#socket?.close();
    this.#socket = null;
    this.#setStatus("stopped");
  }

  /** Skips the back-off wait (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.#stopped || this.#status !== "waiting") return;
    this.#clearTimers();
    this.#connect();
  }

  send(frame: ClientFrame): boolean {
    return this.#status === "open" && this.#socket !== null && this.#socket.send(JSON.stringify(frame));
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  #setStatus(status: LinkStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#opts.onStatus(status);
  }

  #clearTimers(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    this.#retryTimer = null;
    this.#pingTimer = null;
  }

  #connect(): void {
    this.#opened = false;
    this.#setStatus("connecting");
    let socket: SocketHandle | null = null;
    const current = (): boolean => socket !== null && socket === this.#socket;
    socket = this.#openSocket(this.#opts.url, {
      open: () => current() && this.#onOpen(),
      message: (data) => current() && this.#onMessage(data),
      close: (code) => current() && this.#onClose(code),
    });
    this.#socket = socket;
  }

  #onOpen(): void {
    this.#opened = true;
    this.#failuresBeforeOpen = 0;
    this.#lastFrameAt = this.#now();
    this.#setStatus("open");
    const interval = this.#opts.pingIntervalMs ?? 25_000;
    const idle = this.#opts.idleTimeoutMs ?? 70_000;
    this.#pingTimer = setInterval(() => {
      if (this.#now() - this.#lastFrameAt > idle) {
        this.#drop(4000);
        return;
      }
      this.send({ type: "ping" });
    }, interval);
  }

  #onMessage(data: unknown): void {
    this.#lastFrameAt = this.#now();
    const frame = parseServerFrame(data);
    if (frame === null) {
      console.warn(
        "parley: ignoring a frame that does not parse",
        typeof data === "string" ? data.slice(0, 200) : data,
      );
      return;
    }
    // A snapshot means the object accepted us: start the back-off from scratch next time.
    if (frame.type === "snapshot") this.#attempt = 0;
    this.#opts.onFrame(frame);
  }

  /** Abandons the current socket as if the server had closed it. */
  #drop(code: number): void {
    this.#socket?.close();
    this.#onClose(code);
  }

  #onClose(code: number): void {
    this.#socket = null;
    this.#clearTimers();
    if (this.#stopped) return;
    if (!this.#opened) this.#failuresBeforeOpen++;
    if (AUTH_CLOSE_CODES.has(code)) this.#failuresBeforeOpen = Math.max(this.#failuresBeforeOpen, AUTH_CHECK_AFTER);
    if (this.#failuresBeforeOpen >= AUTH_CHECK_AFTER) void this.#checkAuth();
    this.#setStatus("waiting");
    const delay = backoffDelay(this.#attempt++, this.#opts.random);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  async #checkAuth(): Promise<void> {
    if (this.#checkingAuth) return;
    this.#checkingAuth = true;
    try {
      const result = await this.#opts.checkAuth().catch((): AuthCheck => "unknown");
      if (result === "unauthorized" && !this.#stopped) {
        this.stop();
        this.#opts.onUnauthorized();
      }
    } finally {
      this.#checkingAuth = false;
    }
  }
}
