// One object per user (named by bare JID): holds the XMPP session, keeps the state every tab shares, and fans
// every event out to all attached tabs. This file is the lifecycle: restore, connect/reconnect, alarm, tabs.
// The XMPP work lives in ./account.ts, the wire in src/protocol, storage in src/db.
import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema.ts";
import type { Db } from "../db/client.ts";
import { deleteHistoryOf, listConversations, loadPresences } from "../db/store.ts";
import { deleteSessionsOf, ensureGeneration, revokeCredentials } from "../db/auth.ts";
import { parseClientFrame, type ConnectionState } from "../protocol/index.ts";
import { seal, unseal, type SealedSecret } from "./credentials.ts";
import { Tabs } from "./fanout.ts";
import { SampledLog, TAB_RATE, TokenBucket, USER_RATE } from "./rate.ts";
import { Account, type AccountInfo } from "./account.ts";
import { channelSearchJid } from "./features/room-directory.ts";
import type { ArchiveLimits } from "./archive.ts";
import { LIMITS } from "./chat-state.ts";
import { XmppLink, type SmState } from "./xmpp-link.ts";
import { IdentityError, XMPPError } from "../xmpp/errors.ts";
import { SaslError } from "../xmpp/sasl.ts";
import { splitJid } from "../xmpp/jid.ts";

/** How often the alarm pings the server; also keeps a local workerd from evicting the object (~2 min idle). */
export const PING_INTERVAL_MS = 30_000;
const MAX_BACKOFF_MS = 60_000;
/** Tab sockets one user may hold at once. */
export const MAX_TABS = 32;

export interface LoginRequest {
  jid: string;
  password: string;
  service: string;
  domain: string;
}

export type LoginResult =
  | { ok: true; jid: string; generation: number }
  | { ok: false; condition: string; message: string };

/** WebSocket close code for "this browser is signed out" (4000-4999: the application's own). */
export const CLOSE_SIGNED_OUT = 4001;

interface Stored {
  account: AccountInfo;
  creds: SealedSecret;
  sm: SmState;
  lastArchiveId: string;
  self: { show: "online" | "chat" | "away" | "xa" | "dnd"; status: string };
  roster: unknown;
  subscriptionRequests: string[];
  lastTabAt: number;
  ended: boolean;
}

/** What the runtime does not pass: the workers tests' subclass lowers the archive limits for a few accounts. */
export interface SessionOptions {
  archiveLimits?: (jid: string) => ArchiveLimits | undefined;
}

export class UserSession extends DurableObject<Env> {
  readonly #tabs: Tabs;
  readonly #db: Db;
  // Protected, not private: the workers tests' subclass (test/workers/test-worker.ts) reaches them; production
  // code has no test hooks (issue #6 §13).
  protected account: Account | null = null;
  protected connecting: Promise<void> | null = null;
  #backoffMs = 1_000;
  protected ended = false;
  // In memory only: an object that hibernated between two frames starts with full buckets, which is fine
  // (hibernation needs a quiet socket).
  readonly #tabBuckets = new WeakMap<WebSocket, TokenBucket>();
  readonly #userBucket = new TokenBucket(USER_RATE.capacity, USER_RATE.perSecond);
  readonly #refusals = new SampledLog(10_000, (line) => console.warn(line));

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly options: SessionOptions = {},
  ) {
    super(ctx, env);
    this.#tabs = new Tabs(ctx);
    this.#db = drizzle(env.DB, { schema });
    void ctx.blockConcurrencyWhile(async () => {
      await this.#restore();
    });
  }

  async #get<K extends keyof Stored>(key: K): Promise<Stored[K] | undefined> {
    return this.ctx.storage.get<Stored[K]>(key);
  }

  async #put<K extends keyof Stored>(key: K, value: Stored[K]): Promise<void> {
    await this.ctx.storage.put(key, value);
  }

  /** After a restart or an eviction: rebuild the shared state, then reconnect (resuming if we can). */
  async #restore(): Promise<void> {
    const info = await this.#get("account");
    if (!info) return;
    this.ended = (await this.#get("ended")) ?? false;
    const account = this.#newAccount(info);
    const [self, roster, requests, lastArchiveId, conversations, presences] = await Promise.all([
      this.#get("self"),
      this.#get("roster"),
      this.#get("subscriptionRequests"),
      this.#get("lastArchiveId"),
      listConversations(this.#db, info.jid, LIMITS.conversationsInMemory + 1),
      loadPresences(this.#db, info.jid),
    ]);
    account.restore({ self, roster, subscriptionRequests: requests ?? [], lastArchiveId, conversations, presences });
    await account.load();
    this.account = account;
    // Reconnect from the alarm, not from here: I/O started inside blockConcurrencyWhile() belongs to it.
    if (!this.ended) await this.ctx.storage.setAlarm(Date.now());
  }

  #newAccount(info: AccountInfo): Account {
    return new Account(info, {
      db: this.#db,
      tabs: this.#tabs,
      storage: this.ctx.storage,
      onLost: (reason) => this.#onLost(reason),
      archiveLimits: this.options.archiveLimits?.(info.jid),
      channelSearch: channelSearchJid(this.env.PARLEY_CHANNEL_SEARCH_JID),
    });
  }

  // ---- RPC from the Worker -----------------------------------------------------------------------------------

  /**
   * Signs in. The password is always checked by the server (issue #6 §1): by the connection itself when the
   * object is not online, else by a short SASL exchange on a second connection. The cached copy never grants a
   * session. On success the sealed copy is replaced; a password that differs from it (changed on the server)
   * moves the account to a new credential generation, which revokes every older session.
   */
  async login(req: LoginRequest): Promise<LoginResult> {
    const info: AccountInfo = { jid: req.jid, service: req.service, domain: req.domain };
    const current = this.account;
    let account: Account;
    try {
      if (current?.online) {
        const { local } = splitJid(req.jid);
        await XmppLink.verifyPassword({
          service: req.service,
          domain: req.domain,
          username: local,
          password: req.password,
        });
        account = current;
      } else {
        account = current ?? this.#newAccount(info);
        await account.connect(req.password, null);
      }
    } catch (err) {
      if (!current) await this.ctx.storage.deleteAll(); // nothing of a failed first sign-in stays behind
      return { ok: false, ...describeError(err) };
    }
    const creds = await this.#get("creds");
    const known = creds ? await unseal(this.env.PARLEY_SECRET, req.jid, creds) : null;
    const changed = known !== null && known !== req.password;
    const generation = await ensureGeneration(this.#db, req.jid, Date.now(), changed);
    if (changed) {
      // The other browsers signed in with the old password: they are signed out (their sessions are void).
      await deleteSessionsOf(this.#db, req.jid);
      this.#tabs.closeAll(CLOSE_SIGNED_OUT, "signed out: password changed");
    }
    await this.ctx.storage.put({
      account: info,
      creds: await seal(this.env.PARLEY_SECRET, req.jid, req.password),
      ended: false,
    });
    this.account = account;
    this.ended = false;
    this.#backoffMs = 1_000;
    await this.#scheduleAlarm(PING_INTERVAL_MS);
    return { ok: true, jid: req.jid, generation };
  }

  /**
   * Signs out: ends the XMPP session, wipes the stored credentials and state, closes every tab. With
   * `deleteHistory`, the account's rows in D1 (messages, conversations, receipts, presences) go too.
   */
  async logout(options: { deleteHistory?: boolean } = {}): Promise<void> {
    const account = this.account;
    const jid = account?.info.jid ?? (await this.#get("account"))?.jid;
    this.account = null;
    this.ended = true;
    await account?.end();
    this.#tabs.closeAll(CLOSE_SIGNED_OUT, "signed out");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (options.deleteHistory && jid) await deleteHistoryOf(this.#db, jid);
  }

  /**
   * The server refused the stored password (changed, or the account deleted; issue #6 §5): stop, forget the
   * sealed credentials, void every session of the account and close the tabs with the reason. Retrying a dead
   * password would only earn the Worker's address a ban.
   */
  async #revoke(jid: string): Promise<void> {
    this.ended = true;
    await this.account?.end().catch(() => undefined);
    await this.ctx.storage.delete(["creds", "sm"]);
    await this.#put("ended", true);
    await this.ctx.storage.deleteAlarm();
    await revokeCredentials(this.#db, jid, Date.now());
    this.#tabs.closeAll(CLOSE_SIGNED_OUT, "signed out: password changed");
  }

  // ---- tabs --------------------------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    const jid = request.headers.get("x-parley-jid");
    const account = this.account;
    if (!account || jid !== account.info.jid) return new Response("not signed in", { status: 403 });
    // Each tab costs a socket and a share of every broadcast: a session has room for plenty, not for a flood.
    if (this.#tabs.count >= MAX_TABS) return new Response("too many tabs", { status: 429 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    await this.#put("lastTabAt", Date.now());
    if (this.ended) {
      this.ended = false;
      await this.#put("ended", false);
    }
    this.#tabs.send(pair[1], account.snapshot(this.#connectionState()));
    void this.#ensureConnected();
    await this.#scheduleAlarm(PING_INTERVAL_MS);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    // Rate first, before any parsing work (issue #6 §6): per tab, and for all tabs of the user together.
    const now = Date.now();
    let bucket = this.#tabBuckets.get(ws);
    if (!bucket) {
      bucket = new TokenBucket(TAB_RATE.capacity, TAB_RATE.perSecond, now);
      this.#tabBuckets.set(ws, bucket);
    }
    if (!bucket.take(now) || !this.#userBucket.take(now)) {
      this.#refusals.note("parley: refused tab frames (rate-limited)", now);
      this.#tabs.send(ws, { type: "error", code: "rate-limited", message: "Too many requests: slow down." });
      return;
    }
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) {
      this.#refusals.note(`parley: refused frame (${parsed.code}): ${parsed.message}`, now);
      const { code, message, requestId } = parsed;
      this.#tabs.send(ws, requestId ? { type: "error", code, message, requestId } : { type: "error", code, message });
      return;
    }
    const account = this.account;
    if (!account) {
      this.#tabs.send(ws, { type: "error", code: "not-connected", message: "signed out" });
      return;
    }
    await account.handleFrame(ws, parsed.frame);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    await this.#put("lastTabAt", Date.now());
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {
    await this.#put("lastTabAt", Date.now());
  }

  // ---- connection lifecycle ----------------------------------------------------------------------------------

  #connectionState(): ConnectionState {
    const account = this.account;
    if (!account) return "offline";
    if (account.online) return "online";
    if (this.ended) return "offline";
    return account.everOnline ? "reconnecting" : "connecting";
  }

  /** Connects if we are not: resume the stream when the server still has it, else log in and catch up. */
  #ensureConnected(): Promise<void> {
    const account = this.account;
    if (!account || account.online || this.ended) return Promise.resolve();
    this.connecting ??= (async () => {
      try {
        const creds = await this.#get("creds");
        const password = creds ? await unseal(this.env.PARLEY_SECRET, account.info.jid, creds) : null;
        if (password === null) {
          // The secret changed or nothing is stored: only a new sign-in can help.
          this.#tabs.broadcast({ type: "connection", state: "offline", reason: "please sign in again" });
          return;
        }
        this.#tabs.broadcast({ type: "connection", state: this.#connectionState() });
        await account.connect(password, (await this.#get("sm")) ?? null);
        this.#backoffMs = 1_000;
      } catch (err) {
        if (err instanceof SaslError && err.condition === "not-authorized") {
          await this.#revoke(account.info.jid);
          return;
        }
        const { message } = describeError(err);
        console.warn(
          `parley: reconnect of ${account.info.jid} failed: ${String(err)}`,
          err instanceof Error ? err.stack : "",
        );
        this.#tabs.broadcast({ type: "connection", state: "reconnecting", reason: message });
        await this.#scheduleAlarm(this.#backoffMs);
        this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  #onLost(reason: string): void {
    if (this.ended) return;
    this.#tabs.broadcast({ type: "connection", state: "reconnecting", reason });
    void this.#scheduleAlarm(Math.min(this.#backoffMs, 1_000));
  }

  async #scheduleAlarm(inMs: number): Promise<void> {
    const at = Date.now() + inMs;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const account = this.account;
    if (!account || this.ended) return;
    const idleMs = Number(this.env.IDLE_TIMEOUT_SECONDS || "86400") * 1000;
    if (this.#tabs.count === 0) {
      const lastTabAt = (await this.#get("lastTabAt")) ?? 0;
      if (Date.now() - lastTabAt > idleMs) {
        // Movim's behaviour: no tab for a day ends the XMPP session (unavailable presence, stream closed).
        this.ended = true;
        await this.#put("ended", true);
        await account.end();
        return;
      }
    }
    await this.ctx.storage.setAlarm(Date.now() + PING_INTERVAL_MS);
    if (!account.online) {
      await this.#ensureConnected();
      return;
    }
    await account.ping();
  }
}

/**
 * Maps a connect failure onto a condition and a message a person can act on. The message is always one of these
 * fixed texts: internal error text stays in the log (issue #6 §11).
 */
export function describeError(err: unknown): { condition: string; message: string } {
  if (err instanceof SaslError) {
    if (err.condition === "not-authorized") return { condition: err.condition, message: "Wrong address or password." };
    if (err.condition === "account-disabled") {
      return { condition: err.condition, message: "This account is disabled on its XMPP server." };
    }
    console.warn(`parley: sign-in failed: ${err.condition}: ${err.message}`);
    return { condition: "sasl-failed", message: "The XMPP server refused the sign-in." };
  }
  if (err instanceof IdentityError) {
    return {
      condition: "jid-mismatch",
      message: `This account's address is ${err.bound}. Sign in with that address.`,
    };
  }
  if (err instanceof XMPPError) {
    switch (err.condition) {
      case "connection-failed":
      case "timeout":
      case "remote-server-not-found":
        return { condition: err.condition, message: "The XMPP server cannot be reached right now." };
      case "host-unknown":
        return { condition: err.condition, message: "This XMPP server does not serve that domain." };
      default:
        console.warn(`parley: sign-in failed: ${err.message}`);
        return { condition: "xmpp-error", message: "The XMPP server answered with an error." };
    }
  }
  console.error("parley: sign-in failed", err);
  return { condition: "internal", message: "Something went wrong on our side." };
}
