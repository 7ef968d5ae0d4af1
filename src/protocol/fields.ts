// The fields every frame from a tab is built of (./index.ts, ./rooms.ts): text that can travel in a stanza, an
// address parsed like a typed one, a request id.
import { z } from "zod";
import { parseBareJid } from "../xmpp/jid.ts";

// XML 1.0 §2.2 Char: anything else cannot travel in a stanza (the server ends the stream as not-well-formed).
// Lone surrogates are let through: the UTF-8 encoder sends them as U+FFFD.
const XML_ILLEGAL = /[^\t\n\r\u{20}-\u{FFFD}\u{10000}-\u{10FFFF}]/u;
const XML_ILLEGAL_ALL = /[^\t\n\r\u{20}-\u{FFFD}\u{10000}-\u{10FFFF}]/gu;

/** Removes what XML 1.0 §2.2 cannot carry (pasted terminal escapes, say), so a tab never sends it. */
export function stripXmlIllegal(text: string): string {
  return text.replace(XML_ILLEGAL_ALL, "");
}
/** Text that ends up in a stanza. */
export const xmlText = () => z.string().refine((v) => !XML_ILLEGAL.test(v), "contains characters XML cannot carry");

/** Every address a tab names is parsed (and normalised) like a typed one; an unparsable one refuses the frame. */
export const jid = xmlText()
  .min(3)
  .max(3071)
  .transform((value, ctx) => {
    const parsed = parseBareJid(value);
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: "is not a bare JID (name@domain)" });
      return z.NEVER;
    }
    return parsed;
  });
export const requestId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/u, "letters, digits, _ . : - only");
