import { describe, it, expect } from "vitest";
import { xml } from "@xmpp/xml";
import { XMPPError } from "../../src/xmpp/errors.ts";
import { parseXml } from "./xml-helpers.ts";

const NS = "urn:ietf:params:xml:ns:xmpp-stanzas";

describe("XMPPError", () => {
  it("carries condition and text", () => {
    const err = new XMPPError("forbidden", "nope");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("XMPPError");
    expect(err.condition).toBe("forbidden");
    expect(err.text).toBe("nope");
    expect(err.message).toBe("forbidden: nope");
    expect(new XMPPError("timeout").message).toBe("timeout");
    expect(new XMPPError("timeout").text).toBeUndefined();
  });
});

describe("XMPPError.fromStanzaError (RFC 6120 §8.3)", () => {
  it("reads the condition and text from a parsed stanza error", () => {
    const iq = parseXml(
      `<iq type="error" id="1" from="example.com"><query xmlns="jabber:iq:roster"/>` +
        `<error type="cancel"><text xmlns="${NS}" xml:lang="en">Go away</text><item-not-found xmlns="${NS}"/></error></iq>`,
    );
    const err = XMPPError.fromStanzaError(iq.getChild("error"));
    expect(err.condition).toBe("item-not-found");
    expect(err.text).toBe("Go away");
    expect(err.message).toBe("item-not-found: Go away");
  });

  it("works without text", () => {
    const error = xml("error", { type: "auth" }, xml("not-authorized", { xmlns: NS }));
    const err = XMPPError.fromStanzaError(error);
    expect(err.condition).toBe("not-authorized");
    expect(err.text).toBeUndefined();
  });

  it("skips application-specific children in other namespaces", () => {
    const error = xml(
      "error",
      { type: "modify" },
      xml("unsupported", { xmlns: "urn:example:app-errors" }),
      xml("bad-request", { xmlns: NS }),
    );
    expect(XMPPError.fromStanzaError(error).condition).toBe("bad-request");
  });

  it("ignores a text element outside the stanzas namespace", () => {
    const error = xml("error", {}, xml("conflict", { xmlns: NS }), xml("text", { xmlns: "urn:example" }, "x"));
    const err = XMPPError.fromStanzaError(error);
    expect(err.condition).toBe("conflict");
    expect(err.text).toBeUndefined();
  });

  it("falls back to undefined-condition", () => {
    expect(XMPPError.fromStanzaError(undefined).condition).toBe("undefined-condition");
    expect(XMPPError.fromStanzaError(xml("error", { type: "cancel" })).condition).toBe("undefined-condition");
    const onlyText = xml("error", {}, xml("text", { xmlns: NS }, "why"));
    const err = XMPPError.fromStanzaError(onlyText);
    expect(err.condition).toBe("undefined-condition");
    expect(err.text).toBe("why");
  });
});
