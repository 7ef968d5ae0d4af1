// The conversation list (newest first): name, last message or "Draft: …", time, and the unread count said in text
// ("3 unread"). The snapshot carries the most recent conversations; older ones come a page at a time (issue #6 §10).
import { useEffect, useState } from "preact/hooks";
import type { ClientFrame, Conversation } from "../../../../src/protocol/index.ts";
import { formatTime } from "../../core/format.ts";
import { newRequestId } from "../../core/ids.ts";
import { chatHref } from "../../core/route.ts";
import { displayName, sortConversations } from "../../core/selectors.ts";
import { conversationsCursor, type AppState } from "../../core/state.ts";
import { memo, shallowEqual } from "../../ui/memo.ts";
import type { Settler } from "../session/session.ts";

const PREVIEW_CHARS = 140;

function preview(body: string): string {
  const flat = body.replace(/\s+/gu, " ").trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

interface RowProps {
  conversation: Conversation;
  name: string;
  draft: string | undefined;
  current: boolean;
  onActivate(peer: string): void;
}

const ConversationRow = memo(function ConversationRow({ conversation: c, name, draft, current, onActivate }: RowProps) {
  const unread = Math.max(0, c.unread);
  return (
    <li class={unread > 0 ? "has-unread" : undefined}>
      <a
        class="conv"
        href={chatHref(c.peer)}
        aria-current={current ? "page" : undefined}
        onClick={() => onActivate(c.peer)}
      >
        <span class="conv-main">
          <span class="conv-name">{name}</span>
          {/* Movim and Conversations show an unsent draft in the list, where the last message would be. */}
          <span class={draft !== undefined ? "conv-preview conv-draft" : "conv-preview"}>
            {draft !== undefined ? `Draft: ${preview(draft)}` : preview(c.lastBody)}
          </span>
        </span>
        <span class="conv-side">
          <time class="conv-time">{c.lastTs > 0 ? formatTime(c.lastTs, Date.now()) : ""}</time>
          <span class="badge" role="img" aria-label={`${unread} unread`} hidden={unread === 0}>
            {unread > 99 ? "99+" : String(unread)}
          </span>
        </span>
      </a>
    </li>
  );
}, shallowEqual);

export interface ConversationListProps {
  state: AppState;
  openPeer: string | null;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
  onActivate(peer: string): void;
}

export function ConversationList({ state, openPeer, send, onSettle, onActivate }: ConversationListProps) {
  const [pendingMore, setPendingMore] = useState<string | null>(null);
  useEffect(
    () =>
      onSettle((requestId) => {
        if (pendingMore !== requestId) return false;
        setPendingMore(null);
        return true;
      }),
    [pendingMore],
  );
  // A page arrived (the list changed): the button can be used again.
  useEffect(() => setPendingMore(null), [state.conversations, state.moreConversations]);

  const convs = sortConversations(state.conversations);
  return (
    <>
      <ul class="conv-list" aria-labelledby="conv-heading">
        {convs.map((c) => (
          <ConversationRow
            key={c.peer}
            conversation={c}
            name={displayName(state, c.peer)}
            draft={c.peer === openPeer ? undefined : state.drafts.get(c.peer)}
            current={c.peer === openPeer}
            onActivate={onActivate}
          />
        ))}
      </ul>
      <p class="empty" hidden={convs.length > 0 || !state.ready}>
        No conversations yet.
      </p>
      <button
        type="button"
        class="more-conversations"
        hidden={!state.moreConversations}
        disabled={pendingMore !== null}
        onClick={() => {
          const cursor = conversationsCursor(state.conversations);
          if (pendingMore || !cursor) return;
          const requestId = newRequestId();
          if (send({ type: "conversations.load", requestId, before: cursor })) setPendingMore(requestId);
        }}
      >
        Show older conversations
      </button>
    </>
  );
}
