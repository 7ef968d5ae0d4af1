import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { parseMessage } from "../../src/xmpp/message.ts";
import {
  buildEncryptedChat,
  inspectEncrypted,
  NS_OMEMO_03,
  OMEMO_FALLBACK_BODY,
  MAX_DEVICES,
  parseEncryptedFromTab,
  parsePepPayloadFromTab,
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

  it("allow-lists the whole tree (issue #6 §9): nothing nested in <key>, no unknown attributes, XML text only", () => {
    expect(
      parseEncryptedFromTab(ENCRYPTED.replace("MwohBR4J</key>", 'MwohBR4J<x xmlns="jabber:x:oob"/></key>')),
    ).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace('rid="31415"', 'rid="31415" onload="x"'))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("<payload>", "<payload><b/>"))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("T5jDmX", "T5j\u0001DmX"))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("<iv>", "<iv>T5jDmX+xK6xSo2bD</iv><iv>"))).toBeNull();
    expect(parseEncryptedFromTab(ENCRYPTED.replace("</encrypted>", "<payload>AAAA</payload></encrypted>"))).toBeNull();
  });

  it("publishes only device lists and bundles of the right shape on their own nodes", () => {
    const list = `<list xmlns="${NS_OMEMO_03}"><device id="1"/><device id="2147483647"/></list>`;
    const devicelist = `${NS_OMEMO_03}.devicelist`;
    expect(parsePepPayloadFromTab(devicelist, list)?.name).toBe("list");
    expect(parsePepPayloadFromTab(devicelist, list.replace('id="1"', 'id="0"'))).toBeNull();
    expect(
      parsePepPayloadFromTab(devicelist, list.replace('<device id="1"/>', '<device id="1"><x/></device>')),
    ).toBeNull();
    expect(parsePepPayloadFromTab(`${NS_OMEMO_03}.bundles:1`, list)).toBeNull();
    const tooMany = `<list xmlns="${NS_OMEMO_03}">${Array.from({ length: MAX_DEVICES + 1 }, (_, i) => `<device id="${i + 1}"/>`).join("")}</list>`;
    expect(parsePepPayloadFromTab(devicelist, tooMany)).toBeNull();
    const bundle = `<bundle xmlns="${NS_OMEMO_03}"><signedPreKeyPublic signedPreKeyId="1">BQ==</signedPreKeyPublic><signedPreKeySignature>AAAA</signedPreKeySignature><identityKey>BQ==</identityKey><prekeys><preKeyPublic preKeyId="1">BQ==</preKeyPublic><preKeyPublic preKeyId="2">BQ==</preKeyPublic></prekeys></bundle>`;
    const node = `${NS_OMEMO_03}.bundles:1`;
    expect(parsePepPayloadFromTab(node, bundle)?.name).toBe("bundle");
    expect(parsePepPayloadFromTab(node, bundle.replace("<prekeys>", "<prekeys><script/>"))).toBeNull();
    expect(parsePepPayloadFromTab(node, bundle.replace("<identityKey>BQ==</identityKey>", ""))).toBeNull();
    expect(parsePepPayloadFromTab(devicelist, bundle)).toBeNull();
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
