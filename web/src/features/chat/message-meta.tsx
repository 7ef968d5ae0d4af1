// The meta line under a message body: "Not encrypted" on a clear message where OMEMO is in use, the lock of an
// encrypted one (with the sending device and its trust), "edited", the time, and Sent/Delivered/Read of ours.
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { MessageSecurity } from "../../core/e2ee.ts";
import { formatTime } from "../../core/format.ts";
import { trustLabel } from "../../crypto/trust-label.ts";
import { SrOnly } from "../../ui/alert.tsx";
import { Icon } from "../../ui/icons.tsx";

/** What the lock says: encrypted, by which device, and how far that device is trusted. */
export function securityText(sec: MessageSecurity | null | undefined): string {
  if (!sec) return "encrypted";
  if (sec.self) return `encrypted by device ${sec.deviceId} (this browser)`;
  return `encrypted by device ${sec.deviceId}, ${trustLabel(sec.trust)}`;
}

/** Sent, Delivered (XEP-0184) or Read (XEP-0333) for one of ours: an icon named by the state. */
function Status({ m, status }: { m: ChatMessage; status: "Read" | "Delivered" | null }) {
  if (m.direction !== "out" || m.receipt === null || m.retracted) return null;
  const text = status ?? "Sent";
  const cls = status === "Read" ? "receipt-read" : status === "Delivered" ? "receipt-received" : "receipt-sent";
  return (
    <span class={`receipt ${cls}`} role="img" aria-label={text} title={text}>
      <span aria-hidden="true">{status === null ? "✓" : "✓✓"}</span>
    </span>
  );
}

/** The lock shown on every end-to-end encrypted message (a warning sign when the sending device is untrusted). */
function Lock({ sec }: { sec: MessageSecurity | null }) {
  const untrusted = sec?.trust === "untrusted";
  const text = securityText(sec);
  return (
    <span
      class={`lock${untrusted ? " lock-untrusted" : ""}${sec?.trust === "verified" && !sec.self ? " lock-verified" : ""}`}
      title={`End-to-end encrypted (OMEMO)${sec ? ` · ${text.replace(/^encrypted /u, "")}` : ""}`}
      data-device={sec ? sec.deviceId : undefined}
    >
      <Icon name="lock" />
      {untrusted && <Icon name="warning" />}
      <SrOnly text={text} />
    </span>
  );
}

/**
 * A message in clear in a conversation where OMEMO is in use: said on the message itself, so a downgrade (or a
 * contact writing from a client without OMEMO) is seen, not assumed away.
 */
function ClearMark({ m }: { m: ChatMessage }) {
  const who = m.direction === "out" ? "You sent this message" : "This message came";
  return (
    <span
      class="clear-mark"
      role="img"
      aria-label="Not encrypted"
      title={`Not encrypted: ${who} without end-to-end encryption, although OMEMO is in use in this conversation.`}
    >
      <Icon name="lock-open" /> Not encrypted
    </span>
  );
}

export interface MessageMetaProps {
  m: ChatMessage;
  sec: MessageSecurity | null;
  /** A clear message where OMEMO is in use. */
  clear: boolean;
  status: "Read" | "Delivered" | null;
}

export function MessageMeta({ m, sec, clear, status }: MessageMetaProps) {
  const date = new Date(m.ts);
  return (
    <p class="meta">
      {clear && !m.encrypted && <ClearMark m={m} />}
      {m.encrypted && <Lock sec={sec} />}
      {m.edit && !m.retracted && (
        <span class="edited" title={`Edited ${formatTime(m.edit.ts, Date.now())}`}>
          edited
        </span>
      )}
      <time datetime={Number.isNaN(date.getTime()) ? undefined : date.toISOString()}>
        {formatTime(m.ts, Date.now())}
      </time>
      <Status m={m} status={status} />
    </p>
  );
}
