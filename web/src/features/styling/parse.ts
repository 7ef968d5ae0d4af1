// XEP-0393 Message Styling, parsed into a tree (no DOM here): blocks (§5.1 pre-formatted ``` blocks, §5.2 > quotes,
// plain lines) and spans (§5.3: *strong*, _emphasis_, ~strike~, `pre`). The renderer (./render.tsx) builds elements
// from it; message text never becomes HTML. The styling directives stay in the text, as the XEP asks (§6:
// they are part of the message), and the renderer shows them muted.

export type Span =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "strong" | "em" | "strike"; readonly children: readonly Span[] };

export type Block =
  | { readonly kind: "line"; readonly spans: readonly Span[] }
  | { readonly kind: "pre"; readonly text: string }
  | { readonly kind: "quote"; readonly children: readonly Block[] };

const SPAN_KIND: Readonly<Record<string, "strong" | "em" | "strike" | "code">> = {
  "*": "strong",
  _: "em",
  "~": "strike",
  "`": "code",
};

/** Bounds: an adversarial body (thousands of nested quotes or directives) must not cost more than linear work. */
const MAX_QUOTE_DEPTH = 8;
const MAX_SPAN_DEPTH = 4;

const isSpace = (ch: string | undefined): boolean => ch === undefined || /\s/u.test(ch);

/**
 * §5.3: an opening directive starts a line, follows whitespace or another opening directive, and is not followed
 * by whitespace; its closing twin is the first one after it on the line (lazy) that is not preceded by whitespace,
 * with at least one character between them.
 */
export function parseSpans(line: string, depth = 0): Span[] {
  const out: Span[] = [];
  let text = "";
  let i = 0;
  // A directive with no closer after some point has none after any later point either: never scan twice.
  const noCloser = new Set<string>();
  const flush = (): void => {
    if (text) out.push({ kind: "text", text });
    text = "";
  };
  while (i < line.length) {
    const ch = line[i] ?? "";
    const kind = SPAN_KIND[ch];
    const prev = line[i - 1];
    const opens =
      kind !== undefined &&
      depth < MAX_SPAN_DEPTH &&
      (i === 0 || isSpace(prev) || (prev !== undefined && SPAN_KIND[prev] !== undefined && prev !== ch)) &&
      !isSpace(line[i + 1]);
    if (opens && !noCloser.has(ch)) {
      let close = -1;
      for (let j = i + 2; j < line.length; j++) {
        if (line[j] === ch && !isSpace(line[j - 1])) {
          close = j;
          break;
        }
      }
      if (close === -1) noCloser.add(ch);
      else {
        flush();
        const inner = line.slice(i + 1, close);
        // Directives stay in the text (§6), inside the styled element.
        if (kind === "code") out.push({ kind: "code", text: `${ch}${inner}${ch}` });
        else
          out.push({
            kind,
            children: [{ kind: "text", text: ch }, ...parseSpans(inner, depth + 1), { kind: "text", text: ch }],
          });
        i = close + 1;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

/** §5.1-5.2: the blocks of a body. Lines keep their directives; the parse is linear in the body's length. */
export function parseStyling(body: string, depth = 0): Block[] {
  const lines = body.split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (line.startsWith("```")) {
      // A pre-formatted block runs to a line of exactly ``` or to the end of its parent (§5.1).
      const inner: string[] = [line];
      let j = i + 1;
      while (j < lines.length && lines[j] !== "```") inner.push(lines[j++] ?? "");
      if (j < lines.length) inner.push("```");
      blocks.push({ kind: "pre", text: inner.join("\n") });
      i = j + 1;
      continue;
    }
    if (line.startsWith(">") && depth < MAX_QUOTE_DEPTH) {
      // A quote runs over consecutive lines starting with ">"; one ">" (and one space) is taken off each (§5.2).
      const inner: string[] = [];
      while (i < lines.length && (lines[i] ?? "").startsWith(">")) {
        const l = (lines[i] ?? "").slice(1);
        inner.push(l.startsWith(" ") ? l.slice(1) : l);
        i++;
      }
      blocks.push({ kind: "quote", children: parseStyling(inner.join("\n"), depth + 1) });
      continue;
    }
    blocks.push({ kind: "line", spans: parseSpans(line) });
    i++;
  }
  return blocks;
}
