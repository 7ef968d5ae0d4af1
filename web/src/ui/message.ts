// One message in the log. The body is untrusted: it becomes text nodes, plus <a> elements for http(s) URLs.
import type { ChatMessage } from "../../../src/protocol/index.ts";
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

export function renderMessage(m: ChatMessage, now: number = Date.now()): HTMLLIElement {
  const date = new Date(m.ts);
  const time = h("time", { datetime: Number.isNaN(date.getTime()) ? null : date.toISOString() }, formatTime(m.ts, now));
  const body = h("p", { class: "body" });
  if (m.encrypted) {
    // OMEMO: decryption happens in the browser only (issue #3); until this browser has a device, say so.
    body.classList.add("body-encrypted");
    body.appendChild(document.createTextNode("🔒 Encrypted message (not decryptable in this browser)"));
  } else {
    body.appendChild(linkifiedBody(m.body));
  }
  const meta = h("p", { class: "meta" }, time, receiptIndicator(m));
  const li = h(
    "li",
    { class: `msg msg-${m.direction}`, "data-key": m.key },
    h("div", { class: "bubble" }, m.direction === "out" ? srOnly("You: ") : null, body, meta),
  );
  // A key-transport message (XEP-0384 v0.3 §4.6) carries no text: processed silently, never shown.
  if (m.encrypted && !m.encrypted.hasPayload) li.hidden = true;
  return li;
}

/** Updates the receipt of an already rendered message in place. */
export function updateMessage(li: HTMLLIElement, m: ChatMessage): void {
  const meta = li.querySelector(".meta");
  if (!meta) return;
  meta.querySelector(".receipt")?.remove();
  const indicator = receiptIndicator(m);
  if (indicator) meta.appendChild(indicator);
}
