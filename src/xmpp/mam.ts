import { xml, type Element } from "@xmpp/xml";
import { NS_DATA } from "./forms.ts";
import { NS_DELAY, NS_FORWARD } from "./message.ts";

export const NS_MAM = "urn:xmpp:mam:2"; // XEP-0313
export const NS_RSM = "http://jabber.org/protocol/rsm"; // XEP-0059

export interface MamQuery {
  queryId: string;
  with?: string;
  /** RSM: page after this archive id (XEP-0059 §2.2). */
  after?: string;
  /** RSM: page before this archive id; "" asks for the last page (XEP-0059 §2.5). */
  before?: string;
  /** XEP-0313 §4.1.2: only messages archived at or after / at or before these times (ms since the epoch). */
  start?: number;
  end?: number;
  max: number;
}

/** XEP-0082 date-time, whole seconds (what archive stamps carry). */
function dateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** XEP-0313 §4: a query with an optional `with` filter and RSM paging. */
export function buildMamQuery(q: MamQuery): Element {
  const fields = [xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS_MAM))];
  if (q.with) fields.push(xml("field", { var: "with" }, xml("value", {}, q.with)));
  if (q.start !== undefined) fields.push(xml("field", { var: "start" }, xml("value", {}, dateTime(q.start))));
  if (q.end !== undefined) fields.push(xml("field", { var: "end" }, xml("value", {}, dateTime(q.end))));
  return xml(
    "query",
    { xmlns: NS_MAM, queryid: q.queryId },
    xml("x", { xmlns: NS_DATA, type: "submit" }, ...fields),
    xml(
      "set",
      { xmlns: NS_RSM },
      xml("max", {}, String(q.max)),
      q.after !== undefined && xml("after", {}, q.after),
      q.before !== undefined && xml("before", {}, q.before),
    ),
  );
}

export interface MamResult {
  queryId: string;
  archiveId: string;
  message: Element;
  forwarded: Element;
}

/** XEP-0313 §4.2: a result message; only from our own account (`self` bare) or with no from. */
export function parseMamResult(stanza: Element, self: string): MamResult | null {
  const result = stanza.getChild("result", NS_MAM);
  if (!result) return null;
  const from = stanza.attrs.from;
  if (from !== undefined && from !== self) return null;
  const forwarded = result.getChild("forwarded", NS_FORWARD);
  const message = forwarded?.getChild("message");
  const queryId = result.attrs.queryid;
  const archiveId = result.attrs.id;
  if (!forwarded || !message || !queryId || !archiveId) return null;
  return { queryId, archiveId, message, forwarded };
}

/** When the server archived a result (XEP-0313 §4.2: the <forwarded/>'s XEP-0203 delay), or undefined. */
export function archiveStamp(result: MamResult): number | undefined {
  const stamp = result.forwarded.getChild("delay", NS_DELAY)?.attrs.stamp;
  const t = typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
  // Bounded like a message's own stamp (src/xmpp/message.ts): never before 1970, never in the future.
  return Number.isFinite(t) ? Math.min(Math.max(t, 0), Date.now()) : undefined;
}

export interface MamFin {
  complete: boolean;
  first: string | undefined;
  last: string | undefined;
}

/** XEP-0313 §4.3: the <fin/> of a finished query. */
export function parseMamFin(iqResult: Element): MamFin {
  const fin = iqResult.getChild("fin", NS_MAM);
  const set = fin?.getChild("set", NS_RSM);
  return {
    complete: fin?.attrs.complete === "true",
    first: set?.getChildText("first") ?? undefined,
    last: set?.getChildText("last") ?? undefined,
  };
}
