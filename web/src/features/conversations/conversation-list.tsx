// The conversation list: pinned first, then unread (unless muted), then by last activity (core/conversation-order.ts,
// issue #7 §4); name, last message or "Draft: …", time, and the unread count said in text ("3 unread"). Each entry
// has its "Conversation actions" menu (pin, mute, hide); hidden ones show again with "Show hidden conversations".
// The snapshot carries the most recent conversations; older ones come a page at a time (issue #6 §10).
import { useEffect, useState } from "preact/hooks";
import { orderConversations, unreadText } from "../../core/conversation-order.ts";
import type { ClientFrame, Conversation, RoomView } from "../../../../src/protocol/index.ts";
import { formatTime } from "../../core/format.ts";
import { newRequestId } from "../../core/ids.ts";
import { chatHref } from "../../core/route.ts";
import { displayName, listedConversations } from "../../core/selectors.ts";
import { conversationsCursor, type AppState } from "../../core/state.ts";
import { SrOnly } from "../../ui/alert.tsx";
import { Icon } from "../../ui/icons.tsx";
import { memo, shallowEqual } from "../../ui/memo.ts";
import type { Settler } from "../session/session.ts";
import { ConversationMenu } from "./conversation-menu.tsx";
import "./conversations.css";

const PREVIEW_CHARS = 140;

function preview(body: string): string {
  const flat = body.replace(/\s+/gu, " ").trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

interface RowProps {
  conversation: Conversation;
  name: string;
  /** A group chat or channel (issue #8): marked, and said, as such. */
  roomKind: "group" | "channel" | "other" | undefined;
  /** A room's notification setting (XEP-0492), for its menu. */
  notify: RoomView["notify"] | undefined;
  /** Unread messages naming the user in a room (issue #8 §1), counted apart: the "@" badge. */
  mentions: number;
  draft: string | undefined;
  current: boolean;
  onActivate(peer: string): void;
  send(frame: ClientFrame): boolean;
  onHidden(peer: string): void;
}

const ConversationRow = memo(function ConversationRow(props: RowProps) {
  const { conversation: c, name, draft, current, onActivate } = props;
  const unread = Math.max(0, c.unread);
  const cls = ["conv-item", unread > 0 && !c.muted ? "has-unread" : "", c.hidden ? "is-hidden" : ""];
  return (
    <li class={cls.filter(Boolean).join(" ")}>
      <a
        class="conv"
        href={chatHref(c.peer)}
        aria-current={current ? "page" : undefined}
        onClick={() => onActivate(c.peer)}
      >
        <span class="conv-main">
          <span class="conv-title">
            {c.pinned && <Icon name="pin" class="icon conv-flag" />}
            {props.roomKind && <Icon name={props.roomKind === "channel" ? "hash" : "users"} class="icon conv-kind" />}
            <span class="conv-name">{name}</span>
            {c.muted && <Icon name="bell-off" class="icon conv-flag" />}
            {c.hidden && <Icon name="eye-off" class="icon conv-flag" />}
            {/* The states said in words too: the link's accessible name carries them. */}
            <SrOnly
              text={[
                props.roomKind === "channel" ? ", channel" : props.roomKind ? ", group chat" : "",
                c.pinned ? ", pinned" : "",
                c.muted ? ", muted" : "",
                c.hidden ? ", hidden" : "",
              ].join("")}
            />
          </span>
          {/* Movim and Conversations show an unsent draft in the list, where the last message would be. */}
          <span class={draft !== undefined ? "conv-preview conv-draft" : "conv-preview"}>
            {draft !== undefined ? `Draft: ${preview(draft)}` : preview(c.lastBody)}
          </span>
        </span>
        <span class="conv-side">
          <time class="conv-time">{c.lastTs > 0 ? formatTime(c.lastTs, Date.now()) : ""}</time>
          <span
            class="badge badge-mention"
            role="img"
            aria-label={props.mentions === 1 ? "1 mention" : `${props.mentions} mentions`}
            hidden={props.mentions === 0 || unread === 0}
          >
            @{props.mentions > 99 ? "99+" : String(props.mentions)}
          </span>
          <span
            class={c.muted ? "badge badge-muted" : "badge"}
            role="img"
            aria-label={unreadText(unread)}
            hidden={unread === 0}
          >
            {unread > 99 ? "99+" : String(unread)}
          </span>
        </span>
      </a>
      <ConversationMenu
        conversation={c}
        name={name}
        send={props.send}
        onHidden={props.onHidden}
        notify={props.notify}
      />
    </li>
  );
}, shallowEqual);

/** After "Hide" the row (and its menu button) is gone: focus goes to the list's heading, not to the page. */
function onHidden(): void {
  queueMicrotask(() => document.getElementById("conv-heading")?.focus());
}

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

  const [showHidden, setShowHidden] = useState(false);
  const convs = orderConversations(listedConversations(state), { includeHidden: showHidden });
  let hiddenCount = 0;
  for (const c of state.conversations.values()) if (c.hidden) hiddenCount++;
  return (
    <>
      <ul class="conv-list" aria-labelledby="conv-heading">
        {convs.map((c) => (
          <ConversationRow
            key={c.peer}
            conversation={c}
            name={displayName(state, c.peer)}
            roomKind={state.rooms.get(c.peer)?.kind}
            notify={state.rooms.has(c.peer) ? (state.rooms.get(c.peer)?.notify ?? null) : undefined}
            mentions={state.mentions.get(c.peer) ?? 0}
            draft={c.peer === openPeer ? undefined : state.drafts.get(c.peer)}
            current={c.peer === openPeer}
            onActivate={onActivate}
            send={send}
            onHidden={onHidden}
          />
        ))}
      </ul>
      <p class="empty" hidden={convs.length > 0 || hiddenCount > 0 || !state.ready}>
        No conversations yet.
      </p>
      <button
        type="button"
        class="show-hidden"
        aria-pressed={showHidden}
        hidden={hiddenCount === 0 && !showHidden}
        onClick={() => setShowHidden((v) => !v)}
      >
        Show hidden conversations ({hiddenCount})
      </button>
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
