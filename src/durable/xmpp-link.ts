// One RFC 7395 WebSocket connection to the user's server, assembled from xmpp.js packages (the full
// @xmpp/client pulls in node:dns). SASL is Parley's own (SCRAM with WebCrypto, src/xmpp/sasl.ts);
// stream management (XEP-0198) is on with resumption.
import { Client } from "@xmpp/client-core";
import { xml, type Element } from "@xmpp/xml";
import websocket from "@xmpp/websocket";
import middlewareFactory from "@xmpp/middleware";
import streamFeaturesFactory from "@xmpp/stream-features";
import iqCallerFactory, { type IQCaller } from "@xmpp/iq/caller.js";
import iqCalleeFactory from "@xmpp/iq/callee.js";
import resourceBinding from "@xmpp/resource-binding";
import streamManagement, { type StreamManagement } from "@xmpp/stream-management";
import { createSaslExchange, isPlainAllowed, parseSaslFailure, pickMechanism, SaslError } from "../xmpp/sasl.ts";
import { XMPPError, type XMPPCondition } from "../xmpp/errors.ts";
import { NS_PING } from "../xmpp/ping.ts";
import { buildDiscoInfo, NS_DISCO_INFO } from "../xmpp/caps.ts";
import { isValidRosterPush, NS_ROSTER } from "../xmpp/roster.ts";
import { bare } from "../xmpp/jid.ts";
import { Limiter, LimiterFull } from "./rate.ts";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
/** Requests waiting for an answer at once, and queued behind them. */
export const IQ_IN_FLIGHT = 16;
const IQ_WAITING = 256;
const NS_SM = "urn:xmpp:sm:3";

export interface SmState {
  id: string;
  inbound: number;
  /** Our sent-stanza count the server acknowledged; <resumed h> is compared with it (XEP-0198 §5). */
  outbound: number;
  /** The full JID the stream was bound to (a resumed stream binds nothing new). */
  jid: string;
}

export interface LinkOptions {
  service: string;
  domain: string;
  username: string;
  password: string;
  resource: string;
  /** A stream to resume (XEP-0198 §5) after the object was evicted. */
  resume?: SmState | undefined;
  timeoutMs?: number;
  /** Only check the password: stop after SASL success, bind nothing (see verifyPassword). */
  authOnly?: boolean;
}

export interface LinkEvents {
  stanza(stanza: Element): void;
  /** A valid roster push (already answered). */
  rosterPush(stanza: Element): void;
  /**
   * We acknowledged stanzas (XEP-0198 §4 <a h/>). A later resumption must claim at least this `h`: Prosody
   * refuses one that acknowledges less than was already acknowledged, so the state is saved at every ack.
   */
  acked(state: SmState): void;
  /** The connection dropped without close() being called. */
  lost(reason: string): void;
  /** The server acknowledged this stanza of ours (XEP-0198 §4). */
  stanzaAcked?(stanza: Element): void;
}

/** Waits for the next SASL nonza (RFC 6120 §6.4). */
function nextSaslElement(entity: Client, timeoutMs: number): Promise<Element> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      entity.off("nonza", onNonza);
      reject(new XMPPError("timeout", "no SASL answer from the server"));
    }, timeoutMs);
    function onNonza(el: Element): void {
      if (el.getNS() !== NS_SASL) return;
      clearTimeout(timer);
      entity.off("nonza", onNonza);
      resolve(el);
    }
    entity.on("nonza", onNonza);
  });
}

export class XmppLink {
  readonly entity: Client;
  readonly sm: StreamManagement;
  readonly iqCaller: IQCaller;
  #closing = false;
  #connected = false;
  #authenticated: (() => void) | undefined;
  readonly #iqs = new Limiter(IQ_IN_FLIGHT, IQ_WAITING);

  constructor(
    private readonly options: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const entity = new Client({ service: options.service, domain: options.domain });
    entity.timeout = timeoutMs;
    this.entity = entity;
    websocket({ entity });
    const middleware = middlewareFactory({ entity });
    const streamFeatures = streamFeaturesFactory({ middleware });
    this.iqCaller = iqCallerFactory({ middleware, entity });
    // XEP-0030 / XEP-0115: what we support, asked by the server to decide which PEP events to send us.
    // Answered here rather than through iqCallee, whose `instanceof` check fails on elements built by another
    // copy of @xmpp/xml when bundled.
    middleware.use(async (ctx, next) => {
      const { stanza } = ctx;
      const query =
        stanza.attrs.type === "get" && stanza.name === "iq" ? stanza.getChild("query", NS_DISCO_INFO) : undefined;
      if (!query) return next();
      await entity.send(
        xml("iq", { type: "result", to: stanza.attrs.from, id: stanza.attrs.id }, buildDiscoInfo(query.attrs.node)),
      );
      return undefined;
    });
    const iqCallee = iqCalleeFactory({ middleware, entity });
    // XEP-0199 §4.2: answer server pings.
    iqCallee.get(NS_PING, "ping", () => ({}));

    // RFC 6121 §2.1.6: roster pushes come only from our own account; a push from anyone else is ignored
    // (acknowledged, never applied).
    iqCallee.set(NS_ROSTER, "query", (ctx) => {
      if (isValidRosterPush(ctx.stanza, bare(this.entity.jid?.toString() ?? options.resume?.jid ?? ""))) {
        this.events.rosterPush(ctx.stanza);
      }
      return {};
    });

    // RFC 6120 §6: SASL, with our SCRAM. PLAIN only over wss: or loopback.
    streamFeatures.use("mechanisms", NS_SASL, async ({ entity: e }, _next, feature) => {
      const offered = feature.getChildren("mechanism").map((m) => m.text());
      const mechanism = pickMechanism(offered, isPlainAllowed(options.service));
      const exchange = createSaslExchange(mechanism, options.username, options.password);
      const answer = nextSaslElement(e, timeoutMs);
      await e.send(xml("auth", { xmlns: NS_SASL, mechanism }, exchange.initial()));
      let el = await answer;
      while (el.name === "challenge") {
        const next = nextSaslElement(e, timeoutMs);
        await e.send(xml("response", { xmlns: NS_SASL }, await exchange.challenge(el.text())));
        el = await next;
      }
      if (el.name === "failure") {
        const cond = el.getChildElements().find((c) => c.name !== "text")?.name;
        throw parseSaslFailure(cond, el.getChildText("text") ?? undefined);
      }
      if (el.name !== "success") throw new SaslError("malformed-challenge", `unexpected <${el.name}/>`);
      await exchange.success(el.text());
      if (options.authOnly) {
        this.#authenticated?.();
        return;
      }
      await e.restart();
    });

    this.sm = streamManagement({ streamFeatures, entity, middleware });
    // Our alarm already pings every ~30 s; a shorter SM <r/> interval would only wake the object more often.
    this.sm.requestAckInterval = 30_000;
    this.sm.timeout = 60_000;
    if (options.resume) {
      this.sm.id = options.resume.id;
      this.sm.inbound = options.resume.inbound;
      // What the server acknowledged before the eviction; stanzas it had not are gone with the old instance.
      this.sm.outbound = options.resume.outbound;
      entity._jid(options.resume.jid);
    }
    resourceBinding({ iqCaller: this.iqCaller, streamFeatures }, options.resource);
    // XEP-0198 §5: <resumed h> counts what the server got from the *previous* instance, whose unacknowledged
    // queue died with it. xmpp.js would walk that (empty) queue and fail the resumption, so align the counter
    // first (this listener runs before the one xmpp.js adds while resuming).
    entity.on("send", (el: Element) => {
      if (!el.is("a", NS_SM)) return;
      const state = this.smState;
      const h = Number(el.attrs.h);
      if (state && Number.isSafeInteger(h)) this.events.acked({ ...state, inbound: h });
    });
    entity.on("nonza", (el: Element) => {
      const h = Number(el.attrs.h);
      const hasH = el.attrs.h !== undefined && Number.isSafeInteger(h) && h >= 0;
      if (el.is("resumed", NS_SM) && hasH) this.sm.outbound = h;
      // XEP-0198 §5: <resumed h/> and, from servers that remember the stream, <failed h/> say how many of our
      // stanzas the server handled; the outbox resends only what came after.
      if ((el.is("resumed", NS_SM) || el.is("failed", NS_SM)) && hasH && options.resume) {
        this.handled = { streamId: options.resume.id, h };
      }
    });
    this.sm.on("ack", (el: Element) => this.events.stanzaAcked?.(el));

    entity.on("stanza", (el: Element) => {
      if (el.name !== "iq") this.events.stanza(el);
    });
    entity.on("error", () => {
      // Errors also surface as a rejected start() or a 'disconnect'; nothing to do here but keep the
      // EventEmitter from throwing on an unhandled 'error'.
    });
    entity.on("disconnect", (info: { clean: boolean; reason?: { reason?: string } } | undefined) => {
      if (this.#closing || !this.#connected) return;
      this.events.lost(info?.clean ? "closed by the server" : "connection lost");
    });
  }

  /** Connects and authenticates; resolves with whether a previous stream was resumed (XEP-0198 §5). */
  async connect(): Promise<{ resumed: boolean; jid: string }> {
    const { entity, sm } = this;
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    // entity.start() waits for 'online', which xmpp.js does not emit on resumption: race both ourselves.
    const outcome = new Promise<{ resumed: boolean; jid: string }>((resolve, reject) => {
      const timer = setTimeout(() => finish(new XMPPError("timeout", "the server did not answer in time")), timeoutMs);
      const onOnline = (): void => finish(null, { resumed: false, jid: entity.jid?.toString() ?? "" });
      const onResumed = (): void => finish(null, { resumed: true, jid: this.options.resume?.jid ?? "" });
      // A stanza-level error (an error reply, say) is not a failed connection; stream, socket and SASL ones are.
      const onError = (err: unknown): void => {
        if (err instanceof Error && err.name === "StanzaError") return;
        finish(err);
      };
      const onDisconnect = (): void => finish(new XMPPError("connection-failed", "the connection closed"));
      function finish(err: unknown, value?: { resumed: boolean; jid: string }): void {
        clearTimeout(timer);
        entity.off("online", onOnline);
        entity.off("error", onError);
        entity.off("disconnect", onDisconnect);
        sm.off("resumed", onResumed);
        if (value) resolve(value);
        else reject(err);
      }
      entity.on("online", onOnline);
      entity.on("error", onError);
      entity.on("disconnect", onDisconnect);
      sm.on("resumed", onResumed);
    });
    try {
      await entity.connect(this.options.service);
      await entity.open({ domain: this.options.domain });
      const result = await outcome;
      this.#connected = true;
      return result;
    } catch (err) {
      outcome.catch(() => undefined);
      await this.abort();
      throw toXMPPError(err);
    }
  }

  /**
   * Asks the server whether this password is right, on a connection of its own: SASL (server signature checked for
   * SCRAM), then the stream is closed; no resource is bound and no presence sent. Throws SaslError
   * (not-authorized) or XMPPError like connect().
   */
  static async verifyPassword(options: Omit<LinkOptions, "resume" | "authOnly" | "resource">): Promise<void> {
    const link = new XmppLink(
      { ...options, resource: "verify", authOnly: true },
      { stanza: () => undefined, rosterPush: () => undefined, acked: () => undefined, lost: () => undefined },
    );
    const { entity } = link;
    const timeoutMs = options.timeoutMs ?? 15_000;
    const outcome = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new XMPPError("timeout", "the server did not answer in time")), timeoutMs);
      const onError = (err: unknown): void => finish(err);
      const onDisconnect = (): void => finish(new XMPPError("connection-failed", "the connection closed"));
      link.#authenticated = () => finish(null);
      function finish(err: unknown): void {
        clearTimeout(timer);
        entity.off("error", onError);
        entity.off("disconnect", onDisconnect);
        link.#authenticated = undefined;
        if (err === null) resolve();
        else reject(err);
      }
      entity.on("error", onError);
      entity.on("disconnect", onDisconnect);
    });
    try {
      await entity.connect(options.service);
      await entity.open({ domain: options.domain });
      await outcome;
    } catch (err) {
      outcome.catch(() => undefined);
      throw toXMPPError(err);
    } finally {
      await link.close();
    }
  }

  /** The full JID the stream is bound to (the resumed one after a resumption). */
  get boundJid(): string | null {
    return this.entity.jid?.toString() ?? this.options.resume?.jid ?? null;
  }

  /** XEP-0198 is on for this stream: our stanzas will be acknowledged. */
  get smEnabled(): boolean {
    return this.sm.enabled;
  }

  get streamId(): string | null {
    return this.sm.id || null;
  }

  /** What the server said it handled of the stream we tried to resume (null when it said nothing). */
  handled: { streamId: string; h: number } | null = null;

  /** The number of `stanza` in the current stream (XEP-0198 counts from 1), while it awaits its ack. */
  seqOf(stanza: Element): number | null {
    const index = this.sm.outbound_q.findIndex((item) => item.stanza === stanza);
    return index === -1 ? null : this.sm.outbound + index + 1;
  }

  /** Ids of the stanzas sent on this stream and not acknowledged yet (xmpp.js resends them on resumption). */
  queuedIds(): Set<string> {
    const ids = new Set<string>();
    for (const item of this.sm.outbound_q) if (item.stanza.attrs.id) ids.add(item.stanza.attrs.id);
    return ids;
  }

  get smState(): SmState | null {
    const jid = this.entity.jid?.toString() ?? this.options.resume?.jid ?? "";
    const { enabled, id, inbound, outbound } = this.sm;
    return enabled && id ? { id, inbound, outbound, jid } : null;
  }

  get online(): boolean {
    return this.entity.status === "online";
  }

  async send(el: Element): Promise<void> {
    if (!this.online) throw new XMPPError("service-unavailable", "not connected");
    await this.entity.send(el);
  }

  /**
   * One request (RFC 6120 §8.2.3). At most IQ_IN_FLIGHT wait for answers at once, so no burst of work can make us
   * flood the server (issue #6 §6); beyond IQ_WAITING queued ones, a request fails with resource-constraint.
   */
  async iq(type: "get" | "set", child: Element, to?: string, timeoutMs = 20_000): Promise<Element> {
    if (!this.online) throw new XMPPError("service-unavailable", "not connected");
    try {
      return await this.#iqs.run(() => this.iqCaller.request(xml("iq", { type, to }, child), timeoutMs));
    } catch (err) {
      if (err instanceof LimiterFull) throw new XMPPError("resource-constraint", "too many requests in flight");
      throw toXMPPError(err);
    }
  }

  /** XEP-0198 §4: ask the server to acknowledge; a dead link shows up as a failed write or SM timeout. */
  async requestAck(): Promise<void> {
    await this.entity.send(xml("r", { xmlns: NS_SM }));
  }

  /** Ends the stream cleanly (RFC 7395 §3.6): the server then drops the SM session. */
  async close(): Promise<void> {
    this.#closing = true;
    try {
      await this.entity.stop();
    } catch {
      await this.abort();
    }
  }

  /**
   * Drops the socket without closing the stream, so the server keeps the SM session for resumption.
   * Swallows: the socket already being closed, and a missing socket (never connected).
   */
  async abort(): Promise<void> {
    this.#closing = true;
    try {
      const socket = (this.entity as Client & { socket: { end(): void } | null }).socket;
      socket?.end();
    } catch {
      // already closed
    }
  }
}

/** Maps whatever xmpp.js threw onto our typed errors. */
export function toXMPPError(err: unknown): XMPPError | SaslError {
  if (err instanceof XMPPError || err instanceof SaslError) return err;
  if (err instanceof Error) {
    const condition = (err as Error & { condition?: string }).condition;
    if (err.name === "SASLError") return new SaslError(condition ?? "not-authorized", err.message);
    if (err.name === "TimeoutError") return new XMPPError("timeout", err.message);
    if (err.name === "StanzaError") {
      // xmpp.js' StanzaError: condition, text and the application-specific element (RFC 6120 §8.3).
      const e = err as Error & { condition?: string; text?: string; application?: { name?: string } };
      return new XMPPError(
        (e.condition ?? "undefined-condition") as XMPPCondition,
        e.text || undefined,
        e.application?.name,
      );
    }
    if (/ECONNERROR|WebSocket|network|connect/iu.test(err.message)) {
      return new XMPPError("connection-failed", err.message);
    }
    return new XMPPError("undefined-condition", err.message);
  }
  return new XMPPError("undefined-condition", String(err));
}
