// One message in the log: a list item holding an `article` (issue #7: "each message in the log is an element with
// role article containing its text"). The body is untrusted: text, XEP-0393 styling elements and <a> elements for
// http(s) URLs (features/styling), never HTML. Issue #7's additions have their places marked below.
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { MessageSecurity, PlainView } from "../../core/e2ee.ts";
import { StyledBody } from "../styling/render.tsx";
import { SrOnly } from "../../ui/alert.tsx";
import { memo } from "../../ui/memo.ts";
import { MessageMeta } from "./message-meta.tsx";

export interface MessageProps {
  m: ChatMessage;
  /** The decrypted text of an encrypted message (undefined until known). */
  plain: PlainView | undefined;
  /** Sending device and its trust, for the lock; null for a clear message. */
  sec: MessageSecurity | null;
  /** A clear message in a conversation where OMEMO is in use (marked "Not encrypted"). */
  clear: boolean;
  /** It continues its sender's group (no repeated header, tighter). */
  continued: boolean;
}

/** The body: clear text, a decrypted text, or what became of an encrypted message. Never HTML. */
function Body({ m, plain }: { m: ChatMessage; plain: PlainView | undefined }) {
  if (!m.encrypted) {
    return (
      <p class="body">
        <StyledBody text={m.body} />
      </p>
    );
  }
  if (plain?.kind === "text") {
    return (
      <p class="body">
        <StyledBody text={plain.text} />
      </p>
    );
  }
  if (plain === undefined || plain.kind === "pending")
    return <p class="body body-encrypted body-pending">Decrypting…</p>;
  return <p class="body body-encrypted">{plain.kind === "failed" ? plain.reason : ""}</p>;
}

function isHidden(m: ChatMessage, plain: PlainView | undefined): boolean {
  // A key-transport message (XEP-0384 v0.3 §4.6) carries no text: processed silently, never shown.
  return m.encrypted !== undefined && (!m.encrypted.hasPayload || plain?.kind === "hidden");
}

function MessageItem({ m, plain, sec, clear, continued }: MessageProps) {
  const marked = clear && !m.encrypted;
  const cls = [
    "msg",
    `msg-${m.direction}`,
    m.encrypted ? "msg-encrypted" : "",
    sec?.trust === "untrusted" ? "msg-untrusted" : "",
    marked ? "msg-clear" : "",
    continued ? "msg-continued" : "",
  ];
  return (
    <li class={cls.filter(Boolean).join(" ")} data-key={m.key} hidden={isHidden(m, plain)}>
      <article class="bubble">
        {m.direction === "out" && <SrOnly text="You: " />}
        {/* Issue #7 §2: the reply quote (XEP-0461) goes here, above the body. */}
        <Body m={m} plain={plain} />
        {/* Issue #7 §2: the reactions row (XEP-0444) goes here, below the body. */}
        <MessageMeta m={m} sec={sec} clear={marked} />
      </article>
      {/* Issue #7 §2: the actions toolbar (Reply, React, Edit, Delete, Copy text) goes here, beside the bubble. */}
    </li>
  );
}

function sameSecurity(a: MessageSecurity | null, b: MessageSecurity | null): boolean {
  return a === b || (a !== null && b !== null && a.deviceId === b.deviceId && a.trust === b.trust && a.self === b.self);
}

/** Rendered again only when something it shows changed: a new message in the log renders that message alone. */
export const Message = memo(
  MessageItem,
  (a, b) =>
    a.m === b.m &&
    a.plain === b.plain &&
    a.clear === b.clear &&
    a.continued === b.continued &&
    sameSecurity(a.sec, b.sec),
);
