import { Parser, type Element } from "@xmpp/xml";

/**
 * Parses exactly one top-level element from text (stored or injected stanzas); throws on malformed XML or when
 * there is not exactly one element. @xmpp/xml's Parser is a stream parser, so the text is wrapped in a root.
 */
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
