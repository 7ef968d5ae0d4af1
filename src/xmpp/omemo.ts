// OMEMO 0.3 (XEP-0384 v0.3, namespace eu.siacs.conversations.axolotl) as the object sees it: opaque. The object
// never holds keys and never decrypts; it checks the shape of an <encrypted/> element, relays and stores it as
// it is. Keep this module version-neutral so urn:xmpp:omemo:2 can sit beside it.
import { xml, type Element } from "@xmpp/xml";
import { parseXml } from "./parse.ts";
import { fitsShape, isBase64, isDeviceId, isUint32, type Shape } from "./shape.ts";

const NS_HINTS = "urn:xmpp:hints"; // XEP-0334
const NS_RECEIPTS = "urn:xmpp:receipts"; // XEP-0184
const NS_SID = "urn:xmpp:sid:0"; // XEP-0359

export const NS_OMEMO_03 = "eu.siacs.conversations.axolotl";
export const NS_EME = "urn:xmpp:eme:0"; // XEP-0380
/** What clients without OMEMO show (the text Conversations sends). */
export const OMEMO_FALLBACK_BODY =
  "I sent you an OMEMO encrypted message but your client doesn't seem to support that. Find more information on https://conversations.im/omemo";
/** An encrypted element carries one key per device; 64 KiB is far more than any real one. */
export const MAX_ENCRYPTED_BYTES = 60 * 1024;

export interface EncryptedInfo {
  /** The element exactly as it travels, serialised. */
  xml: string;
  namespace: typeof NS_OMEMO_03;
  /** Sender device id (header sid). */
  sid: number;
  /** Recipient device ids that have a key. */
  rids: number[];
  /** False for a key-transport message (XEP-0384 v0.3 §4.6): nothing to show. */
  hasPayload: boolean;
}

function deviceId(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,10}$/u.test(value)) return null;
  const n = Number(value);
  return n > 0 && n < 2 ** 31 ? n : null;
}

/** Checks an <encrypted/> element's shape (XEP-0384 v0.3 §4.5); null when it is not a valid one. */
export function inspectEncrypted(el: Element): EncryptedInfo | null {
  if (!el.is("encrypted", NS_OMEMO_03)) return null;
  const header = el.getChild("header");
  const sid = deviceId(header?.attrs.sid);
  if (!header || sid === null) return null;
  const iv = header.getChild("iv");
  if (!iv || !/^[A-Za-z0-9+/=]{16,64}$/u.test(iv.text())) return null;
  const rids: number[] = [];
  for (const key of header.getChildren("key")) {
    const rid = deviceId(key.attrs.rid);
    if (rid === null || !/^[A-Za-z0-9+/=]+$/u.test(key.text())) return null;
    rids.push(rid);
  }
  if (rids.length === 0) return null;
  const payload = el.getChild("payload");
  if (payload && !/^[A-Za-z0-9+/=]*$/u.test(payload.text())) return null;
  return {
    xml: el.toString(),
    namespace: NS_OMEMO_03,
    sid,
    rids,
    hasPayload: payload !== undefined && payload.text() !== "",
  };
}

const nonEmptyBase64 = (v: string): boolean => v.length > 0 && isBase64(v);

/** XEP-0384 v0.3 §4.5: what a tab may send, the whole tree (nothing nested in <key>, no other attributes). */
const ENCRYPTED_SHAPE: Shape = {
  name: "encrypted",
  xmlns: NS_OMEMO_03,
  children: [
    {
      shape: {
        name: "header",
        attrs: { sid: isDeviceId },
        required: ["sid"],
        children: [
          {
            shape: {
              name: "key",
              attrs: { rid: isDeviceId, prekey: (v) => v === "true" || v === "1" },
              required: ["rid"],
              text: nonEmptyBase64,
            },
            min: 1,
            max: 1_000,
          },
          { shape: { name: "iv", text: nonEmptyBase64 }, min: 1, max: 1 },
        ],
      },
      min: 1,
      max: 1,
    },
    { shape: { name: "payload", text: isBase64 }, max: 1 },
  ],
};

/** Devices per list a tab may publish (issue #6 §10: device lists are bounded). */
export const MAX_DEVICES = 64;

/** XEP-0384 v0.3 §4.2: a device list. */
const LIST_SHAPE: Shape = {
  name: "list",
  xmlns: NS_OMEMO_03,
  children: [{ shape: { name: "device", attrs: { id: isDeviceId }, required: ["id"] }, max: MAX_DEVICES }],
};

/** XEP-0384 v0.3 §4.3: a bundle (python-omemo and Conversations publish 100 pre keys). */
const BUNDLE_SHAPE: Shape = {
  name: "bundle",
  xmlns: NS_OMEMO_03,
  children: [
    {
      shape: {
        name: "signedPreKeyPublic",
        attrs: { signedPreKeyId: isUint32 },
        required: ["signedPreKeyId"],
        text: nonEmptyBase64,
      },
      min: 1,
      max: 1,
    },
    { shape: { name: "signedPreKeySignature", text: nonEmptyBase64 }, min: 1, max: 1 },
    { shape: { name: "identityKey", text: nonEmptyBase64 }, min: 1, max: 1 },
    {
      shape: {
        name: "prekeys",
        children: [
          {
            shape: {
              name: "preKeyPublic",
              attrs: { preKeyId: isUint32 },
              required: ["preKeyId"],
              text: nonEmptyBase64,
            },
            min: 1,
            max: 200,
          },
        ],
      },
      min: 1,
      max: 1,
    },
  ],
};

function parseFromTab(text: string, shape: Shape): Element | null {
  if (new TextEncoder().encode(text).byteLength > MAX_ENCRYPTED_BYTES || !isXmlText(text)) return null;
  let el: Element;
  try {
    el = parseXml(text);
  } catch {
    return null;
  }
  return fitsShape(el, shape) ? el : null;
}

/** XML 1.0 §2.2 Char: a parser may let control characters through; the server would end the stream on them. */
function isXmlText(text: string): boolean {
  return !/[^\t\n\r\u{20}-\u{FFFD}\u{10000}-\u{10FFFF}]/u.test(text);
}

/** Parses and checks an <encrypted/> element a tab built; null when it is not one we will relay. */
export function parseEncryptedFromTab(text: string): EncryptedInfo | null {
  const el = parseFromTab(text, ENCRYPTED_SHAPE);
  return el ? inspectEncrypted(el) : null;
}

/** A PEP payload a tab wants published on an OMEMO node: a device list or a bundle, checked as a whole tree. */
export function parsePepPayloadFromTab(node: string, text: string): Element | null {
  return parseFromTab(text, node === `${NS_OMEMO_03}.devicelist` ? LIST_SHAPE : BUNDLE_SHAPE);
}

/** A chat message carrying an OMEMO element: store hint, EME and a fallback body (XEP-0384 v0.3 §4.5). */
export function buildEncryptedChat(to: string, id: string, encrypted: EncryptedInfo): Element {
  return encryptedMessage("chat", to, id, encrypted);
}

/**
 * An OMEMO message to a group chat (XEP-0384 v0.3 §5.6: one element, keys for every member's devices; XEP-0045
 * §7.4). No receipt request: XEP-0184 §5.3 asks clients not to request receipts from a room.
 */
export function buildEncryptedGroupchat(room: string, id: string, encrypted: EncryptedInfo): Element {
  return encryptedMessage("groupchat", room, id, encrypted);
}

function encryptedMessage(type: "chat" | "groupchat", to: string, id: string, encrypted: EncryptedInfo): Element {
  return xml(
    "message",
    { type, to, id },
    parseXml(encrypted.xml),
    xml("encryption", { xmlns: NS_EME, namespace: NS_OMEMO_03, name: "OMEMO" }),
    xml("store", { xmlns: NS_HINTS }),
    xml("origin-id", { xmlns: NS_SID, id }),
    type === "chat" && encrypted.hasPayload && xml("request", { xmlns: NS_RECEIPTS }),
    encrypted.hasPayload && xml("body", {}, OMEMO_FALLBACK_BODY),
  );
}
