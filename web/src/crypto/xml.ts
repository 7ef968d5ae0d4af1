// A tiny, strict XML reader and writer for the few small elements the E2EE code handles (device lists, bundles,
// <encrypted/>). It runs the same in browsers and in Node (no DOMParser), resolves namespaces (default and
// prefixed), decodes the predefined and numeric entities, and refuses DOCTYPEs. Nothing here ever touches the DOM.

export interface XmlElement {
  /** Local name (prefix removed). */
  readonly name: string;
  /** Resolved namespace URI ("" for none). */
  readonly ns: string;
  /** Attributes as written (xmlns declarations excluded). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (children's text excluded), entities decoded. */
  readonly text: string;
}

export class XmlError extends Error {
  override readonly name = "XmlError";
}

const MAX_DEPTH = 32;
const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/uy;
const SPACE = /[ \t\r\n]*/uy;

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&\s]{1,10});/gu, (whole: string, ref: string) => {
    const named = ENTITIES[ref];
    if (named !== undefined) return named;
    const hex = /^#x([0-9a-fA-F]+)$/u.exec(ref);
    const dec = /^#(\d+)$/u.exec(ref);
    const code = hex?.[1] !== undefined ? parseInt(hex[1], 16) : dec?.[1] !== undefined ? parseInt(dec[1], 10) : NaN;
    if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlError(`bad entity ${whole}`);
    }
    return String.fromCodePoint(code);
  });
}

interface Frame {
  qname: string;
  rawAttrs: Record<string, string>;
  scope: Map<string, string>;
  children: XmlElement[];
  text: string;
}

function resolve(qname: string, scope: ReadonlyMap<string, string>): { name: string; ns: string } {
  const colon = qname.indexOf(":");
  if (colon < 0) return { name: qname, ns: scope.get("") ?? "" };
  const prefix = qname.slice(0, colon);
  const ns = prefix === "xml" ? "http://www.w3.org/XML/1998/namespace" : scope.get(prefix);
  if (ns === undefined) throw new XmlError(`unbound prefix ${prefix}`);
  return { name: qname.slice(colon + 1), ns };
}

function finish(frame: Frame): XmlElement {
  const { name, ns } = resolve(frame.qname, frame.scope);
  return { name, ns, attrs: frame.rawAttrs, children: frame.children, text: frame.text };
}

/** Parses one XML document (a single root element); throws XmlError when it is not well-formed. */
export function parseXml(input: string): XmlElement {
  let pos = 0;
  const stack: Frame[] = [];
  let root: XmlElement | null = null;
  const fail = (what: string): never => {
    throw new XmlError(`${what} at ${pos}`);
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(input);
    pos = SPACE.lastIndex;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(input);
    if (!m) return fail("expected a name");
    pos = NAME.lastIndex;
    return m[0];
  };

  while (pos < input.length) {
    const lt = input.indexOf("<", pos);
    const textEnd = lt < 0 ? input.length : lt;
    if (textEnd > pos) {
      const raw = input.slice(pos, textEnd);
      const top = stack.at(-1);
      if (top) top.text += decodeEntities(raw);
      else if (raw.trim() !== "") fail("text outside the root element");
      pos = textEnd;
      continue;
    }
    if (input.startsWith("<?", pos)) {
      const end = input.indexOf("?>", pos + 2);
      if (end < 0) fail("unterminated processing instruction");
      pos = end + 2;
      continue;
    }
    if (input.startsWith("<!--", pos)) {
      const end = input.indexOf("-->", pos + 4);
      if (end < 0) fail("unterminated comment");
      pos = end + 3;
      continue;
    }
    if (input.startsWith("<![CDATA[", pos)) {
      const end = input.indexOf("]]>", pos + 9);
      const top = stack.at(-1);
      if (end < 0 || !top) return fail("bad CDATA section");
      top.text += input.slice(pos + 9, end);
      pos = end + 3;
      continue;
    }
    if (input.startsWith("<!", pos)) fail("DOCTYPE and declarations are not accepted");
    if (input.startsWith("</", pos)) {
      pos += 2;
      const qname = readName();
      skipSpace();
      if (input[pos] !== ">") fail("expected >");
      pos++;
      const frame = stack.pop();
      if (!frame || frame.qname !== qname) fail(`mismatched </${qname}>`);
      const el = finish(frame as Frame);
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else root = el;
      continue;
    }
    // Start tag.
    pos++;
    if (root !== null) fail("more than one root element");
    if (stack.length >= MAX_DEPTH) fail("too deep");
    const qname = readName();
    const parentScope = stack.at(-1)?.scope ?? new Map<string, string>();
    let scope: Map<string, string> | null = null;
    const rawAttrs: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      const c = input[pos];
      if (c === ">" || c === "/") break;
      if (pos === before) fail("expected whitespace");
      const attr = readName();
      skipSpace();
      if (input[pos] !== "=") fail("expected =");
      pos++;
      skipSpace();
      const quote = input[pos];
      if (quote !== '"' && quote !== "'") return fail("expected a quoted value");
      const end = input.indexOf(quote, pos + 1);
      if (end < 0) fail("unterminated attribute value");
      const raw = input.slice(pos + 1, end);
      if (raw.includes("<")) fail("< in attribute value");
      const value = decodeEntities(raw);
      pos = end + 1;
      if (attr === "xmlns" || attr.startsWith("xmlns:")) {
        scope ??= new Map(parentScope);
        scope.set(attr === "xmlns" ? "" : attr.slice(6), value);
        continue;
      }
      if (Object.hasOwn(rawAttrs, attr)) fail(`duplicate attribute ${attr}`);
      rawAttrs[attr] = value;
    }
    const frame: Frame = { qname, rawAttrs, scope: scope ?? parentScope, children: [], text: "" };
    if (input[pos] === "/") {
      if (input[pos + 1] !== ">") fail("expected />");
      pos += 2;
      const el = finish(frame);
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else root = el;
      continue;
    }
    pos++;
    stack.push(frame);
  }
  if (stack.length > 0 || root === null) fail("unexpected end of input");
  return root as XmlElement;
}

export function escapeText(text: string): string {
  return text.replace(/&/gu, "&amp;").replace(/</gu, "&lt;").replace(/>/gu, "&gt;");
}

export function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/gu, "&quot;").replace(/'/gu, "&apos;");
}

/** A serialised element: `<name a="v">children</name>` (children already serialised). */
export function element(
  name: string,
  attrs: Readonly<Record<string, string | number | undefined>>,
  ...children: readonly string[]
): string {
  let out = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out += ` ${k}="${escapeAttr(String(v))}"`;
  if (children.length === 0) return `${out}/>`;
  return `${out}>${children.join("")}</${name}>`;
}

/** A serialised element holding only text. */
export function textElement(
  name: string,
  attrs: Readonly<Record<string, string | number | undefined>>,
  text: string,
): string {
  return element(name, attrs, escapeText(text));
}

export function childElement(el: XmlElement, name: string, ns: string = el.ns): XmlElement | undefined {
  return el.children.find((c) => c.name === name && c.ns === ns);
}

export function childElements(el: XmlElement, name: string, ns: string = el.ns): XmlElement[] {
  return el.children.filter((c) => c.name === name && c.ns === ns);
}
