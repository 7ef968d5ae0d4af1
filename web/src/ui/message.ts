// One message in the log. The body is untrusted: it becomes text nodes, plus <a> elements for http(s) URLs.
import type { ChatMessage } from "../../../src/protocol/index.ts";
import type { PlainView } from "../core/e2ee.ts";
import { formatTime } from "../core/format.ts";
import { linkify } from "../core/linkify.ts";
import { h, srOnly } from "./dom.ts";

export function linkifiedBody(text: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const seg of linkify(text)) {
    if (seg.kind === "text") {
      frag.appendChild(document.createTextNode(seg.text));
      continue;
    }
    const a = h("a", { target: "_blank", rel: "noopener noreferrer" });
    // safeHref already checked the protocol; check again right where the href is set.
    const url = new URL(seg.href);
    if (url.protocol === "http:" || url.protocol === "https:") a.href = url.href;
    a.textContent = seg.text;
    frag.appendChild(a);
  }
  return frag;
}

function receiptIndicator(m: ChatMessage): HTMLSpanElement | null {
  if (m.direction !== "out" || m.receipt === null) return null;
  const received = m.receipt === "received";
  return h(
    "span",
    { class: `receipt ${received ? "receipt-received" : "receipt-sent"}`, title: received ? "Received" : "Sent" },
    h("span", { "aria-hidden": "true" }, received ? "✓✓" : "✓"),
    srOnly(received ? "received" : "sent"),
  );
}

/** The lock shown on every end-to-end encrypted message. */
function lockIndicator(m: ChatMessage): HTMLSpanElement | null {
  if (!m.encrypted) return null;
  return h(
    "span",
    { class: "lock", title: "End-to-end encrypted (OMEMO)" },
    h("span", { "aria-hidden": "true" }, "🔒"),
    srOnly("encrypted"),
  );
}

/** Fills the body: clear text, a decrypted text, or what became of an encrypted message. Never HTML. */
function fillBody(body: HTMLElement, m: ChatMessage, plain: PlainView | undefined): void {
  body.className = "body";
  if (!m.encrypted) {
    body.replaceChildren(linkifiedBody(m.body));
    return;
  }
  if (plain?.kind === "text") {
    body.replaceChildren(linkifiedBody(plain.text));
    return;
  }
  body.classList.add("body-encrypted");
  if (plain === undefined || plain.kind === "pending") {
    body.classList.add("body-pending");
    body.replaceChildren("Decrypting…");
  } else if (plain.kind === "failed") {
    body.replaceChildren(plain.reason);
  } else {
    body.replaceChildren("");
  }
}

function isHidden(m: ChatMessage, plain: PlainView | undefined): boolean {
  // A key-transport message (XEP-0384 v0.3 §4.6) carries no text: processed silently, never shown.
  return m.encrypted !== undefined && (!m.encrypted.hasPayload || plain?.kind === "hidden");
}

export function renderMessage(m: ChatMessage, now: number = Date.now(), plain?: PlainView): HTMLLIElement {
  const date = new Date(m.ts);
  const time = h("time", { datetime: Number.isNaN(date.getTime()) ? null : date.toISOString() }, formatTime(m.ts, now));
  const body = h("p", { class: "body" });
  fillBody(body, m, plain);
  const meta = h("p", { class: "meta" }, lockIndicator(m), time, receiptIndicator(m));
  const li = h(
    "li",
    { class: `msg msg-${m.direction}`, "data-key": m.key },
    h("div", { class: "bubble" }, m.direction === "out" ? srOnly("You: ") : null, body, meta),
  );
  if (m.encrypted) li.classList.add("msg-encrypted");
  li.hidden = isHidden(m, plain);
  return li;
}

/** Updates an already rendered message in place: its receipt, and the text once it is decrypted. */
export function updateMessage(li: HTMLLIElement, m: ChatMessage, plain?: PlainView): void {
  const body = li.querySelector<HTMLElement>(".body");
  if (body) fillBody(body, m, plain);
  li.hidden = isHidden(m, plain);
  const meta = li.querySelector(".meta");
  if (!meta) return;
  meta.querySelector(".receipt")?.remove();
  const indicator = receiptIndicator(m);
  if (indicator) meta.appendChild(indicator);
}
