// A device-change notice in the conversation timeline: a system line (a list item of the log, not a bubble) that
// says whose OMEMO device set or identity key changed, with the fingerprint to compare. Text only, never HTML.
import { memo } from "../../ui/memo.ts";
import type { DeviceNotice } from "../../core/e2ee.ts";
import { formatTime } from "../../core/format.ts";
import { Icon } from "../../ui/icons.tsx";
import { noticeText } from "./notice-text.ts";

interface NoticeProps {
  notice: DeviceNotice;
  /** How the contact is shown. */
  name: string;
  /** The notice is about the user's own account. */
  own: boolean;
}

function NoticeItem({ notice: n, name, own }: NoticeProps) {
  const t = noticeText(n, name, own);
  const date = new Date(n.ts);
  return (
    <li class={`notice notice-${n.kind}${n.trust === "untrusted" ? " notice-untrusted" : ""}`} data-notice={n.id}>
      <p class="notice-text">
        <Icon name={n.kind === "removed" ? "minus" : "warning"} class="icon notice-icon" /> {t.lead}
        {t.fingerprint !== null && (
          <>
            {" (fingerprint "}
            <code class="notice-fingerprint">{t.fingerprint}</code>
            {")"}
          </>
        )}
        {". "}
        {t.hint}{" "}
        <time datetime={Number.isNaN(date.getTime()) ? undefined : date.toISOString()}>
          {formatTime(n.ts, Date.now())}
        </time>
      </p>
    </li>
  );
}

/** Re-rendered only when its text can change (a fingerprint read later, a trust decision, a renamed contact). */
export const Notice = memo(
  NoticeItem,
  (a, b) =>
    a.name === b.name &&
    a.own === b.own &&
    a.notice.id === b.notice.id &&
    a.notice.fingerprint === b.notice.fingerprint &&
    a.notice.trust === b.notice.trust,
);
