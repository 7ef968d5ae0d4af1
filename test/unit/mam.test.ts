import { describe, it, expect } from "vitest";
import { xml, type Element } from "@xmpp/xml";
import { NS_MAM, NS_RSM, archiveStamp, buildMamQuery, parseMamFin, parseMamResult } from "../../src/xmpp/mam.ts";
import { NS_FORWARD, parseMessage } from "../../src/xmpp/message.ts";
import { parseXml } from "./xml-helpers.ts";

const SELF = "alice@example.com";

function formFields(query: Element): Map<string, string | null> {
  const form = query.getChild("x", "jabber:x:data");
  expect(form?.attrs.type).toBe("submit");
  return new Map((form?.getChildren("field") ?? []).map((f) => [f.attrs.var ?? "", f.getChildText("value")]));
}

describe("buildMamQuery (XEP-0313 §4, XEP-0059)", () => {
  it("filters by time with start and end (XEP-0313 §4.1.2), in whole seconds", () => {
    const start = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
    const q = buildMamQuery({ queryId: "q", with: "bob@example.com", start, end: start + 60_000, max: 5 });
    expect(formFields(q)).toEqual(
      new Map([
        ["FORM_TYPE", NS_MAM],
        ["with", "bob@example.com"],
        ["start", "2025-01-02T03:04:05Z"],
        ["end", "2025-01-02T03:05:05Z"],
      ]),
    );
  });

  it("reads when a result was archived from its forwarded delay (XEP-0203), or nothing", () => {
    const result = (delay: string) =>
      parseMamResult(
        parseXml(
          `<message xmlns="jabber:client" to="${SELF}"><result xmlns="${NS_MAM}" queryid="q" id="a1"><forwarded xmlns="${NS_FORWARD}">${delay}<message xmlns="jabber:client" from="bob@example.com" to="${SELF}" type="chat"><body>hi</body></message></forwarded></result></message>`,
        ),
        SELF,
      );
    const with_ = result(`<delay xmlns="urn:xmpp:delay" stamp="2025-01-02T03:04:05Z"/>`);
    expect(with_ && archiveStamp(with_)).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
    const without = result("");
    expect(without && archiveStamp(without)).toBeUndefined();
    const bad = result(`<delay xmlns="urn:xmpp:delay" stamp="yesterday"/>`);
    expect(bad && archiveStamp(bad)).toBeUndefined();
  });

  it("has the query id, the FORM_TYPE hidden field and an RSM max", () => {
    const q = buildMamQuery({ queryId: "q1", max: 50 });
    expect(q.name).toBe("query");
    expect(q.attrs).toEqual({ xmlns: NS_MAM, queryid: "q1" });
    const formType = q
      .getChild("x", "jabber:x:data")
      ?.getChildren("field")
      .find((f) => f.attrs.var === "FORM_TYPE");
    expect(formType?.attrs.type).toBe("hidden");
    expect(formFields(q)).toEqual(new Map([["FORM_TYPE", NS_MAM]]));
    const set = q.getChild("set", NS_RSM);
    expect(set?.getChildText("max")).toBe("50");
    expect(set?.getChild("after")).toBeUndefined();
    expect(set?.getChild("before")).toBeUndefined();
  });

  it("adds a with field", () => {
    const q = buildMamQuery({ queryId: "q2", with: "bob@example.com", max: 10 });
    expect(formFields(q)).toEqual(
      new Map([
        ["FORM_TYPE", NS_MAM],
        ["with", "bob@example.com"],
      ]),
    );
  });

  it("pages with after", () => {
    const set = buildMamQuery({ queryId: "q", max: 5, after: "arch-9" }).getChild("set", NS_RSM);
    expect(set?.getChildText("after")).toBe("arch-9");
    expect(set?.getChild("before")).toBeUndefined();
  });

  it("pages with before, and an empty before asks for the last page", () => {
    const set = buildMamQuery({ queryId: "q", max: 5, before: "arch-3" }).getChild("set", NS_RSM);
    expect(set?.getChildText("before")).toBe("arch-3");
    const last = buildMamQuery({ queryId: "q", max: 5, before: "" });
    const before = last.getChild("set", NS_RSM)?.getChild("before");
    expect(before).toBeDefined();
    expect(before?.text()).toBe("");
    expect(last.toString()).toContain("<before/>");
  });

  it("escapes values in the serialised query", () => {
    const q = buildMamQuery({ queryId: 'q"<', with: "a&b@example.com", max: 1 });
    const parsed = parseXml(q.toString());
    expect(parsed.attrs.queryid).toBe('q"<');
    expect(formFields(parsed).get("with")).toBe("a&b@example.com");
  });
});

function resultStanza(attrs: Record<string, string>, resultAttrs: Record<string, string>, withMessage = true): Element {
  return xml(
    "message",
    { to: `${SELF}/web`, ...attrs },
    xml(
      "result",
      { xmlns: NS_MAM, ...resultAttrs },
      xml(
        "forwarded",
        { xmlns: NS_FORWARD },
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2010-07-10T23:08:25Z" }),
        withMessage
          ? xml("message", { from: "bob@example.com/x", to: SELF, type: "chat", id: "m1" }, xml("body", {}, "old"))
          : null,
      ),
    ),
  );
}

describe("parseMamResult", () => {
  it("parses a result from our own account", () => {
    const r = parseMamResult(resultStanza({ from: SELF }, { queryid: "q1", id: "arch-1" }), SELF);
    expect(r).not.toBeNull();
    expect(r?.queryId).toBe("q1");
    expect(r?.archiveId).toBe("arch-1");
    expect(r?.message.getChildText("body")).toBe("old");
    expect(r?.forwarded.name).toBe("forwarded");
  });

  it("accepts a result without from", () => {
    expect(parseMamResult(resultStanza({}, { queryid: "q1", id: "arch-1" }), SELF)).not.toBeNull();
  });

  it("rejects a result from another JID", () => {
    expect(parseMamResult(resultStanza({ from: "mallory@evil.example" }, { queryid: "q1", id: "a" }), SELF)).toBeNull();
    expect(parseMamResult(resultStanza({ from: "example.com" }, { queryid: "q1", id: "a" }), SELF)).toBeNull();
  });

  it("returns null when a part is missing", () => {
    expect(parseMamResult(resultStanza({}, { id: "a" }), SELF)).toBeNull();
    expect(parseMamResult(resultStanza({}, { queryid: "q" }), SELF)).toBeNull();
    expect(parseMamResult(resultStanza({}, { queryid: "q", id: "a" }, false), SELF)).toBeNull();
    const noForwarded = xml("message", {}, xml("result", { xmlns: NS_MAM, queryid: "q", id: "a" }));
    expect(parseMamResult(noForwarded, SELF)).toBeNull();
    expect(parseMamResult(xml("message", { from: SELF }, xml("body", {}, "not mam")), SELF)).toBeNull();
    const wrongNs = xml("message", {}, xml("result", { xmlns: "urn:xmpp:mam:1", queryid: "q", id: "a" }));
    expect(parseMamResult(wrongNs, SELF)).toBeNull();
  });

  it("feeds parseMessage with the forwarded delay as timestamp", () => {
    const r = parseMamResult(resultStanza({ from: SELF }, { queryid: "q1", id: "arch-1" }), SELF);
    if (!r) throw new Error("expected a result");
    const parsed = parseMessage(r.message, SELF, Date.now(), r.forwarded);
    expect(parsed.kind).toBe("chat");
    if (parsed.kind === "chat") expect(parsed.chat.ts).toBe(Date.UTC(2010, 6, 10, 23, 8, 25));
  });
});

describe("parseMamFin", () => {
  it("reads complete, first and last", () => {
    const iq = parseXml(
      `<iq type="result" id="q1"><fin xmlns="${NS_MAM}" complete="true">` +
        `<set xmlns="${NS_RSM}"><first index="0">a1</first><last>a9</last><count>9</count></set></fin></iq>`,
    );
    expect(parseMamFin(iq)).toEqual({ complete: true, first: "a1", last: "a9" });
  });

  it("complete defaults to false; an empty page has no first/last", () => {
    const iq = xml(
      "iq",
      { type: "result" },
      xml("fin", { xmlns: NS_MAM }, xml("set", { xmlns: NS_RSM }, xml("count", {}, "0"))),
    );
    expect(parseMamFin(iq)).toEqual({ complete: false, first: undefined, last: undefined });
    const notTrue = xml("iq", { type: "result" }, xml("fin", { xmlns: NS_MAM, complete: "1" }));
    expect(parseMamFin(notTrue).complete).toBe(false);
  });

  it("an iq without <fin/> is not complete", () => {
    expect(parseMamFin(xml("iq", { type: "result" }))).toEqual({ complete: false, first: undefined, last: undefined });
  });
});
