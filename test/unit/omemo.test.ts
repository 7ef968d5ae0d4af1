import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { parseMessage } from "../../src/xmpp/message.ts";
import {
  buildEncryptedChat,
  inspectEncrypted,
  NS_OMEMO_03,
  OMEMO_FALLBACK_BODY,
  parseEncryptedFromTab,
} from "../../src/xmpp/omemo.ts";
import { parseXml } from "./xml-helpers.ts";

const SELF = "alice@localhost";
const ENCRYPTED = `<encrypted xmlns="${NS_OMEMO_03}"><header sid="27183"><key rid="31415">MwohBR4JcDN4c2gaPs6lPXh0IuSEt0IhxkG1D0ViEbeA==</key><key prekey="true" rid="12321">MwohBR4J</key><iv>T5jDmX+xK6xSo2bD</iv></header><payload>YQSwaWXc4o3ZQbIMUaQM</payload></encrypted>`;

describe("OMEMO 0.3 elements, opaque to the object", () => {
  it("inspects the header without decrypting anything", () => {
    const info = inspectEncrypted(parseXml(ENCRYPTED));
    expect(info).toMatchObject({ sid: 27183, rids: [31415, 12321], hasPayload: true, namespace: NS_OMEMO_03 });
  });

  it("tells key-transport messages (no payload) apart", () => {
    const kt = ENCRYPTED.replace(/<payload>.*<\/payload>/u, "");
    expect(inspectEncrypted(parseXml(kt))?.hasPayload).toBe(false);
  });

  it("refuses malformed elements and anything smuggled into them", () => {
    expect(parseEncryptedFromTab("<encrypted/>")).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace('sid="27183"', 'sid="x"'))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("<iv>T5jDmX+xK6xSo2bD</iv>", ""))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("</header>", "</header><body>clear</body>"))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("<iv>", '<x xmlns="jabber:x:oob"/><iv>'))).toBeNull();
    expect(parseEncryptedFromTab("<encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='1'>")).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED)).not.toBeNull();
  });

  it("builds the message with EME, a store hint and the fallback body", () => {
    const info = parseEncryptedFromTab(ENCRYPTED);
    if (!info) throw new Error("unreachable");
    const msg = buildEncryptedChat("bob@localhost", "m1", info);
    expect(msg.getChild("encrypted", NS_OMEMO_03)?.toString()).toBe(info.xml);
    expect(msg.getChild("encryption", "urn:xmpp:eme:0")?.attrs.namespace).toBe(NS_OMEMO_03);
    expect(msg.getChild("store", "urn:xmpp:hints")).toBeDefined();
    expect(msg.getChildText("body")).toBe(OMEMO_FALLBACK_BODY);
  });

  it("parses an incoming encrypted message as encrypted, never as its fallback body", () => {
    const stanza = xml(
      "message",
      { from: "bob@localhost/phone", to: SELF, type: "chat", id: "e1" },
      parseXml(ENCRYPTED),
      xml("body", {}, OMEMO_FALLBACK_BODY),
    );
    const parsed = parseMessage(stanza, SELF, 1);
    if (parsed.kind !== "chat") throw new Error("expected a chat");
    expect(parsed.chat.body).toBe("");
    expect(parsed.chat.encrypted?.sid).toBe(27183);
    // A key-transport message has no body at all and is still a (silent) message.
    const kt = xml(
      "message",
      { from: "bob@localhost/phone", to: SELF, type: "chat", id: "e2" },
      parseXml(ENCRYPTED.replace(/<payload>.*<\/payload>/u, "")),
    );
    const ktParsed = parseMessage(kt, SELF, 1);
    expect(ktParsed.kind === "chat" && ktParsed.chat.encrypted?.hasPayload).toBe(false);
  });
});
