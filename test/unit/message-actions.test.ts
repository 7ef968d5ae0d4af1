// Replies (XEP-0461 + XEP-0428), corrections (XEP-0308), retractions (XEP-0424) and reactions (XEP-0444): the
// stanzas other clients send, parsed; and what Parley builds.
import { describe, expect, it } from "vitest";
import { parseMessage, type IncomingMessage, type ParsedAction } from "../../src/xmpp/message.ts";
import { buildFallback, codePointLength, parseFallback, stripRange } from "../../src/xmpp/fallback.ts";
import { buildReactions, isReaction, MAX_REACTIONS_PER_SENDER } from "../../src/xmpp/reactions.ts";
import { buildRetraction, parseRetract, RETRACT_FALLBACK_TEXT } from "../../src/xmpp/retraction.ts";
import { buildReply, NS_REPLY } from "../../src/xmpp/reply.ts";
import { buildReplace } from "../../src/xmpp/correction.ts";
import { parseXml } from "./xml-helpers.ts";

const SELF = "alice@example.com";
const NOW = 1_700_000_000_000;
const wrap = (inner: string, attrs = 'from="bob@example.com/phone" type="chat" id="m9"'): string =>
  `<message xmlns="jabber:client" to="${SELF}/web" ${attrs}>${inner}</message>`;

function actionOf(result: IncomingMessage): ParsedAction {
  if (result.kind !== "action") throw new Error(`not an action: ${result.kind}`);
  return result.action;
}

describe("replies (XEP-0461, XEP-0428)", () => {
  it("removes the quote of a clear reply, as Conversations sends it", () => {
    const body = "> Bob wrote:\n> hi 👋\nhello back";
    const end = codePointLength("> Bob wrote:\n> hi 👋\n");
    const parsed = parseMessage(
      parseXml(
        wrap(
          `<body>${body}</body><reply xmlns="urn:xmpp:reply:0" to="${SELF}/web" id="orig-1"/>` +
            `<fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:reply:0"><body start="0" end="${end}"/></fallback>`,
        ),
      ),
      SELF,
      NOW,
    );
    expect(parsed.kind).toBe("chat");
    if (parsed.kind !== "chat") return;
    expect(parsed.chat.body).toBe("hello back");
    expect(parsed.chat.replyTo).toBe("orig-1");
    expect(parsed.chat.fallback).toBeUndefined();
  });

  it("keeps a reply without fallback whole, and ignores a range outside the body", () => {
    const noFallback = parseMessage(
      parseXml(wrap(`<body>yes</body><reply xmlns="urn:xmpp:reply:0" id="x"/>`)),
      SELF,
      NOW,
    );
    expect(noFallback.kind === "chat" && noFallback.chat.body).toBe("yes");
    const outside = parseMessage(
      parseXml(
        wrap(
          `<body>yes</body><reply xmlns="urn:xmpp:reply:0" id="x"/>` +
            `<fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:reply:0"><body start="0" end="40"/></fallback>`,
        ),
      ),
      SELF,
      NOW,
    );
    expect(outside.kind === "chat" && outside.chat.body).toBe("yes");
  });

  it("keeps the range of an encrypted reply for the browser", () => {
    const parsed = parseMessage(
      parseXml(
        wrap(
          `<encrypted xmlns="eu.siacs.conversations.axolotl"><header sid="7"><key rid="1">AAAA</key><iv>AAAAAAAAAAAAAAAA</iv></header><payload>AAAA</payload></encrypted>` +
            `<reply xmlns="urn:xmpp:reply:0" id="x"/>` +
            `<fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:reply:0"><body start="0" end="12"/></fallback>`,
        ),
      ),
      SELF,
      NOW,
    );
    expect(parsed.kind).toBe("chat");
    if (parsed.kind !== "chat") return;
    expect(parsed.chat.encrypted).not.toBeNull();
    expect(parsed.chat.fallback).toEqual({ start: 0, end: 12 });
  });

  it("counts code points, not UTF-16 units", () => {
    expect(codePointLength("a👋b")).toBe(3);
    expect(stripRange("👋👋 hi", { start: 0, end: 3 })).toBe("hi");
    const el = parseXml(
      wrap(`<fallback xmlns="urn:xmpp:fallback:0" for="${NS_REPLY}"><body start="2" end="1"/></fallback>`),
    );
    expect(parseFallback(el, NS_REPLY, 10)).toBeNull();
    expect(buildFallback(NS_REPLY, { start: 0, end: 5 }).toString()).toContain('start="0" end="5"');
    expect(buildReply({ id: "x", to: SELF }).toString()).toBe(`<reply xmlns="${NS_REPLY}" id="x" to="${SELF}"/>`);
  });
});

describe("corrections (XEP-0308)", () => {
  it("turns a replacing message into an edit of the original id", () => {
    const action = actionOf(
      parseMessage(
        parseXml(wrap(`<body>fixed</body><replace xmlns="urn:xmpp:message-correct:0" id="orig-1"/>`)),
        SELF,
        NOW,
      ),
    );
    expect(action.kind).toBe("edit");
    if (action.kind !== "edit") return;
    expect(action.target).toBe("orig-1");
    expect(action.chat.body).toBe("fixed");
    expect(action.chat.direction).toBe("in");
    expect(buildReplace("o").toString()).toBe('<replace xmlns="urn:xmpp:message-correct:0" id="o"/>');
  });
});

describe("retractions (XEP-0424)", () => {
  it("reads version 1 and the older fastening form, and not its fallback body", () => {
    const v1 = actionOf(
      parseMessage(
        parseXml(
          wrap(
            `<retract xmlns="urn:xmpp:message-retract:1" id="orig-1"/><fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:message-retract:1"/><body>${RETRACT_FALLBACK_TEXT}</body>`,
          ),
        ),
        SELF,
        NOW,
      ),
    );
    expect(v1).toMatchObject({ kind: "retract", target: "orig-1", direction: "in", peer: "bob@example.com" });
    const v0 = parseRetract(
      parseXml(
        wrap(
          `<apply-to xmlns="urn:xmpp:fasten:0" id="orig-2"><retract xmlns="urn:xmpp:message-retract:0"/></apply-to>`,
        ),
      ),
    );
    expect(v0).toBe("orig-2");
  });

  it("builds both forms with a fallback body and a store hint", () => {
    const el = buildRetraction("bob@example.com", "r1", "orig-1");
    const text = el.toString();
    expect(text).toContain('<retract xmlns="urn:xmpp:message-retract:1" id="orig-1"/>');
    expect(text).toContain('<apply-to xmlns="urn:xmpp:fasten:0" id="orig-1">');
    expect(text).toContain('<store xmlns="urn:xmpp:hints"/>');
    expect(parseRetract(el)).toBe("orig-1");
  });
});

describe("reactions (XEP-0444)", () => {
  it("parses the sender's whole set, emoji only, deduplicated and bounded", () => {
    const many = Array.from({ length: 40 }, (_, i) => `<reaction>${String.fromCodePoint(0x1f600 + i)}</reaction>`);
    const action = actionOf(
      parseMessage(
        parseXml(
          wrap(
            `<reactions xmlns="urn:xmpp:reactions:0" id="orig-1"><reaction>👍</reaction><reaction>👍</reaction>` +
              `<reaction>not an emoji</reaction><reaction>❤️</reaction>${many.join("")}</reactions>`,
          ),
        ),
        SELF,
        NOW,
      ),
    );
    expect(action.kind).toBe("react");
    if (action.kind === "edit") return;
    expect(action.emojis.slice(0, 2)).toEqual(["👍", "❤️"]);
    expect(action.emojis).toHaveLength(MAX_REACTIONS_PER_SENDER);
  });

  it("an empty set removes every reaction", () => {
    const action = actionOf(
      parseMessage(parseXml(wrap(`<reactions xmlns="urn:xmpp:reactions:0" id="orig-1"/>`)), SELF, NOW),
    );
    expect(action.kind !== "edit" && action.emojis).toEqual([]);
  });

  it("reads our own reactions from another device as outgoing (carbon)", () => {
    const carbon = parseXml(
      `<message xmlns="jabber:client" from="${SELF}" to="${SELF}/web" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0">` +
        `<message xmlns="jabber:client" from="${SELF}/phone" to="bob@example.com" type="chat" id="r1"><reactions xmlns="urn:xmpp:reactions:0" id="b1"><reaction>😂</reaction></reactions></message>` +
        `</forwarded></sent></message>`,
    );
    const action = actionOf(parseMessage(carbon, SELF, NOW));
    expect(action).toMatchObject({ kind: "react", direction: "out", peer: "bob@example.com", emojis: ["😂"] });
  });

  it("tells emoji from text", () => {
    for (const e of ["👍", "❤️", "😂", "🇫🇷", "👩‍👩‍👧"]) expect(isReaction(e)).toBe(true);
    for (const t of ["", "a", "+1", "👍 ", "<b>", "1️⃣x"]) expect(isReaction(t)).toBe(false);
    expect(buildReactions("bob@example.com", "r", "t", ["👍"]).toString()).toContain(
      '<reactions xmlns="urn:xmpp:reactions:0" id="t"><reaction>👍</reaction></reactions>',
    );
  });
});
