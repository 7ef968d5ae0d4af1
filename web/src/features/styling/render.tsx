// XEP-0393 styling as elements: strong, em, s, code, pre, blockquote, built as VNodes from the parsed tree
// (./parse.ts), never from HTML strings. Links inside plain text stay links (core/linkify.ts); code and pre are left
// as typed.
import type { ComponentChildren, VNode } from "preact";
import { linkify } from "../../core/linkify.ts";
import { parseStyling, type Block, type Span } from "./parse.ts";

/**
 * The href of an http(s) URL, or undefined. linkify already checked the protocol; checked again where it is set.
 * Swallowed: new URL throwing on an unparsable href (then the text is shown without a link).
 */
function safeHref(href: string): string | undefined {
  try {
    const url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function linkified(text: string): ComponentChildren[] {
  return linkify(text).map((seg, i) =>
    seg.kind === "text" ? (
      seg.text
    ) : (
      <a key={i} href={safeHref(seg.href)} target="_blank" rel="noopener noreferrer">
        {seg.text}
      </a>
    ),
  );
}

function styled(span: Span & { kind: "strong" | "em" | "strike" }, key: number): VNode {
  const children = span.children;
  const inner = children.map((child, i) => {
    // The directives themselves (first and last child) are shown muted.
    const edge = i === 0 || i === children.length - 1;
    if (edge && child.kind === "text") {
      return (
        <span key={i} class="styling-directive">
          {child.text}
        </span>
      );
    }
    return spanNodes([child]);
  });
  switch (span.kind) {
    case "strong":
      return <strong key={key}>{inner}</strong>;
    case "em":
      return <em key={key}>{inner}</em>;
    case "strike":
      return <s key={key}>{inner}</s>;
  }
}

function spanNodes(spans: readonly Span[]): ComponentChildren[] {
  return spans.map((span, i): ComponentChildren => {
    switch (span.kind) {
      case "text":
        return linkified(span.text);
      case "code":
        return <code key={i}>{span.text}</code>;
      case "strong":
      case "em":
      case "strike":
        return styled(span, i);
    }
  });
}

function blockNodes(blocks: readonly Block[]): ComponentChildren[] {
  return blocks.map((block, i): ComponentChildren => {
    switch (block.kind) {
      case "line":
        return [spanNodes(block.spans), i < blocks.length - 1 && blocks[i + 1]?.kind === "line" ? "\n" : null];
      case "pre":
        return (
          <pre key={i}>
            <code>{block.text}</code>
          </pre>
        );
      case "quote":
        return <blockquote key={i}>{blockNodes(block.children)}</blockquote>;
    }
  });
}

/** A message body, styled (XEP-0393) and with its links: text and elements only. */
export function StyledBody({ text }: { text: string }) {
  return <>{blockNodes(parseStyling(text))}</>;
}
