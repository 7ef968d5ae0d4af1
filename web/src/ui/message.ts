// One message in the log. The body is untrusted: it becomes text nodes, XEP-0393 styling elements and <a> elements
// for http(s) URLs (features/styling), never HTML.
import { icon } from "./icons.ts";
import { styledBody } from "../features/styling/render.ts";
import type { ChatMessage } from "../../../src/protocol/index.ts";
import type { MessageSecurity, PlainView } from "../core/e2ee.ts";
import { trustLabel } from "../crypto/trust-label.ts";
import { formatTime } from "../core/format.ts";
import { h, srOnly } from "./dom.ts";

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

/** What the lock says: encrypted, by which device, and how far that device is trusted. */
export function securityText(sec: MessageSecurity | null | undefined): string {
  if (!sec) return "encrypted";
  if (sec.self) return `encrypted by device ${sec.deviceId} (this browser)`;
  return `encrypted by device ${sec.deviceId}, ${trustLabel(sec.trust)}`;
}

/** The lock shown on every end-to-end encrypted message (a warning sign when the sending device is untrusted). */
function lockIndicator(m: ChatMessage, sec?: MessageSecurity | null): HTMLSpanElement | null {
  if (!m.encrypted) return null;
  const untrusted = sec?.trust === "untrusted";
  const text = securityText(sec);
  return h(
    "span",
    {
      class: `lock${untrusted ? " lock-untrusted" : ""}${sec?.trust === "verified" && !sec.self ? " lock-verified" : ""}`,
      title: `End-to-end encrypted (OMEMO)${sec ? ` · ${text.replace(/^encrypted /u, "")}` : ""}`,
      "data-device": sec ? sec.deviceId : null,
    },
    icon("lock"),
    untrusted ? icon("warning") : null,
    srOnly(text),
  );
}

/**
 * A message in clear in a conversation where OMEMO is in use: said on the message itself, so a downgrade (or a
 * contact writing from a client without OMEMO) is seen, not assumed away.
 */
function clearIndicator(m: ChatMessage): HTMLSpanElement {
  const who = m.direction === "out" ? "You sent this message" : "This message came";
  return h(
    "span",
    {
      class: "clear-mark",
      role: "img",
      "aria-label": "Not encrypted",
      title: `Not encrypted: ${who} without end-to-end encryption, although OMEMO is in use in this conversation.`,
    },
    icon("lock-open"),
    " Not encrypted",
  );
}

/** Fills the body: clear text, a decrypted text, or what became of an encrypted message. Never HTML. */
function fillBody(body: HTMLElement, m: ChatMessage, plain: PlainView | undefined): void {
  body.className = "body";
  if (!m.encrypted) {
    body.replaceChildren(styledBody(m.body));
    return;
  }
  if (plain?.kind === "text") {
    body.replaceChildren(styledBody(plain.text));
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

/** `clear`: a message in clear where OMEMO is in use (marked "Not encrypted"). */
export function renderMessage(
  m: ChatMessage,
  now: number = Date.now(),
  plain?: PlainView,
  sec?: MessageSecurity | null,
  clear = false,
): HTMLLIElement {
  const date = new Date(m.ts);
  const time = h("time", { datetime: Number.isNaN(date.getTime()) ? null : date.toISOString() }, formatTime(m.ts, now));
  const body = h("p", { class: "body" });
  fillBody(body, m, plain);
  const meta = h(
    "p",
    { class: "meta" },
    clear && !m.encrypted ? clearIndicator(m) : null,
    lockIndicator(m, sec),
    time,
    receiptIndicator(m),
  );
  const li = h(
    "li",
    { class: `msg msg-${m.direction}`, "data-key": m.key },
    h("div", { class: "bubble" }, m.direction === "out" ? srOnly("You: ") : null, body, meta),
  );
  if (m.encrypted) li.classList.add("msg-encrypted");
  li.classList.toggle("msg-untrusted", sec?.trust === "untrusted");
  li.classList.toggle("msg-clear", clear && !m.encrypted);
  li.hidden = isHidden(m, plain);
  return li;
}

/** Updates an already rendered message in place: its receipt, its lock, and the text once it is decrypted. */
export function updateMessage(
  li: HTMLLIElement,
  m: ChatMessage,
  plain?: PlainView,
  sec?: MessageSecurity | null,
  clear = false,
): void {
  const body = li.querySelector<HTMLElement>(".body");
  if (body) fillBody(body, m, plain);
  li.hidden = isHidden(m, plain);
  li.classList.toggle("msg-untrusted", sec?.trust === "untrusted");
  const marked = clear && !m.encrypted;
  li.classList.toggle("msg-clear", marked);
  const meta = li.querySelector(".meta");
  if (!meta) return;
  const oldMark = meta.querySelector(".clear-mark");
  if (marked && !oldMark) meta.prepend(clearIndicator(m));
  else if (!marked) oldMark?.remove();
  const lock = lockIndicator(m, sec);
  const oldLock = meta.querySelector(".lock");
  if (lock && oldLock) oldLock.replaceWith(lock);
  else if (lock) meta.prepend(lock);
  else oldLock?.remove();
  meta.querySelector(".receipt")?.remove();
  const indicator = receiptIndicator(m);
  if (indicator) meta.appendChild(indicator);
}
