import { describe, it, expect } from "vitest";
import { xml, type Element } from "@xmpp/xml";
import {
  NS_CARBONS,
  NS_FORWARD,
  NS_HINTS,
  NS_RECEIPTS,
  NS_SID,
  buildChat,
  buildEnableCarbons,
  buildReceipt,
  messageKey,
  parseMessage,
  type IncomingMessage,
  type ParsedChat,
} from "../../src/xmpp/message.ts";
import { parseXml } from "./xml-helpers.ts";

const SELF = "alice@example.com";
const NOW = 1_700_000_000_000;

function chatOf(result: IncomingMessage): ParsedChat {
  expect(result.kind).toBe("chat");
  if (result.kind !== "chat") throw new Error("not a chat");
  return result.chat;
}

function carbon(dir: "received" | "sent", from: string, inner: Element, delay?: string): Element {
  return xml(
    "message",
    { from, to: `${SELF}/web`, type: "chat" },
    xml(
      dir,
      { xmlns: NS_CARBONS },
      xml(
        "forwarded",
        { xmlns: NS_FORWARD },
        delay ? xml("delay", { xmlns: "urn:xmpp:delay", stamp: delay }) : null,
        inner,
      ),
    ),
  );
}

describe("parseMessage: chats", () => {
  it("parses a plain incoming chat message", () => {
    const stanza = parseXml(
      `<message xmlns="jabber:client" from="Bob@Example.com/phone" to="${SELF}/web" type="chat" id="m1">` +
        `<body>hello &amp; welcome</body><request xmlns="${NS_RECEIPTS}"/></message>`,
    );
    const chat = chatOf(parseMessage(stanza, SELF, NOW));
    expect(chat).toEqual({
      peer: "bob@example.com",
      direction: "in",
      from: "Bob@Example.com/phone",
      to: `${SELF}/web`,
      id: "m1",
      originId: undefined,
      archiveId: undefined,
      body: "hello & welcome",
      encrypted: null,
      ts: NOW,
      requestsReceipt: true,
      markable: false,
      replyTo: undefined,
      fallback: undefined,
    });
  });

  it("treats a message without type as normal and parses it", () => {
    const chat = chatOf(parseMessage(xml("message", { from: "bob@example.com" }, xml("body", {}, "hi")), SELF, NOW));
    expect(chat.direction).toBe("in");
    expect(chat.peer).toBe("bob@example.com");
    expect(chat.requestsReceipt).toBe(false);
    expect(chat.to).toBe(SELF);
  });

  it("recognises our own outgoing message (from our bare JID) and takes the peer from `to`", () => {
    const stanza = xml(
      "message",
      { from: `${SELF}/other`, to: "Carol@Example.org/laptop", type: "chat", id: "x" },
      xml("body", {}, "out"),
    );
    const chat = chatOf(parseMessage(stanza, SELF, NOW));
    expect(chat.direction).toBe("out");
    expect(chat.peer).toBe("carol@example.org");
  });

  it("a message with no from is ours (RFC 6120 §8.1.2.1)", () => {
    const chat = chatOf(
      parseMessage(xml("message", { to: "bob@example.com", type: "chat" }, xml("body", {}, "x")), SELF, NOW),
    );
    expect(chat.direction).toBe("out");
    expect(chat.from).toBe(SELF);
    expect(chat.peer).toBe("bob@example.com");
  });

  it("passes the body through unchanged (HTML is not interpreted here)", () => {
    const body = `<img src=x onerror="alert(1)"> & "quotes"`;
    const stanza = xml("message", { from: "bob@example.com", type: "chat" }, xml("body", {}, body));
    expect(chatOf(parseMessage(stanza, SELF, NOW)).body).toBe(body);
  });

  it.each(["error", "groupchat", "headline"])("ignores type=%s", (type) => {
    const stanza = xml("message", { from: "bob@example.com", type }, xml("body", {}, "hi"));
    expect(parseMessage(stanza, SELF, NOW)).toEqual({ kind: "ignored" });
  });

  it("ignores messages without a body or with an empty body (chat states, markers)", () => {
    const noBody = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
    );
    expect(parseMessage(noBody, SELF, NOW)).toEqual({ kind: "ignored" });
    const empty = xml("message", { from: "bob@example.com", type: "chat" }, xml("body"));
    expect(parseMessage(empty, SELF, NOW)).toEqual({ kind: "ignored" });
  });

  it("keeps whitespace-only bodies verbatim (only the empty body is dropped)", () => {
    const stanza = xml("message", { from: "bob@example.com", type: "chat" }, xml("body", {}, "  "));
    expect(chatOf(parseMessage(stanza, SELF, NOW)).body).toBe("  ");
  });
});

describe("parseMessage: XEP-0359 ids", () => {
  it("reads origin-id and trusts a stanza-id only when `by` is our bare JID", () => {
    const stanza = parseXml(
      `<message from="bob@example.com/a" to="${SELF}" type="chat" id="m2">` +
        `<body>x</body>` +
        `<origin-id xmlns="${NS_SID}" id="origin-1"/>` +
        `<stanza-id xmlns="${NS_SID}" by="bob@example.com" id="forged"/>` +
        `<stanza-id xmlns="${NS_SID}" by="ALICE@example.com" id="arch-1"/>` +
        `</message>`,
    );
    const chat = chatOf(parseMessage(stanza, SELF, NOW));
    expect(chat.originId).toBe("origin-1");
    expect(chat.archiveId).toBe("arch-1");
  });

  it("ignores a stanza-id from another entity or without `by`", () => {
    const stanza = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("body", {}, "x"),
      xml("stanza-id", { xmlns: NS_SID, by: "bob@example.com", id: "forged" }),
      xml("stanza-id", { xmlns: NS_SID, id: "no-by" }),
      xml("stanza-id", { xmlns: NS_SID, by: "conference.example.com", id: "muc" }),
    );
    expect(chatOf(parseMessage(stanza, SELF, NOW)).archiveId).toBeUndefined();
  });

  it("ignores a stanza-id in the wrong namespace", () => {
    const stanza = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("body", {}, "x"),
      xml("stanza-id", { xmlns: "urn:example:other", by: SELF, id: "nope" }),
    );
    expect(chatOf(parseMessage(stanza, SELF, NOW)).archiveId).toBeUndefined();
  });
});

describe("parseMessage: XEP-0203 delay", () => {
  it("uses the delay stamp as the timestamp", () => {
    const stanza = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("body", {}, "offline"),
      xml("delay", { xmlns: "urn:xmpp:delay", from: "example.com", stamp: "2002-09-10T23:08:25Z" }),
    );
    expect(chatOf(parseMessage(stanza, SELF, NOW)).ts).toBe(Date.UTC(2002, 8, 10, 23, 8, 25));
  });

  it("handles fractional seconds and offsets", () => {
    const stanza = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("body", {}, "x"),
      xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2020-01-01T01:00:00.250+01:00" }),
    );
    expect(chatOf(parseMessage(stanza, SELF, NOW)).ts).toBe(Date.UTC(2020, 0, 1, 0, 0, 0, 250));
  });

  it("falls back to `now` for a malformed stamp or a delay in another namespace", () => {
    const bad = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("body", {}, "x"),
      xml("delay", { xmlns: "urn:xmpp:delay", stamp: "yesterday-ish" }),
    );
    expect(chatOf(parseMessage(bad, SELF, NOW)).ts).toBe(NOW);
    const legacy = xml(
      "message",
      { from: "bob@example.com", type: "chat" },
      xml("body", {}, "x"),
      xml("delay", { xmlns: "jabber:x:delay", stamp: "2002-09-10T23:08:25Z" }),
    );
    expect(chatOf(parseMessage(legacy, SELF, NOW)).ts).toBe(NOW);
  });

  it("bounds a stamp to [1970, now]: a future one cannot pin a message above all later ones", () => {
    const at = (stamp: string) =>
      chatOf(
        parseMessage(
          xml(
            "message",
            { from: "bob@example.com", type: "chat" },
            xml("body", {}, "x"),
            xml("delay", { xmlns: "urn:xmpp:delay", stamp }),
          ),
          SELF,
          NOW,
        ),
      ).ts;
    expect(at("2999-01-01T00:00:00Z")).toBe(NOW);
    expect(at("+275760-09-13T00:00:00Z")).toBe(NOW);
    expect(at("1900-01-01T00:00:00Z")).toBe(0);
  });

  it("uses the delay of the delayHost (MAM <forwarded/>) instead of the inner message", () => {
    const forwarded = xml(
      "forwarded",
      { xmlns: NS_FORWARD },
      xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2021-05-05T10:00:00Z" }),
    );
    const inner = xml("message", { from: "bob@example.com", to: SELF, type: "chat" }, xml("body", {}, "archived"));
    expect(chatOf(parseMessage(inner, SELF, NOW, forwarded)).ts).toBe(Date.UTC(2021, 4, 5, 10));
  });
});

describe("parseMessage: XEP-0280 carbons", () => {
  it("unwraps a received carbon from our own bare JID", () => {
    const inner = xml(
      "message",
      { from: "bob@example.com/phone", to: `${SELF}/mobile`, type: "chat", id: "c1" },
      xml("body", {}, "to my other device"),
    );
    const chat = chatOf(parseMessage(carbon("received", SELF, inner), SELF, NOW));
    expect(chat.direction).toBe("in");
    expect(chat.peer).toBe("bob@example.com");
    expect(chat.id).toBe("c1");
    expect(chat.body).toBe("to my other device");
  });

  it("unwraps a sent carbon as an outgoing message to the peer", () => {
    const inner = xml(
      "message",
      { from: `${SELF}/mobile`, to: "bob@example.com/phone", type: "chat", id: "c2" },
      xml("body", {}, "sent elsewhere"),
      xml("origin-id", { xmlns: NS_SID, id: "c2" }),
    );
    const chat = chatOf(parseMessage(carbon("sent", SELF, inner), SELF, NOW));
    expect(chat.direction).toBe("out");
    expect(chat.peer).toBe("bob@example.com");
    expect(chat.originId).toBe("c2");
  });

  it("takes the timestamp from the <forwarded/> delay of a carbon", () => {
    const inner = xml("message", { from: "bob@example.com", to: SELF, type: "chat" }, xml("body", {}, "x"));
    const chat = chatOf(parseMessage(carbon("received", SELF, inner, "2019-03-03T03:03:03Z"), SELF, NOW));
    expect(chat.ts).toBe(Date.UTC(2019, 2, 3, 3, 3, 3));
  });

  it("ignores a forged carbon from another JID (XEP-0280 §11)", () => {
    const inner = xml(
      "message",
      { from: "mallory@evil.example/x", to: SELF, type: "chat" },
      xml("body", {}, "trust me"),
    );
    expect(parseMessage(carbon("received", "mallory@evil.example", inner), SELF, NOW)).toEqual({ kind: "ignored" });
    const sentInner = xml(
      "message",
      { from: `${SELF}/web`, to: "bob@example.com", type: "chat" },
      xml("body", {}, "I never said this"),
    );
    expect(parseMessage(carbon("sent", "mallory@evil.example/x", sentInner), SELF, NOW)).toEqual({ kind: "ignored" });
  });

  it("ignores a forged carbon even when it also carries a body of its own", () => {
    const stanza = carbon(
      "received",
      "mallory@evil.example",
      xml("message", { from: "bob@example.com", to: SELF, type: "chat" }, xml("body", {}, "inner")),
    );
    stanza.append(xml("body", {}, "outer"));
    expect(parseMessage(stanza, SELF, NOW)).toEqual({ kind: "ignored" });
  });

  it("ignores a carbon wrapper with no forwarded message", () => {
    const empty = xml("message", { from: SELF, type: "chat" }, xml("received", { xmlns: NS_CARBONS }));
    expect(parseMessage(empty, SELF, NOW)).toEqual({ kind: "ignored" });
    const noMessage = xml(
      "message",
      { from: SELF, type: "chat" },
      xml("sent", { xmlns: NS_CARBONS }, xml("forwarded", { xmlns: NS_FORWARD })),
    );
    expect(parseMessage(noMessage, SELF, NOW)).toEqual({ kind: "ignored" });
  });

  it("does not unwrap <received/> in a foreign namespace", () => {
    const stanza = xml(
      "message",
      { from: "mallory@evil.example", type: "chat" },
      xml("body", {}, "plain"),
      xml(
        "received",
        { xmlns: "urn:example:not-carbons" },
        xml("forwarded", { xmlns: NS_FORWARD }, xml("message", { from: "bob@example.com" }, xml("body", {}, "x"))),
      ),
    );
    const chat = chatOf(parseMessage(stanza, SELF, NOW));
    expect(chat.peer).toBe("mallory@evil.example");
    expect(chat.body).toBe("plain");
  });

  it("ignores a carbon wrapping a groupchat message", () => {
    const inner = xml("message", { from: "room@muc.example.com/bob", type: "groupchat" }, xml("body", {}, "x"));
    expect(parseMessage(carbon("received", SELF, inner), SELF, NOW)).toEqual({ kind: "ignored" });
  });
});

describe("parseMessage: XEP-0184 receipts", () => {
  it("parses an incoming receipt", () => {
    const stanza = xml(
      "message",
      { from: "Bob@example.com/phone", to: SELF, id: "r-1" },
      xml("received", { xmlns: NS_RECEIPTS, id: "m-42" }),
    );
    expect(parseMessage(stanza, SELF, NOW)).toEqual({
      kind: "receipt",
      receipt: { peer: "bob@example.com", id: "m-42" },
    });
  });

  it("parses a receipt arriving as a received carbon", () => {
    const inner = xml(
      "message",
      { from: "bob@example.com/phone", to: `${SELF}/m` },
      xml("received", { xmlns: NS_RECEIPTS, id: "m-7" }),
    );
    expect(parseMessage(carbon("received", SELF, inner), SELF, NOW)).toEqual({
      kind: "receipt",
      receipt: { peer: "bob@example.com", id: "m-7" },
    });
  });

  it("ignores our own receipts (sent carbons) and receipts without an id", () => {
    const ours = xml(
      "message",
      { from: `${SELF}/m`, to: "bob@example.com" },
      xml("received", { xmlns: NS_RECEIPTS, id: "m-1" }),
    );
    expect(parseMessage(carbon("sent", SELF, ours), SELF, NOW)).toEqual({ kind: "ignored" });
    const noId = xml("message", { from: "bob@example.com" }, xml("received", { xmlns: NS_RECEIPTS }));
    expect(parseMessage(noId, SELF, NOW)).toEqual({ kind: "ignored" });
  });

  it("ignores a receipt of type error", () => {
    const stanza = xml(
      "message",
      { from: "bob@example.com", type: "error" },
      xml("received", { xmlns: NS_RECEIPTS, id: "m-1" }),
    );
    expect(parseMessage(stanza, SELF, NOW)).toEqual({ kind: "ignored" });
  });
});

describe("messageKey", () => {
  const from = "Bob@Example.com/phone";
  it("prefers origin-id, scoped by the bare sender (XEP-0359 §4)", () => {
    expect(messageKey({ originId: "o1", id: "i1", archiveId: "a1", from })).toBe("o:bob@example.com:o1");
  });
  it("falls back to the bare sender plus id", () => {
    expect(messageKey({ originId: undefined, id: "i1", archiveId: "a1", from })).toBe("i:bob@example.com:i1");
  });
  it("the sender+id key does not depend on the resource", () => {
    expect(messageKey({ originId: undefined, id: "i1", archiveId: undefined, from: "bob@example.com/laptop" })).toBe(
      messageKey({ originId: undefined, id: "i1", archiveId: undefined, from }),
    );
  });
  it("then the archive id", () => {
    expect(messageKey({ originId: undefined, id: undefined, archiveId: "a1", from })).toBe("a:a1");
  });
  it("and finally a random key that never repeats", () => {
    const a = messageKey({ originId: undefined, id: undefined, archiveId: undefined, from });
    const b = messageKey({ originId: undefined, id: undefined, archiveId: undefined, from });
    expect(a).toMatch(/^r:/u);
    expect(a).not.toBe(b);
  });
  it("treats empty strings as absent", () => {
    expect(messageKey({ originId: "", id: "", archiveId: "a1", from })).toBe("a:a1");
  });
  it("a live message and its carbon produce the same key", () => {
    const sent = buildChat("bob@example.com", "hi", "uuid-1");
    sent.attrs.from = `${SELF}/web`;
    const live = chatOf(parseMessage(sent, SELF, NOW));
    const viaCarbon = chatOf(
      parseMessage(carbon("sent", SELF, buildChat("bob@example.com", "hi", "uuid-1")), SELF, NOW),
    );
    expect(messageKey(live)).toBe(`o:${SELF}:uuid-1`);
    expect(messageKey(viaCarbon)).toBe(messageKey(live));
  });
});

describe("buildChat / buildReceipt / buildEnableCarbons", () => {
  it("buildChat carries body, origin-id equal to id, and a receipt request", () => {
    const el = buildChat("bob@example.com", "hello <b>", "id-123");
    expect(el.name).toBe("message");
    expect(el.attrs).toMatchObject({ type: "chat", to: "bob@example.com", id: "id-123" });
    expect(el.getChildText("body")).toBe("hello <b>");
    expect(el.getChild("origin-id", NS_SID)?.attrs.id).toBe("id-123");
    expect(el.getChild("request", NS_RECEIPTS)).toBeDefined();
    expect(el.getChild("markable", "urn:xmpp:chat-markers:0")).toBeDefined();
    expect(el.toString()).toContain("hello &lt;b&gt;");
  });

  it("buildChat round-trips through parseMessage", () => {
    const wire = parseXml(buildChat("bob@example.com", "round & trip", "rt-1").toString());
    wire.attrs.from = `${SELF}/web`;
    const chat = chatOf(parseMessage(wire, SELF, NOW));
    expect(chat).toMatchObject({
      direction: "out",
      peer: "bob@example.com",
      body: "round & trip",
      id: "rt-1",
      originId: "rt-1",
      requestsReceipt: true,
    });
  });

  it("buildReceipt echoes the acknowledged id, has its own id and asks for storage", () => {
    const el = buildReceipt("bob@example.com/phone", "m-42");
    expect(el.name).toBe("message");
    expect(el.attrs.to).toBe("bob@example.com/phone");
    expect(el.attrs.type).toBeUndefined();
    expect(el.getChild("received", NS_RECEIPTS)?.attrs.id).toBe("m-42");
    expect(el.getChild("store", NS_HINTS)).toBeDefined();
    expect(el.attrs.id).toBeTruthy();
    expect(el.attrs.id).not.toBe("m-42");
    expect(el.getChild("request", NS_RECEIPTS)).toBeUndefined();
    expect(el.getChild("body")).toBeUndefined();
    expect(buildReceipt("x@y", "1").attrs.id).not.toBe(el.attrs.id);
  });

  it("a receipt we build is parsed as a receipt by the peer", () => {
    const el = buildReceipt("bob@example.com/phone", "m-42");
    el.attrs.from = `${SELF}/web`;
    expect(parseMessage(el, "bob@example.com", NOW)).toEqual({
      kind: "receipt",
      receipt: { peer: SELF, id: "m-42" },
    });
  });

  it("buildEnableCarbons", () => {
    const el = buildEnableCarbons();
    expect(el.name).toBe("enable");
    expect(el.attrs.xmlns).toBe(NS_CARBONS);
  });
});
