import { describe, it, expect } from "vitest";
import { WEBSOCKET_REL, isWebSocketUrl, parseHostMetaJson, parseHostMetaXml } from "../../src/xmpp/host-meta.ts";

const BOSH_REL = "urn:xmpp:alt-connections:xbosh";

describe("parseHostMetaJson (XEP-0156)", () => {
  it("returns the WebSocket link", () => {
    const doc = {
      links: [
        { rel: BOSH_REL, href: "https://example.com/http-bind" },
        { rel: WEBSOCKET_REL, href: "wss://example.com/xmpp-websocket" },
      ],
    };
    expect(parseHostMetaJson(JSON.stringify(doc))).toBe("wss://example.com/xmpp-websocket");
  });

  it("returns the first ws(s) link and accepts ws:", () => {
    const doc = {
      links: [
        { rel: WEBSOCKET_REL, href: "ws://localhost:5280/xmpp-websocket" },
        { rel: WEBSOCKET_REL, href: "wss://second.example/ws" },
      ],
    };
    expect(parseHostMetaJson(JSON.stringify(doc))).toBe("ws://localhost:5280/xmpp-websocket");
  });

  it("ignores non-ws links, even under the websocket rel", () => {
    const doc = {
      links: [
        { rel: WEBSOCKET_REL, href: "https://example.com/ws" },
        { rel: WEBSOCKET_REL, href: "javascript:alert(1)" },
        { rel: WEBSOCKET_REL, href: "not a url" },
        { rel: BOSH_REL, href: "wss://example.com/bosh-but-ws" },
      ],
    };
    expect(parseHostMetaJson(JSON.stringify(doc))).toBeNull();
  });

  it("skips malformed link entries and keeps looking", () => {
    const doc = {
      links: [
        null,
        42,
        "x",
        { rel: WEBSOCKET_REL },
        { href: "wss://x.example/" },
        { rel: WEBSOCKET_REL, href: 7 },
        { rel: WEBSOCKET_REL, href: "wss://ok.example/ws" },
      ],
    };
    expect(parseHostMetaJson(JSON.stringify(doc))).toBe("wss://ok.example/ws");
  });

  it.each([
    "",
    "not json",
    "null",
    "[]",
    "42",
    '"links"',
    "{}",
    '{"links":{}}',
    '{"links":null}',
    '{"links":[]}',
    "<XRD/>",
  ])("returns null for %j", (text) => {
    expect(parseHostMetaJson(text)).toBeNull();
  });
});

describe("parseHostMetaXml (XEP-0156)", () => {
  it("returns the WebSocket link from an XRD", () => {
    const xrd = `<?xml version='1.0' encoding='utf-8'?>
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
  <Link rel="${BOSH_REL}" href="https://example.com/http-bind" />
  <Link rel="${WEBSOCKET_REL}" href="wss://example.com/xmpp-websocket" />
</XRD>`;
    expect(parseHostMetaXml(xrd)).toBe("wss://example.com/xmpp-websocket");
  });

  it("accepts single quotes, attribute order and non-self-closing links", () => {
    const xrd = `<XRD><Link href='ws://localhost:5280/ws' rel='${WEBSOCKET_REL}'></Link></XRD>`;
    expect(parseHostMetaXml(xrd)).toBe("ws://localhost:5280/ws");
  });

  it("ignores non-ws links", () => {
    const xrd = `<XRD>
  <Link rel="${BOSH_REL}" href="https://example.com/http-bind"/>
  <Link rel="${WEBSOCKET_REL}" href="https://example.com/not-ws"/>
  <Link rel="${WEBSOCKET_REL}" href="javascript:alert(1)"/>
</XRD>`;
    expect(parseHostMetaXml(xrd)).toBeNull();
  });

  it.each(["", "garbage", '{"links":[]}', "<XRD></XRD>", "<Link rel='x' href='wss://a.example/'/>", "<<<>>>"])(
    "returns null for %j",
    (text) => {
      expect(parseHostMetaXml(text)).toBeNull();
    },
  );
});

describe("isWebSocketUrl", () => {
  it.each([
    ["wss://example.com/ws", true],
    ["ws://localhost:5280/", true],
    ["WSS://EXAMPLE.COM/", true],
    ["https://example.com/ws", false],
    ["http://example.com", false],
    ["javascript:alert(1)", false],
    ["", false],
    ["example.com", false],
  ])("%j → %s", (url, expected) => {
    expect(isWebSocketUrl(url)).toBe(expected);
  });
});
