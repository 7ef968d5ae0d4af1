// A message's actions (issue #7 §2, names are a contract): "Reply", "React", "Edit" and "Delete" (own messages),
// "Copy text". Shown on hover and keyboard focus, always in the accessibility tree. "React" opens the quick row of
// emoji (buttons named by the emoji itself) and a wider picker.
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import { ActionsContext } from "./api.ts";
import { MORE_REACTIONS, ownReactions, QUICK_REACTIONS, toggleReaction } from "./text.ts";

export interface MessageActionsProps {
  m: ChatMessage;
  /** The message has text to copy and quote (decrypted, or clear). */
  hasText: boolean;
}

export function MessageActions({ m, hasText }: MessageActionsProps) {
  const api = useContext(ActionsContext);
  const [picking, setPicking] = useState<"closed" | "quick" | "more">("closed");
  const reactButton = useRef<HTMLButtonElement>(null);
  const picker = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (picking !== "closed") picker.current?.querySelector<HTMLButtonElement>("button")?.focus();
  }, [picking === "closed"]);
  if (!api || m.retracted) return null;
  const own = m.direction === "out";
  const mine = ownReactions(m, api.self);
  const close = () => {
    setPicking("closed");
    reactButton.current?.focus();
  };
  const choose = (emoji: string) => {
    api.react(m, toggleReaction(mine, emoji));
    close();
  };
  const emojiButton = (emoji: string) => (
    <button
      key={emoji}
      type="button"
      class={`emoji${mine.includes(emoji) ? " emoji-own" : ""}`}
      aria-pressed={mine.includes(emoji)}
      onClick={() => choose(emoji)}
    >
      {emoji}
    </button>
  );
  return (
    <div class={`msg-actions${picking !== "closed" ? " msg-actions-open" : ""}`}>
      <div class="msg-toolbar" role="group" aria-label="Message actions">
        <button type="button" onClick={() => api.reply(m)}>
          Reply
        </button>
        <button
          ref={reactButton}
          type="button"
          aria-expanded={picking !== "closed"}
          onClick={() => (picking === "closed" ? setPicking("quick") : close())}
        >
          React
        </button>
        {own && (
          <button type="button" onClick={() => api.edit(m)} disabled={!hasText}>
            Edit
          </button>
        )}
        {own && (
          <button type="button" class="danger" onClick={() => api.remove(m)}>
            Delete
          </button>
        )}
        <button type="button" onClick={() => api.copy(m)} disabled={!hasText}>
          Copy text
        </button>
      </div>
      {picking !== "closed" && (
        <div
          ref={picker}
          class="picker"
          role="group"
          aria-label="Choose a reaction"
          onKeyDown={(ev) => {
            if (ev.key === "Escape") {
              ev.preventDefault();
              ev.stopPropagation();
              close();
            }
          }}
        >
          <div class="picker-row">
            {QUICK_REACTIONS.map(emojiButton)}
            {picking === "quick" && (
              <button type="button" class="picker-more" onClick={() => setPicking("more")}>
                More reactions
              </button>
            )}
          </div>
          {picking === "more" && <div class="picker-grid">{MORE_REACTIONS.map(emojiButton)}</div>}
        </div>
      )}
    </div>
  );
}
