// A message's actions (issue #7 §2, names are a contract): "Reply", "React", "Edit" and "Delete" (own messages),
// "Copy text"; in group chats the same (issue #8 §1), and "Delete for everyone" on others' messages for a
// moderator (XEP-0425). Shown on hover and keyboard focus, always in the accessibility tree. "React" opens the quick row of
// emoji (buttons named by the emoji itself) and a wider picker. Keyboard: Tab or the arrow keys move between the
// buttons (./arrows.ts), Enter or Space presses one, Escape closes the picker and focus goes back to "React"; the
// picker also closes when focus or a click goes elsewhere.
import type { TargetedKeyboardEvent } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import { ActionsContext } from "./api.ts";
import { arrowTarget, isArrowKey } from "./arrows.ts";
import { MORE_REACTIONS, ownReactions, QUICK_REACTIONS, toggleReaction } from "./text.ts";

/** Arrow keys, Home and End among the enabled buttons of the element the handler is on. */
function onArrows(ev: TargetedKeyboardEvent<HTMLElement>): void {
  if (!isArrowKey(ev.key) || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  const buttons = [...ev.currentTarget.querySelectorAll<HTMLButtonElement>("button:not(:disabled)")];
  const current = buttons.findIndex((b) => b === document.activeElement);
  if (current === -1) return;
  const spots = buttons.map((b) => b.getBoundingClientRect());
  const next = buttons[arrowTarget(spots, current, ev.key) ?? -1];
  // Handled either way inside the widget: the arrows do not scroll the log under it.
  ev.preventDefault();
  ev.stopPropagation();
  next?.focus();
}

export interface MessageActionsProps {
  m: ChatMessage;
  /** The message has text to copy and quote (decrypted, or clear). */
  hasText: boolean;
}

export function MessageActions({ m, hasText }: MessageActionsProps) {
  const api = useContext(ActionsContext);
  const [picking, setPicking] = useState<"closed" | "quick" | "more">("closed");
  const reactButton = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const picker = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (picking === "closed") return;
    // Opened: its first emoji. "More reactions" (which goes away): the first of the wider grid, so that focus is
    // not lost to the page.
    const first = picking === "more" ? ".picker-grid button" : "button";
    picker.current?.querySelector<HTMLButtonElement>(first)?.focus();
    // A click outside the actions closes the picker (focus stays where the click put it).
    const outside = (ev: PointerEvent): void => {
      if (ev.target instanceof Node && root.current?.contains(ev.target)) return;
      setPicking("closed");
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [picking]);
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
    <div
      ref={root}
      class={`msg-actions${picking !== "closed" ? " msg-actions-open" : ""}`}
      onFocusOut={(ev) => {
        // Focus went elsewhere in the page (Tab past the picker, a click on another control): close, leave it there.
        const to = ev.relatedTarget;
        if (picking !== "closed" && to instanceof Node && !ev.currentTarget.contains(to)) setPicking("closed");
      }}
    >
      <div class="msg-toolbar" role="group" aria-label="Message actions" onKeyDown={onArrows}>
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
        {own && !(m.from && m.encrypted) && (
          <button type="button" onClick={() => api.edit(m)} disabled={!hasText}>
            Edit
          </button>
        )}
        {own && (
          <button type="button" class="danger" onClick={() => api.remove(m)}>
            Delete
          </button>
        )}
        {!own && api.canModerate(m) && (
          <button type="button" class="danger" onClick={() => api.moderate(m)}>
            Delete for everyone
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
              return;
            }
            onArrows(ev);
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
