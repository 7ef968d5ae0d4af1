// Test helper: parses one XML stanza string into an @xmpp/xml Element (the same class the client produces).
import { Parser, type Element } from "@xmpp/xml";

/** Parses exactly one top-level element; throws on malformed XML or when there is none. */
export function parseXml(source: string): Element {
  const parser = new Parser();
  const found: Element[] = [];
  let failure: Error | undefined;
  parser.on("element", (el) => found.push(el));
  parser.on("error", (err) => {
    failure = err;
  });
  parser.write(`<wrapper>${source}</wrapper>`);
  if (failure) throw failure;
  const [el] = found;
  if (!el || found.length !== 1) throw new Error(`expected one element, got ${found.length}`);
  // Detach from the wrapper so getNS() and toString() see the stanza as a root.
  el.parent = null;
  return el;
}
