// Splits untrusted message text into plain text and http(s) links. The UI turns segments into text nodes and
// <a> elements; nothing here ever becomes HTML.

export type Segment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "link"; readonly text: string; readonly href: string };

const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/giu;
const TRAILING_PUNCTUATION = /[.,;:!?'*_~]$/u;
const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

/** Drops sentence punctuation and unbalanced closing brackets that follow a URL in prose. */
export function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    if (TRAILING_PUNCTUATION.test(last)) {
      url = url.slice(0, -1);
      continue;
    }
    const opener = CLOSERS[last];
    if (opener !== undefined && count(url, last) > count(url, opener)) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

/** The href to use for `candidate`, or null when it is not an http(s) URL. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  const pushText = (t: string): void => {
    if (t === "") return;
    const prev = out.at(-1);
    if (prev?.kind === "text") out[out.length - 1] = { kind: "text", text: prev.text + t };
    else out.push({ kind: "text", text: t });
  };
  let pos = 0;
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (href === null) continue;
    pushText(text.slice(pos, start));
    out.push({ kind: "link", text: url, href });
    pos = start + url.length;
  }
  pushText(text.slice(pos));
  return out;
}
