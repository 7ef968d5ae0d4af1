import { describe, it, expect } from "vitest";
import {
  MAX_BODY_CHARS,
  MAX_FRAME_BYTES,
  MAX_NICK_CHARS,
  parseClientFrame,
  parseRoomFrame,
  parseServerFrame,
  type RoomFrame,
  type ClientFrame,
  type ParseResult,
  type ServerFrame,
} from "../../src/protocol/index.ts";

function ok(result: ParseResult<ClientFrame>): ClientFrame {
  expect(result.ok).toBe(true);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.frame;
}

function failure(raw: string | ArrayBuffer): { code: string; message: string } {
  const result = parseClientFrame(raw);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("unexpectedly parsed");
  return { code: result.code, message: result.message };
}

const VALID: ClientFrame[] = [
  { type: "message.send", requestId: "r1", to: "bob@example.com", body: "hi" },
  { type: "presence.set", show: "dnd", status: "busy" },
  { type: "roster.add", requestId: "r2", jid: "bob@example.com", name: "Bob" },
  { type: "roster.add", requestId: "r3", jid: "bob@example.com" },
  { type: "subscription.answer", jid: "bob@example.com", accept: false },
  { type: "history.load", requestId: "r4", peer: "bob@example.com", before: null },
  { type: "history.load", requestId: "r5", peer: "bob@example.com", before: { ts: 1700000000000, key: "o:abc" } },
  { type: "conversation.read", peer: "bob@example.com" },
  { type: "ping" },
  { type: "room.join", requestId: "r6", room: "tea@conference.example.com" },
  { type: "room.join", requestId: "r7", room: "tea@conference.example.com", nick: "Ann 🌸", password: "secret" },
  { type: "room.leave", requestId: "r8", room: "tea@conference.example.com" },
];

describe("parseClientFrame", () => {
  it.each(VALID.map((f) => [f.type, f] as const))("accepts a valid %s frame", (_type, frame) => {
    expect(ok(parseClientFrame(JSON.stringify(frame)))).toEqual(frame);
  });

  it("strips unknown extra keys", () => {
    const frame = ok(parseClientFrame('{"type":"ping","extra":1,"__proto__":{"polluted":true}}'));
    expect(frame).toEqual({ type: "ping" });
    expect(Object.keys(frame)).toEqual(["type"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("passes an HTML body through unchanged (rendering is inert elsewhere)", () => {
    const body = `<script>alert("x")</script><img src=x onerror=alert(1)> &amp; 💬`;
    const frame = ok(
      parseClientFrame(JSON.stringify({ type: "message.send", requestId: "r", to: "bob@example.com", body })),
    );
    expect(frame.type === "message.send" && frame.body).toBe(body);
  });

  it("refuses a frame over 64 KiB with frame-too-large", () => {
    const body = "x".repeat(MAX_FRAME_BYTES);
    expect(failure(JSON.stringify({ type: "message.send", requestId: "r", to: "bob@example.com", body })).code).toBe(
      "frame-too-large",
    );
    expect(failure("x".repeat(MAX_FRAME_BYTES + 1)).code).toBe("frame-too-large");
  });

  it("measures the size in UTF-8 bytes, not characters", () => {
    // 3 bytes per character: well under 64 Ki characters, over 64 KiB.
    const raw = JSON.stringify({ type: "ping", pad: "€".repeat(22_000) });
    expect(raw.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(failure(raw).code).toBe("frame-too-large");
  });

  it("accepts a frame of exactly 64 KiB (then judges its content)", () => {
    const prefix = '{"type":"ping","pad":"';
    const raw = `${prefix}${"y".repeat(MAX_FRAME_BYTES - prefix.length - 2)}"}`;
    expect(new TextEncoder().encode(raw).byteLength).toBe(MAX_FRAME_BYTES);
    expect(ok(parseClientFrame(raw))).toEqual({ type: "ping" });
  });

  it("refuses binary frames: bad-frame, or frame-too-large when huge", () => {
    const json = new TextEncoder().encode('{"type":"ping"}');
    const binary = new ArrayBuffer(json.byteLength);
    new Uint8Array(binary).set(json);
    expect(failure(binary).code).toBe("bad-frame");
    expect(failure(new ArrayBuffer(MAX_FRAME_BYTES + 1)).code).toBe("frame-too-large");
  });

  it.each(["", "not json", "{", "{'type':'ping'}", "undefined"])("refuses invalid JSON %j with bad-frame", (raw) => {
    expect(failure(raw).code).toBe("bad-frame");
  });

  it.each(["null", "42", '"ping"', "[]", '[{"type":"ping"}]', "{}", '{"type":42}', '{"type":null}'])(
    "refuses %j (no string type) with bad-frame",
    (raw) => {
      expect(failure(raw).code).toBe("bad-frame");
    },
  );

  it.each(["message.delete", "PING", "", "toString", "__proto__", "constructor"])(
    "refuses type %j with unknown-type",
    (type) => {
      expect(failure(JSON.stringify({ type })).code).toBe("unknown-type");
    },
  );

  it("bounds the echoed unknown type in the message", () => {
    const { code, message } = failure(JSON.stringify({ type: "z".repeat(5000) }));
    expect(code).toBe("unknown-type");
    expect(message.length).toBeLessThan(200);
  });

  it.each([
    ["message.send without body", { type: "message.send", requestId: "r", to: "bob@example.com" }],
    ["message.send with empty body", { type: "message.send", requestId: "r", to: "bob@example.com", body: "" }],
    [
      "message.send with body too long",
      { type: "message.send", requestId: "r", to: "bob@example.com", body: "b".repeat(MAX_BODY_CHARS + 1) },
    ],
    ["message.send without requestId", { type: "message.send", to: "bob@example.com", body: "x" }],
    ["message.send with empty requestId", { type: "message.send", requestId: "", to: "bob@example.com", body: "x" }],
    [
      "message.send with long requestId",
      { type: "message.send", requestId: "r".repeat(65), to: "bob@example.com", body: "x" },
    ],
    ["message.send with short to", { type: "message.send", requestId: "r", to: "a@", body: "x" }],
    ["message.send with numeric body", { type: "message.send", requestId: "r", to: "bob@example.com", body: 5 }],
    ["presence.set with unknown show", { type: "presence.set", show: "busy", status: "" }],
    ["presence.set without status", { type: "presence.set", show: "away" }],
    ["presence.set with long status", { type: "presence.set", show: "away", status: "s".repeat(1025) }],
    ["roster.add without jid", { type: "roster.add", requestId: "r" }],
    [
      "roster.add with long name",
      { type: "roster.add", requestId: "r", jid: "bob@example.com", name: "n".repeat(257) },
    ],
    ["subscription.answer with string accept", { type: "subscription.answer", jid: "bob@example.com", accept: "yes" }],
    ["history.load without before", { type: "history.load", requestId: "r", peer: "bob@example.com" }],
    [
      "history.load with fractional ts",
      { type: "history.load", requestId: "r", peer: "bob@example.com", before: { ts: 1.5, key: "k" } },
    ],
    [
      "history.load with long key",
      { type: "history.load", requestId: "r", peer: "bob@example.com", before: { ts: 1, key: "k".repeat(513) } },
    ],
    ["conversation.read without peer", { type: "conversation.read" }],
  ])("refuses %s with bad-frame", (_name, frame) => {
    const { code, message } = failure(JSON.stringify(frame));
    expect(code).toBe("bad-frame");
    expect(message).toContain(frame.type);
  });

  // XML 1.0 §2.2: these cannot be carried in a stanza; Prosody answers with a not-well-formed stream error and the
  // session drops (a pasted ANSI colour code in a body, or in a status that is re-sent at every login).
  it.each([
    ["NUL in a body", { type: "message.send", requestId: "r", to: "bob@example.com", body: "a\u0000b" }],
    [
      "ESC (ANSI colour) in a body",
      { type: "message.send", requestId: "r", to: "bob@example.com", body: "\u001b[31mred\u001b[0m" },
    ],
    ["U+FFFF in a body", { type: "message.send", requestId: "r", to: "bob@example.com", body: "x\uffff" }],
    ["a control character in a status", { type: "presence.set", show: "away", status: "back\u0007" }],
    [
      "a control character in a roster name",
      { type: "roster.add", requestId: "r", jid: "bob@example.com", name: "B\u0001ob" },
    ],
    ["a control character in a roster jid", { type: "roster.add", requestId: "r", jid: "b\u0008ob@example.com" }],
    [
      "a control character in a message recipient",
      { type: "message.send", requestId: "r", to: "bob\u0000@example.com", body: "x" },
    ],
    [
      "a control character in a subscription answer",
      { type: "subscription.answer", jid: "bob@exa\u0002mple.com", accept: true },
    ],
    [
      "a control character in a history peer",
      { type: "history.load", requestId: "r", peer: "bob@example.com\u0003", before: null },
    ],
  ])("refuses %s (XML cannot carry it) with bad-frame", (_name, frame) => {
    expect(failure(JSON.stringify(frame)).code).toBe("bad-frame");
  });

  it("still accepts tabs, newlines, emoji and other non-ASCII text in bodies and statuses", () => {
    const body = "line 1\r\n\tline 2 — ünïcödé 💬 \ud7ff \ue000 \ufffd";
    const frame = ok(
      parseClientFrame(JSON.stringify({ type: "message.send", requestId: "r", to: "bob@example.com", body })),
    );
    expect(frame.type === "message.send" && frame.body).toBe(body);
    expect(ok(parseClientFrame(JSON.stringify({ type: "presence.set", show: "dnd", status: "🎧\nfocus" })))).toEqual({
      type: "presence.set",
      show: "dnd",
      status: "🎧\nfocus",
    });
  });

  it("accepts a body of exactly MAX_BODY_CHARS", () => {
    const frame = { type: "message.send", requestId: "r", to: "bob@example.com", body: "b".repeat(MAX_BODY_CHARS) };
    expect(ok(parseClientFrame(JSON.stringify(frame)))).toEqual(frame);
  });
});

describe("room frames (issue #8)", () => {
  it("refuses a nickname or password XML cannot carry, or too long, and a room that is no bare JID", () => {
    const join = (extra: Record<string, unknown>) =>
      JSON.stringify({ type: "room.join", requestId: "j", room: "tea@conference.example.com", ...extra });
    expect(failure(join({ nick: "a\u0001b" })).code).toBe("bad-frame");
    expect(failure(join({ nick: "x".repeat(MAX_NICK_CHARS + 1) })).code).toBe("bad-frame");
    expect(failure(join({ nick: "" })).code).toBe("bad-frame");
    expect(failure(join({ password: "p\u0000" })).code).toBe("bad-frame");
    expect(failure(join({ room: "tea@conference.example.com/nick" })).code).toBe("bad-frame");
  });

  it("parses a room frame (a server frame like the others), refusing an unknown state", () => {
    const frame: RoomFrame = {
      type: "room",
      room: {
        room: "tea@conference.example.com",
        kind: "group",
        nick: "ann",
        state: "error",
        error: "kicked: spam",
        participants: 0,
        role: "none",
        affiliation: "member",
        autojoin: true,
        notify: null,
      },
    };
    expect(parseRoomFrame(JSON.stringify(frame))).toEqual(frame);
    expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
    expect(parseRoomFrame(JSON.stringify({ ...frame, room: { ...frame.room, state: "gone" } }))).toBeNull();
  });
});

describe("parseServerFrame", () => {
  const snapshot: ServerFrame = {
    type: "snapshot",
    self: { jid: "alice@example.com", show: "online", status: "" },
    connection: "online",
    roster: [
      {
        jid: "bob@example.com",
        name: "Bob",
        subscription: "both",
        ask: false,
        groups: ["Friends"],
        presences: [{ resource: "phone", show: "away", status: "", priority: 0 }],
      },
    ],
    conversations: [{ peer: "bob@example.com", lastTs: 1, lastBody: "hi", unread: 2 }],
    subscriptionRequests: ["carol@example.com"],
  };

  it("accepts a snapshot", () => {
    expect(parseServerFrame(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it("accepts other frames", () => {
    const frames: ServerFrame[] = [
      { type: "pong" },
      { type: "ack", requestId: "r" },
      { type: "error", code: "bad-frame", message: "x" },
      { type: "connection", state: "reconnecting", reason: "lost" },
      {
        type: "message",
        message: { key: "o:1", peer: "bob@example.com", direction: "in", body: "x", ts: 1, receipt: null },
        conversation: { peer: "bob@example.com", lastTs: 1, lastBody: "x", unread: 1 },
      },
    ];
    for (const frame of frames) expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
  });

  it.each([
    ["a non-string", 42],
    ["an ArrayBuffer", new ArrayBuffer(4)],
    ["an object (not serialised)", { type: "pong" }],
    ["invalid JSON", "{nope"],
    ["null JSON", "null"],
    ["an unknown type", JSON.stringify({ type: "bogus" })],
    ["a snapshot missing fields", JSON.stringify({ type: "snapshot", self: { jid: "a@b" } })],
    ["a snapshot with a bad show", JSON.stringify({ ...snapshot, self: { jid: "a@b", show: "busy", status: "" } })],
    ["an error with an unknown code", JSON.stringify({ type: "error", code: "teapot", message: "x" })],
  ])("rejects %s", (_name, raw) => {
    expect(parseServerFrame(raw)).toBeNull();
  });
});

describe("stripXmlIllegal", () => {
  it("removes control characters XML cannot carry and keeps everything else", async () => {
    const { stripXmlIllegal } = await import("../../src/protocol/index.ts");
    expect(stripXmlIllegal("a\u001b[31mred\u0000\ttab\nnew ünï 😀")).toBe("a[31mred\ttab\nnew ünï 😀");
  });
});

describe("every string that reaches XML, every address (issue #6 §9)", () => {
  const node = "eu.siacs.conversations.axolotl.devicelist";
  it("refuses an item id or payload with characters XML cannot carry", () => {
    const frame = { type: "pep.publish", requestId: "p1", node, itemId: "current", payload: "<list/>" };
    expect(failure(JSON.stringify({ ...frame, itemId: "cur\u0001rent" })).code).toBe("bad-frame");
    expect(failure(JSON.stringify({ ...frame, payload: "<list>\u0001</list>" })).code).toBe("bad-frame");
    ok(parseClientFrame(JSON.stringify(frame)));
  });

  it("parses every JID field like a typed address: normalised, or refused", () => {
    for (const f of [
      { type: "pep.fetch", requestId: "f1", jid: "not a jid", node },
      { type: "subscription.answer", jid: "bob@exa mple.com", accept: true },
      { type: "history.load", requestId: "h1", peer: "bob@example.com/phone", before: null },
      { type: "conversation.read", peer: "@example.com" },
    ]) {
      expect(failure(JSON.stringify(f)).code).toBe("bad-frame");
    }
    const parsed = ok(parseClientFrame(JSON.stringify({ type: "conversation.read", peer: "ＢＯＢ@Example.com" })));
    expect(parsed).toEqual({ type: "conversation.read", peer: "bob@example.com" });
  });

  it("request ids are plain tokens", () => {
    expect(failure(JSON.stringify({ type: "pep.fetch", requestId: "<x>", jid: "bob@example.com", node })).code).toBe(
      "bad-frame",
    );
  });
});
