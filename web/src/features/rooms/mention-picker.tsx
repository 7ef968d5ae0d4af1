// Completing participants' names in a group chat's composer (issue #8 §1): typing "@" opens a list of matching
// nicknames under the composer (role listbox, named "Mention a participant"); ArrowDown/ArrowUp move through it
// (the textbox keeps the focus and points at the active option with aria-activedescendant), Enter or Tab puts the
// name in, Escape closes it; a click on a name does the same. The text functions are ./mentions.ts.
import { useState } from "preact/hooks";
import { completeMention, mentionQuery, suggestNicks } from "./mentions.ts";

export const MENTION_LIST_ID = "mention-list";

export interface MentionState {
  options: string[];
  active: number;
}

/** The picker's state for the composer: what to offer for the text and caret, and the keys it takes. */
export function useMentions(nicks: readonly string[] | undefined, own: string | undefined) {
  const [open, setOpen] = useState<MentionState | null>(null);
  return {
    open,
    /** After input or a caret move: the names to offer, or none. */
    update(text: string, caret: number): void {
      const q = nicks ? mentionQuery(text, caret) : null;
      const options = q && nicks ? suggestNicks(q.query, nicks, own ?? "") : [];
      setOpen(options.length > 0 ? { options, active: 0 } : null);
    },
    close(): void {
      setOpen(null);
    },
    /**
     * A key in the composer: true when the picker took it. `apply` gets the completed text and caret.
     */
    key(ev: KeyboardEvent, text: string, caret: number, apply: (text: string, caret: number) => void): boolean {
      if (!open) return false;
      const n = open.options.length;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        const step = ev.key === "ArrowDown" ? 1 : n - 1;
        setOpen({ ...open, active: (open.active + step) % n });
        return true;
      }
      if (ev.key === "Escape") {
        setOpen(null);
        return true;
      }
      if ((ev.key === "Enter" || ev.key === "Tab") && !ev.shiftKey) {
        const nick = open.options[open.active];
        if (nick === undefined) return false;
        const done = completeMention(text, caret, nick);
        setOpen(null);
        apply(done.text, done.caret);
        return true;
      }
      return false;
    },
  };
}

export function MentionList({ state, choose }: { state: MentionState | null; choose(nick: string): void }) {
  if (!state) return null;
  return (
    <ul id={MENTION_LIST_ID} class="mention-list" role="listbox" aria-label="Mention a participant">
      {state.options.map((nick, i) => (
        <li
          key={nick}
          id={`${MENTION_LIST_ID}-${i}`}
          role="option"
          aria-selected={i === state.active}
          class={i === state.active ? "mention-active" : ""}
          // The textbox keeps the focus: the name goes in where the caret is.
          onMouseDown={(ev) => ev.preventDefault()}
          onClick={() => choose(nick)}
        >
          {nick}
        </li>
      ))}
    </ul>
  );
}
