// The reactions under a message (XEP-0444): one chip per emoji with its count; the user's own are highlighted and
// clicking a chip toggles the user's reaction with that emoji. Who reacted is in the tooltip.
import { useContext } from "preact/hooks";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import { ActionsContext } from "./api.ts";
import { chipLabel, ownReactions, toggleReaction } from "./text.ts";

export function ReactionChips({ m }: { m: ChatMessage }) {
  const api = useContext(ActionsContext);
  const reactions = m.reactions ?? [];
  if (!api || reactions.length === 0 || m.retracted) return null;
  const mine = ownReactions(m, api.self);
  return (
    <ul class="reactions" aria-label="Reactions">
      {reactions.map((r) => {
        const own = r.from.includes(api.self);
        const who = r.from.map((j) => (j === api.self ? "You" : api.nameOf(j))).join(", ");
        return (
          <li key={r.emoji}>
            <button
              type="button"
              class={`chip${own ? " chip-own" : ""}`}
              aria-pressed={own}
              aria-label={chipLabel(r.emoji, r.from, api.self)}
              title={`${who} reacted with ${r.emoji}`}
              onClick={() => api.react(m, toggleReaction(mine, r.emoji))}
            >
              <span class="chip-emoji">{r.emoji}</span>
              <span class="chip-count">{r.from.length}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
