// A scripted XMPP peer ("bob" by default) for the end-to-end tests: a plain @xmpp/client session in Node (global
// WebSocket, Node >= 22) against the test Prosody. It sends chat messages the way a modern client does (id =
// origin-id, receipt request), answers XEP-0184 receipt requests, and records every chat message it receives.
//
//   const bob = await connectPeer({ service: inject("prosodyWs"), username: "judy" });
//   await bob.send("ivan@localhost", "hello");
//   await bob.waitForMessage((m) => m.body === "hi", 15_000);
//   await bob.close();
//
// Contacts or not does not matter: Prosody delivers chat messages between accounts of the same host either way.
import { client, xml, type XmppClient } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

const NS_RECEIPTS = "urn:xmpp:receipts";
const NS_SID = "urn:xmpp:sid:0";
const NS_PING = "urn:xmpp:ping";
const NS_CARBONS = "urn:xmpp:carbons:2";
const NS_MAM = "urn:xmpp:mam:2";
const NS_SM = "urn:xmpp:sm:3";
const NS_CHATSTATES = "http://jabber.org/protocol/chatstates";

export interface ReceivedMessage {
  /** Full JID of the sender. */
  from: string;
  /** Bare JID of the sender. */
  fromBare: string;
  type: string;
  id: string | undefined;
  body: string;
  stanza: Element;
}

export interface PeerOptions {
  /** The XMPP WebSocket URL (the test Prosody's `prosodyWs`). */
  service: string;
  username?: string;
  password?: string;
  domain?: string;
  resource?: string;
}

export interface Peer {
  /** Bare JID of this peer. */
  readonly jid: string;
  /** Every chat/normal message with a body received so far, oldest first. */
  readonly received: readonly ReceivedMessage[];
  /** Sends a chat message; resolves with its id (also its origin-id) once written to the socket. */
  send(to: string, body: string): Promise<string>;
  /** A round trip to the server: everything sent before has been processed (routed, archived) when it resolves. */
  flush(timeoutMs?: number): Promise<void>;
  /** The first received message (already received or future) matching `pred`; rejects after `timeoutMs`. */
  waitForMessage(pred: (m: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  /** The first message stanza (with a body or not: reactions, markers) matching `pred`; rejects after `timeoutMs`. */
  waitForStanza(pred: (s: Element) => boolean, timeoutMs?: number): Promise<Element>;
  /** How many received messages match `pred`. */
  count(pred: (m: ReceivedMessage) => boolean): number;
  /** XEP-0085 states received so far (from any message, with or without a body), oldest first. */
  readonly chatStates: readonly { from: string; state: string }[];
  /** Sends a standalone XEP-0085 chat state, as Conversations does. */
  sendChatState(to: string, state: "composing" | "paused" | "active"): Promise<void>;
  close(): Promise<void>;
  /** Every stanza received so far (markers and other body-less messages included), oldest first. */
  readonly stanzas: readonly Element[];
  /** Sends any stanza as it is (a XEP-0333 markable message, a XEP-0490 publish, ...). */
  sendStanza(el: Element): Promise<void>;
  /** An IQ to the server (or `to`); resolves with the result stanza, rejects on an error reply. */
  iq(type: "get" | "set", child: Element, to?: string): Promise<Element>;
}

function bareOf(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? jid : jid.slice(0, slash);
}

export async function connectPeer(opts: PeerOptions): Promise<Peer> {
  const username = opts.username ?? "bob";
  const domain = opts.domain ?? "localhost";
  const jid = `${username}@${domain}`;
  const xmpp: XmppClient = client({
    service: opts.service,
    domain,
    username,
    password: opts.password ?? "parley",
    resource: opts.resource ?? `peer-${crypto.randomUUID().slice(0, 8)}`,
  });
  // A test peer must not come back on its own after close() or a failed test.
  xmpp.reconnect.stop();

  const received: ReceivedMessage[] = [];
  const chatStates: { from: string; state: string }[] = [];
  let stanzaWaiters: { pred: (s: Element) => boolean; resolve: (s: Element) => void }[] = [];
  let waiters: { pred: (m: ReceivedMessage) => boolean; resolve: (m: ReceivedMessage) => void }[] = [];
  const errors: string[] = [];

  if (process.env.PARLEY_PEER_DEBUG === "1") {
    xmpp.on("element", (el) => process.stderr.write(`[${username} <<] ${el.toString()}\n`));
    xmpp.on("send", (el) => process.stderr.write(`[${username} >>] ${el.toString()}\n`));
  }
  xmpp.on("error", (err) => {
    errors.push(String(err));
  });
  const stanzas: Element[] = [];
  xmpp.on("stanza", (stanza) => {
    stanzas.push(stanza);
    if (!stanza.is("message")) return;
    stanzaWaiters = stanzaWaiters.filter((w) => {
      if (!w.pred(stanza)) return true;
      w.resolve(stanza);
      return false;
    });
    const type = stanza.attrs.type ?? "normal";
    if (type === "error" || type === "groupchat" || type === "headline") return;
    // Carbons and archive results are not messages sent to this session.
    if (stanza.getChild("received", NS_CARBONS) || stanza.getChild("sent", NS_CARBONS)) return;
    if (stanza.getChild("result", NS_MAM)) return;
    const from = stanza.attrs.from ?? domain;
    const id = stanza.attrs.id;
    // XEP-0184 §5.2: acknowledge what asked for it.
    if (stanza.getChild("request", NS_RECEIPTS) && id) {
      void xmpp
        .send(xml("message", { to: from, id: crypto.randomUUID() }, xml("received", { xmlns: NS_RECEIPTS, id })))
        .catch(() => undefined);
    }
    const chatState = stanza.getChildElements().find((c) => c.getNS() === NS_CHATSTATES);
    if (chatState) chatStates.push({ from: bareOf(from), state: chatState.name });
    const body = stanza.getChildText("body");
    if (body === null) return;
    const message: ReceivedMessage = { from, fromBare: bareOf(from), type, id, body, stanza };
    received.push(message);
    waiters = waiters.filter((w) => {
      if (!w.pred(message)) return true;
      w.resolve(message);
      return false;
    });
  });

  // xmpp.js 0.14 goes "online" before its XEP-0198 <enable/> is answered and resets its inbound counter only in a
  // promise continuation after <enabled/>. Node's WebSocket (undici) dispatches all frames of one TCP read without
  // running microtasks in between, so stanzas arriving together with <enabled/> would be counted, then forgotten:
  // the next <a h=.../> goes backwards and Prosody kills the stream ("Client acknowledged less stanzas than already
  // acknowledged"). So: send nothing (no presence, which is what makes the server talk) until SM is settled.
  const smSettled = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    xmpp.on("nonza", (el) => {
      if (el.is("enabled", NS_SM) || el.is("failed", NS_SM)) {
        clearTimeout(timer);
        // Let the enable continuation (which zeroes the counter) run before anything else happens.
        setTimeout(resolve, 0);
      }
    });
  });
  await xmpp.start();
  await smSettled;
  // Available, so that messages to our bare JID are delivered to this session (RFC 6121 §8.5.2.1.1).
  await xmpp.send(xml("presence", {}, xml("priority", {}, "1")));

  const flush = async (timeoutMs = 10_000): Promise<void> => {
    await xmpp.iqCaller.request(xml("iq", { type: "get", to: domain }, xml("ping", { xmlns: NS_PING })), timeoutMs);
  };
  // The server has processed the presence when this returns: messages to our bare JID reach this session.
  await flush();

  return {
    jid,
    received,
    chatStates,
    async sendChatState(to, state) {
      await xmpp.send(
        xml(
          "message",
          { type: "chat", to },
          xml(state, { xmlns: NS_CHATSTATES }),
          xml("no-store", { xmlns: "urn:xmpp:hints" }),
        ),
      );
    },
    async send(to, body) {
      const id = crypto.randomUUID();
      await xmpp.send(
        xml(
          "message",
          { type: "chat", to, id },
          xml("body", {}, body),
          xml("origin-id", { xmlns: NS_SID, id }),
          xml("request", { xmlns: NS_RECEIPTS }),
        ),
      );
      return id;
    },
    flush,
    stanzas,
    async sendStanza(el) {
      await xmpp.send(el);
    },
    iq(type, child, to) {
      return xmpp.iqCaller.request(xml("iq", { type, ...(to ? { to } : {}) }, child), 10_000);
    },
    waitForMessage(pred, timeoutMs = 15_000) {
      const seen = received.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pred,
          resolve: (m: ReceivedMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          const got = received.map((m) => `${m.fromBare}: ${JSON.stringify(m.body)}`).join("\n  ");
          const errs = errors.length ? `\nerrors: ${errors.join("; ")}` : "";
          reject(
            new Error(`${jid}: no matching message within ${timeoutMs} ms; received:\n  ${got || "(nothing)"}${errs}`),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    waitForStanza(pred, timeoutMs = 15_000) {
      const seen = stanzas.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pred,
          resolve: (el: Element) => {
            clearTimeout(timer);
            resolve(el);
          },
        };
        const timer = setTimeout(() => {
          stanzaWaiters = stanzaWaiters.filter((w) => w !== waiter);
          reject(new Error(`${jid}: no matching stanza within ${timeoutMs} ms`));
        }, timeoutMs);
        stanzaWaiters.push(waiter);
      });
    },
    count(pred) {
      return received.filter(pred).length;
    },
    async close() {
      waiters = [];
      try {
        await xmpp.send(xml("presence", { type: "unavailable" }));
      } catch {
        // not connected any more
      }
      try {
        await xmpp.stop();
      } catch {
        // already closed
      }
    },
  };
}
