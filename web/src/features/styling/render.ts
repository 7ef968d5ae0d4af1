// XEP-0393 styling as DOM: strong, em, s, code, pre, blockquote, built as nodes from the parsed tree (./parse.ts),
// never from HTML strings. Links inside plain text stay links (core/linkify.ts); code and pre are left as typed.
import { linkify } from "../../core/linkify.ts";
import { h } from "../../ui/dom.ts";
import { parseStyling, type Block, type Span } from "./parse.ts";

function linkified(text: string): Node[] {
  return linkify(text).map((seg) => {
    if (seg.kind === "text") return document.createTextNode(seg.text);
    const a = h("a", { target: "_blank", rel: "noopener noreferrer" });
    // linkify already checked the protocol; check again right where the href is set.
    const url = new URL(seg.href);
    if (url.protocol === "http:" || url.protocol === "https:") a.href = url.href;
    a.textContent = seg.text;
    return a;
  });
}

const TAG = { strong: "strong", em: "em", strike: "s" } as const;

function spanNodes(spans: readonly Span[]): Node[] {
  return spans.flatMap((span): Node[] => {
    switch (span.kind) {
      case "text":
        return linkified(span.text);
      case "code":
        return [h("code", null, span.text)];
      case "strong":
      case "em":
      case "strike": {
        const el = h(TAG[span.kind]);
        const children = span.children;
        children.forEach((child, i) => {
          // The directives themselves (first and last child) are shown muted.
          const edge = i === 0 || i === children.length - 1;
          if (edge && child.kind === "text") el.append(h("span", { class: "styling-directive" }, child.text));
          else el.append(...spanNodes([child]));
        });
        return [el];
      }
    }
  });
}

function blockNodes(blocks: readonly Block[]): Node[] {
  const out: Node[] = [];
  blocks.forEach((block, i) => {
    switch (block.kind) {
      case "line":
        out.push(...spanNodes(block.spans));
        if (i < blocks.length - 1 && blocks[i + 1]?.kind === "line") out.push(document.createTextNode("\n"));
        break;
      case "pre":
        out.push(h("pre", null, h("code", null, block.text)));
        break;
      case "quote":
        out.push(h("blockquote", null, ...blockNodes(block.children)));
        break;
    }
  });
  return out;
}

/** A message body, styled (XEP-0393) and with its links, as DOM nodes. */
export function styledBody(text: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  frag.append(...blockNodes(parseStyling(text)));
  return frag;
}
