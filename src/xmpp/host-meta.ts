// XEP-0156 §3: discovering the WebSocket endpoint of a domain from /.well-known/host-meta(.json).

export const WEBSOCKET_REL = "urn:xmpp:alt-connections:websocket";

/** host-meta.json (RFC 6415 §3.2) → the first ws(s) URL; null when there is none. */
export function parseHostMetaJson(text: string): string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== "object" || doc === null || !("links" in doc) || !Array.isArray(doc.links)) return null;
  for (const link of doc.links as unknown[]) {
    if (typeof link !== "object" || link === null) continue;
    const rel = "rel" in link ? link.rel : undefined;
    const href = "href" in link ? link.href : undefined;
    if (rel === WEBSOCKET_REL && typeof href === "string" && isWebSocketUrl(href)) return href;
  }
  return null;
}

/** host-meta XRD (RFC 6415 §3.1) → the first ws(s) URL; null when there is none. */
export function parseHostMetaXml(text: string): string | null {
  const re = /<Link\b([^>]*)\/?>/giu;
  for (const match of text.matchAll(re)) {
    const attrs = match[1] ?? "";
    const rel = /\brel\s*=\s*["']([^"']*)["']/iu.exec(attrs)?.[1];
    const href = /\bhref\s*=\s*["']([^"']*)["']/iu.exec(attrs)?.[1];
    if (rel === WEBSOCKET_REL && href && isWebSocketUrl(href)) return href;
  }
  return null;
}

export function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "wss:" || url.protocol === "ws:";
  } catch {
    return false;
  }
}
