// XEP-0428 Fallback Indication: which part of a body is only there for clients that lack a feature (a reply's
// quote, a retraction's explanation). Pure. Offsets are in Unicode code points (XEP-0428 §4), not UTF-16 units.
import { xml, type Element } from "@xmpp/xml";

export const NS_FALLBACK = "urn:xmpp:fallback:0";

export interface CodePointRange {
  start: number;
  end: number;
}

/**
 * The body range marked as fallback for the feature `forNs`, when it is a sane one. A fallback without a <body/>
 * child means the whole body; a range outside the body, reversed or empty is ignored (null).
 */
export function parseFallback(message: Element, forNs: string, bodyLength: number): CodePointRange | "all" | null {
  for (const fallback of message.getChildren("fallback", NS_FALLBACK)) {
    if (fallback.attrs.for !== forNs) continue;
    const body = fallback.getChild("body");
    if (!body) return fallback.getChild("subject") ? null : "all";
    const start = toIndex(body.attrs.start);
    const end = toIndex(body.attrs.end);
    if (start === null || end === null || start >= end || end > bodyLength) return null;
    return { start, end };
  }
  return null;
}

function toIndex(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,7}$/u.test(value)) return null;
  return Number(value);
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The body without the fallback range (code points), with the line break that ended the quote. */
export function stripRange(body: string, range: CodePointRange): string {
  const points = [...body];
  return points.slice(0, range.start).join("") + points.slice(range.end).join("");
}

/** XEP-0428 §3: marks [start, end) of the body (code points) as the fallback of `forNs`. */
export function buildFallback(forNs: string, range?: CodePointRange): Element {
  return xml(
    "fallback",
    { xmlns: NS_FALLBACK, for: forNs },
    range ? xml("body", { start: String(range.start), end: String(range.end) }) : null,
  );
}
