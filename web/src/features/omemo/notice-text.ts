// The words of a device-change notice (./notice.tsx shows it in the timeline): whose OMEMO device set or identity
// key changed, the fingerprint to compare, and what it means for the next messages. No DOM here.
import type { DeviceNotice } from "../../core/e2ee.ts";

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
