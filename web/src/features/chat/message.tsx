// One message in the log: a list item holding an `article` (issue #7: "each message in the log is an element with
// role article containing its text"). The body is untrusted: text, XEP-0393 styling elements and <a> elements for
// http(s) URLs (features/styling), never HTML. Around it: the avatar of an incoming group's first message, the quote
// of a reply, reactions, the meta line and the actions (features/actions).
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { MessageSecurity, PlainView } from "../../core/e2ee.ts";
import { StyledBody } from "../styling/render.tsx";
import { SrOnly } from "../../ui/alert.tsx";
import { memo } from "../../ui/memo.ts";
import { MessageMeta } from "./message-meta.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { MessageActions } from "../actions/message-actions.tsx";
import { ReactionChips } from "../actions/reaction-chips.tsx";
import { ReplyQuote } from "../actions/reply-quote.tsx";
import { moderatedText, samePlain, shownText, type Shown } from "../actions/text.ts";

export interface MessageProps {
  m: ChatMessage;
  /** The decrypted text of an encrypted message (undefined until known). */
  plain: PlainView | undefined;
  /** The decrypted text of its latest correction, when that is encrypted. */
  editPlain: PlainView | undefined;
  /** What the message it replies to shows, when that is encrypted (features/actions/text.ts quotedPlain). */
  quotePlain: PlainView | undefined;
  /** Sending device and its trust, for the lock; null for a clear message. */
  sec: MessageSecurity | null;
  /** A clear message in a conversation where OMEMO is in use (marked "Not encrypted"). */
  clear: boolean;
  /** It continues its sender's group (no repeated avatar, tighter). */
  continued: boolean;
  /** "Read" (XEP-0333) or "Delivered" (XEP-0184) for one of ours; null otherwise. */
  status: "Read" | "Delivered" | null;
  /** A room message naming the user (issue #8 §1): highlighted, and said. */
  mention?: boolean;
  /** "Read by …" under one of the user's messages in a group chat; null otherwise. */
  readBy?: string | null;
  /** The conversation's other party and how they are named (avatar, quotes). */
  peer: string;
  name: string;
}

/** The body: the text as it now stands (corrected, decrypted, quote removed), or what became of it. Never HTML. */
function Body({ shown, moderated }: { shown: Shown; moderated: ChatMessage["moderated"] }) {
  switch (shown.kind) {
    case "deleted":
      return <p class="body body-deleted">{moderated ? moderatedText(moderated) : "This message was deleted"}</p>;
    case "text":
      return (
        <p class="body">
          <StyledBody text={shown.text} />
        </p>
      );
    case "encrypted": {
      const plain = shown.view;
      if (plain === undefined || plain.kind === "pending")
        return <p class="body body-encrypted body-pending">Decrypting…</p>;
      return <p class="body body-encrypted">{plain.kind === "failed" ? plain.reason : ""}</p>;
    }
  }
}

function isHidden(m: ChatMessage, plain: PlainView | undefined): boolean {
  // A key-transport message (XEP-0384 v0.3 §4.6) carries no text: processed silently, never shown.
  return m.encrypted !== undefined && !m.retracted && (!m.encrypted.hasPayload || plain?.kind === "hidden");
}

function MessageItem(props: MessageProps) {
  const { m, plain, sec, clear, continued } = props;
  const marked = clear && !m.encrypted;
  const shown = shownText(m, (key) => (key === m.key ? plain : key === m.edit?.key ? props.editPlain : undefined));
  const incoming = m.direction === "in";
  // In a group chat each message names its sender (the room's nickname), with a colour of their own.
  const who = m.from ? m.from.nick : props.name;
  const avatarId = m.from ? `${props.peer}/${m.from.occupantId ?? m.from.nick}` : props.peer;
  const cls = [
    "msg",
    `msg-${m.direction}`,
    m.encrypted ? "msg-encrypted" : "",
    sec?.trust === "untrusted" ? "msg-untrusted" : "",
    marked ? "msg-clear" : "",
    continued ? "msg-continued" : "",
    m.retracted ? "msg-deleted" : "",
    props.mention ? "msg-mention" : "",
  ];
  return (
    <li class={cls.filter(Boolean).join(" ")} data-key={m.key} hidden={isHidden(m, plain)}>
      {incoming && (continued ? <span class="avatar-space" /> : <Avatar jid={avatarId} name={who} />)}
      <article class="bubble" tabIndex={-1}>
        {m.from && incoming && !continued ? (
          <span class="msg-sender" aria-hidden="true">
            {who}
          </span>
        ) : null}
        <SrOnly text={m.direction === "out" ? "You: " : `${props.mention ? "Mentions you. " : ""}${who}: `} />
        <ReplyQuote m={m} targetPlain={props.quotePlain} peer={props.peer} />
        <Body shown={shown} moderated={m.moderated} />
        <ReactionChips m={m} />
        <MessageMeta m={m} sec={sec} clear={marked} status={props.status} />
        {props.readBy ? <p class="read-by">{props.readBy}</p> : null}
        <MessageActions m={m} hasText={shown.kind === "text"} />
      </article>
    </li>
  );
}

function sameSecurity(a: MessageSecurity | null, b: MessageSecurity | null): boolean {
  return a === b || (a !== null && b !== null && a.deviceId === b.deviceId && a.trust === b.trust && a.self === b.self);
}

/** Whether a message would show the same with `b` as with `a` (its memo, and the log's blocks, compare with it). */
export function sameMessageProps(a: MessageProps, b: MessageProps): boolean {
  return (
    a.m === b.m &&
    a.plain === b.plain &&
    a.editPlain === b.editPlain &&
    samePlain(a.quotePlain, b.quotePlain) &&
    a.clear === b.clear &&
    a.continued === b.continued &&
    a.status === b.status &&
    (a.readBy ?? null) === (b.readBy ?? null) &&
    (a.mention ?? false) === (b.mention ?? false) &&
    a.name === b.name &&
    a.peer === b.peer &&
    sameSecurity(a.sec, b.sec)
  );
}

/** Rendered again only when something it shows changed: a new message in the log renders that message alone. */
export const Message = memo(MessageItem, sameMessageProps);
