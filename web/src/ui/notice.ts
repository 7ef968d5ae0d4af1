// A device-change notice in the conversation timeline: a system line (a list item of the log, not a bubble) that
// says whose OMEMO device set or identity key changed, with the fingerprint to compare. Text only, never HTML.
import { icon } from "./icons.ts";
import type { DeviceNotice } from "../core/e2ee.ts";
import { formatTime } from "../core/format.ts";
import { h } from "./dom.ts";

export interface NoticeText {
  /** The sentence up to the fingerprint. */
  readonly lead: string;
  readonly fingerprint: string | null;
  /** What it means for the next messages. */
  readonly hint: string;
}

/** `name`: how the contact is shown; `own`: the notice is about the user's own account. */
export function noticeText(n: DeviceNotice, name: string, own: boolean): NoticeText {
  let lead: string;
  switch (n.kind) {
    case "added":
      lead = own ? "Your account has a new device" : `${name} added a new device`;
      break;
    case "removed":
      lead = own ? `Device ${n.deviceId} was removed from your account` : `${name} removed device ${n.deviceId}`;
      break;
    case "key-changed":
      lead = own
        ? `Your device ${n.deviceId} has a new identity key`
        : `${name}'s device ${n.deviceId} has a new identity key`;
      break;
  }
  let hint = "";
  if (n.kind !== "removed") {
    if (n.trust === "untrusted")
      hint = "It is not trusted: nothing is encrypted for it unless you accept it in Devices.";
    else if (n.trust === "blind" || n.trust === "accepted") {
      hint = "Messages are encrypted for it: compare its fingerprint in Devices if you did not expect this.";
    } else if (n.trust === null) hint = "Its key could not be read yet.";
  }
  return { lead, fingerprint: n.kind === "removed" ? null : n.fingerprint, hint };
}

/** One line as plain text (tests, titles). */
export function noticeLine(n: DeviceNotice, name: string, own: boolean): string {
  const t = noticeText(n, name, own);
  const fp = t.fingerprint !== null ? ` (fingerprint ${t.fingerprint})` : "";
  return `${t.lead}${fp}.${t.hint ? ` ${t.hint}` : ""}`;
}

export function renderNotice(n: DeviceNotice, name: string, own: boolean, now: number = Date.now()): HTMLLIElement {
  const t = noticeText(n, name, own);
  const date = new Date(n.ts);
  return h(
    "li",
    { class: `notice notice-${n.kind}${n.trust === "untrusted" ? " notice-untrusted" : ""}`, "data-notice": n.id },
    h(
      "p",
      { class: "notice-text" },
      icon(n.kind === "removed" ? "minus" : "warning", "icon notice-icon"),
      " ",
      t.lead,
      t.fingerprint !== null ? " (fingerprint " : "",
      t.fingerprint !== null ? h("code", { class: "notice-fingerprint" }, t.fingerprint) : null,
      t.fingerprint !== null ? ")" : "",
      ". ",
      t.hint,
      " ",
      h("time", { datetime: Number.isNaN(date.getTime()) ? null : date.toISOString() }, formatTime(n.ts, now)),
    ),
  );
}
