// Allow-lists for XML a tab hands the object to relay (issue #6 §9): the whole tree is checked, not only the top:
// every element's name, namespace, attributes and text, and which children may appear how often. Anything else
// (an element nested inside <key>, an attribute that is not listed) refuses the whole element.
import type { Element } from "@xmpp/xml";

export interface Shape {
  name: string;
  /** Required namespace of this element (checked on the root; children inherit it). */
  xmlns?: string;
  /** Allowed attributes and their checks; `xmlns` is handled by `xmlns`. Missing attributes are allowed. */
  attrs?: Record<string, (value: string) => boolean>;
  /** Attributes that must be present. */
  required?: readonly string[];
  /** Check of the text content; without it, the element must have no text (whitespace allowed). */
  text?: (value: string) => boolean;
  /** Allowed children with their counts. */
  children?: readonly { shape: Shape; min?: number; max: number }[];
}

/** Base64 characters (RFC 4648 §4); padding is not insisted on, as some clients leave it out. */
export const isBase64 = (value: string): boolean => /^[A-Za-z0-9+/]*={0,2}$/u.test(value);
export const isDeviceId = (value: string): boolean => {
  if (!/^\d{1,10}$/u.test(value)) return false;
  const n = Number(value);
  return n > 0 && n < 2 ** 31;
};
export const isUint32 = (value: string): boolean => /^\d{1,10}$/u.test(value) && Number(value) < 2 ** 32;

/** True when `el` and everything below it fits `shape`. */
export function fitsShape(el: Element, shape: Shape, inheritedNs?: string): boolean {
  if (el.name !== shape.name) return false;
  const ns = el.attrs.xmlns ?? inheritedNs;
  if (shape.xmlns !== undefined && ns !== shape.xmlns) return false;
  for (const [name, value] of Object.entries(el.attrs)) {
    if (name === "xmlns") {
      if (value !== ns) return false;
      continue;
    }
    const check = shape.attrs?.[name];
    if (!check || typeof value !== "string" || !check(value)) return false;
  }
  for (const name of shape.required ?? []) if (el.attrs[name] === undefined) return false;
  const text = el.children.filter((c): c is string => typeof c === "string").join("");
  if (shape.text ? !shape.text(text) : text.trim() !== "") return false;
  const counts = new Map<Shape, number>();
  for (const child of el.getChildElements()) {
    const match = shape.children?.find((c) => fitsShape(child, c.shape, ns));
    if (!match) return false;
    const n = (counts.get(match.shape) ?? 0) + 1;
    if (n > match.max) return false;
    counts.set(match.shape, n);
  }
  for (const c of shape.children ?? []) if ((counts.get(c.shape) ?? 0) < (c.min ?? 0)) return false;
  return true;
}
