import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../src/crypto/bytes.ts";
import {
  buildBundle,
  buildDeviceList,
  buildEncrypted,
  encryptedHeader,
  parseBundle,
  MAX_DEVICES_PER_LIST,
  parseDeviceList,
  parseEncrypted,
  serializedPublicKey,
} from "../src/crypto/omemo03-xml.ts";
import type { Bundle03 } from "../src/crypto/omemo03-xml.ts";
import { parseXml } from "../src/crypto/xml.ts";

const key = (fill: number, prefix = true): Uint8Array<ArrayBuffer> => {
  const k = new Uint8Array(prefix ? 33 : 32).fill(fill);
  if (prefix) k[0] = 5;
  return k;
};

const bundle: Bundle03 = {
  signedPreKeyId: 1,
  signedPreKeyPublic: key(1),
  signedPreKeySignature: new Uint8Array(64).fill(2),
  identityKey: key(3),
  preKeys: [
    { id: 1, publicKey: key(4) },
    { id: 2, publicKey: key(5) },
  ],
};

describe("device list", () => {
  it("builds the v0.3 <list/>", () => {
    expect(buildDeviceList([12, 34, 12])).toBe(
      '<list xmlns="eu.siacs.conversations.axolotl"><device id="12"/><device id="34"/></list>',
    );
    expect(buildDeviceList([])).toBe('<list xmlns="eu.siacs.conversations.axolotl"/>');
  });

  it("parses lists, dropping invalid and duplicate ids", () => {
    expect(
      parseDeviceList(
        '<list xmlns="eu.siacs.conversations.axolotl"><device id="7"/><device id="0"/><device id="x"/>' +
          '<device id="2147483648"/><device id="7"/><device id="2147483647"/></list>',
      ),
    ).toEqual([7, 2147483647]);
    expect(parseDeviceList('<list xmlns="eu.siacs.conversations.axolotl"/>')).toEqual([]);
  });

  it("takes at most MAX_DEVICES_PER_LIST devices, in linear time (issue #6 §10)", () => {
    const huge = `<list xmlns="eu.siacs.conversations.axolotl">${Array.from(
      { length: 20_000 },
      (_, i) => `<device id="${i + 1}"/>`,
    ).join("")}</list>`;
    const ids = parseDeviceList(huge);
    expect(ids).toHaveLength(MAX_DEVICES_PER_LIST);
    expect(ids[0]).toBe(1);
  });

  it("accepts prefixed namespaces and refuses other namespaces", () => {
    expect(
      parseDeviceList('<ns0:list xmlns:ns0="eu.siacs.conversations.axolotl"><ns0:device id="9"/></ns0:list>'),
    ).toEqual([9]);
    expect(() => parseDeviceList('<list xmlns="urn:xmpp:omemo:2"><device id="9"/></list>')).toThrow();
  });
});

describe("bundle", () => {
  it("has its children in the order python-omemo expects, keys with the 0x05 prefix", () => {
    const xml = buildBundle(bundle);
    const el = parseXml(xml);
    expect(el.children.map((c) => c.name)).toEqual([
      "signedPreKeyPublic",
      "signedPreKeySignature",
      "identityKey",
      "prekeys",
    ]);
    expect(el.children[0]?.attrs.signedPreKeyId).toBe("1");
    for (const text of [el.children[0]?.text, el.children[2]?.text]) {
      const bytes = fromBase64(text ?? "");
      expect(bytes.byteLength).toBe(33);
      expect(bytes[0]).toBe(5);
    }
    const prekeys = el.children[3]?.children ?? [];
    expect(prekeys.map((p) => [p.name, p.attrs.preKeyId])).toEqual([
      ["preKeyPublic", "1"],
      ["preKeyPublic", "2"],
    ]);
    expect(fromBase64(prekeys[0]?.text ?? "")[0]).toBe(5);
  });

  it("adds the prefix to bare 32-byte keys", () => {
    const parsed = parseBundle(buildBundle({ ...bundle, identityKey: key(9, false) }));
    expect(parsed.identityKey.byteLength).toBe(33);
    expect(parsed.identityKey[0]).toBe(5);
    expect(parsed.identityKey[1]).toBe(9);
    expect(() => serializedPublicKey(new Uint8Array(31))).toThrow();
  });

  it("round-trips", () => {
    const parsed = parseBundle(buildBundle(bundle));
    expect(parsed.signedPreKeyId).toBe(1);
    expect(toBase64(parsed.signedPreKeyPublic)).toBe(toBase64(bundle.signedPreKeyPublic));
    expect(toBase64(parsed.signedPreKeySignature)).toBe(toBase64(bundle.signedPreKeySignature));
    expect(parsed.preKeys.map((p) => p.id)).toEqual([1, 2]);
  });

  it("parses a python-omemo style bundle (prefixed, whitespace in base64) and skips a broken pre key", () => {
    const b64 = (k: Uint8Array): string => toBase64(k);
    const xml =
      `<ns0:bundle xmlns:ns0="eu.siacs.conversations.axolotl">` +
      `<ns0:signedPreKeyPublic signedPreKeyId="42">${b64(key(1))}</ns0:signedPreKeyPublic>` +
      `<ns0:signedPreKeySignature>${b64(new Uint8Array(64))}</ns0:signedPreKeySignature>` +
      `<ns0:identityKey>\n  ${b64(key(3))}\n</ns0:identityKey>` +
      `<ns0:prekeys><ns0:preKeyPublic preKeyId="5">${b64(key(4))}</ns0:preKeyPublic>` +
      `<ns0:preKeyPublic preKeyId="6">!!</ns0:preKeyPublic></ns0:prekeys></ns0:bundle>`;
    const parsed = parseBundle(xml);
    expect(parsed.signedPreKeyId).toBe(42);
    expect(parsed.preKeys.map((p) => p.id)).toEqual([5]);
  });

  it("refuses a bundle without identity key or with a bad signature", () => {
    const xml = buildBundle(bundle);
    expect(() => parseBundle(xml.replace(/<identityKey>[^<]*<\/identityKey>/u, ""))).toThrow();
    expect(() =>
      parseBundle(
        xml.replace(/<signedPreKeySignature>[^<]*</u, `<signedPreKeySignature>${toBase64(new Uint8Array(10))}<`),
      ),
    ).toThrow();
  });
});

describe("<encrypted/>", () => {
  const iv = new Uint8Array(12).fill(7);
  it('sets prekey="true" only on pre-key messages and omits the attribute otherwise', () => {
    const xml = buildEncrypted({
      sid: 99,
      keys: [
        { rid: 1, prekey: true, data: new Uint8Array([1, 2, 3]) },
        { rid: 2, prekey: false, data: new Uint8Array([4, 5, 6]) },
      ],
      iv,
      payload: new Uint8Array([9, 9]),
    });
    expect(xml).toBe(
      '<encrypted xmlns="eu.siacs.conversations.axolotl"><header sid="99">' +
        '<key rid="1" prekey="true">AQID</key><key rid="2">BAUG</key><iv>BwcHBwcHBwcHBwcH</iv></header>' +
        "<payload>CQk=</payload></encrypted>",
    );
    const parsed = parseEncrypted(xml);
    expect(parsed.sid).toBe(99);
    expect(parsed.keys.map((k) => [k.rid, k.prekey])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect([...(parsed.payload ?? [])]).toEqual([9, 9]);
    expect(encryptedHeader(xml)).toEqual({ sid: 99, iv: "BwcHBwcHBwcHBwcH" });
  });

  it("has no payload for key transport", () => {
    const xml = buildEncrypted({
      sid: 1,
      keys: [{ rid: 2, prekey: false, data: new Uint8Array([1]) }],
      iv,
      payload: null,
    });
    expect(xml).not.toContain("payload");
    expect(parseEncrypted(xml).payload).toBeNull();
    expect(parseEncrypted(xml.replace("</encrypted>", "<payload></payload></encrypted>")).payload).toBeNull();
  });

  it('reads prekey="1" and prekey="false" as xs:boolean', () => {
    const base = (attr: string): string =>
      `<encrypted xmlns="eu.siacs.conversations.axolotl"><header sid="5"><key rid="6"${attr}>AQ==</key>` +
      `<iv>${toBase64(iv)}</iv></header></encrypted>`;
    expect(parseEncrypted(base(' prekey="1"')).keys[0]?.prekey).toBe(true);
    expect(parseEncrypted(base(' prekey="false"')).keys[0]?.prekey).toBe(false);
    expect(parseEncrypted(base("")).keys[0]?.prekey).toBe(false);
  });

  it("refuses elements without sid or iv", () => {
    expect(() => parseEncrypted('<encrypted xmlns="eu.siacs.conversations.axolotl"><header/></encrypted>')).toThrow();
    expect(() =>
      parseEncrypted('<encrypted xmlns="eu.siacs.conversations.axolotl"><header sid="1"></header></encrypted>'),
    ).toThrow();
    expect(encryptedHeader("<nope/>")).toBeNull();
  });
});

describe("xml", () => {
  it("decodes entities, CDATA and comments", () => {
    const el = parseXml(
      '<?xml version="1.0"?><a x="&lt;&#65;&#x42;&quot;"><!-- c --><b>1 &amp; 2<![CDATA[<3>]]></b></a>',
    );
    expect(el.attrs.x).toBe('<AB"');
    expect(el.children[0]?.text).toBe("1 & 2<3>");
  });

  it("refuses what is not well-formed, and DOCTYPEs", () => {
    for (const bad of ["<a>", "<a></b>", "<a/><b/>", "<!DOCTYPE a><a/>", '<a x="1" x="2"/>', "<p:a/>", "text"]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
  });
});
