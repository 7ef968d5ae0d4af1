// Above the composer while replying or editing: what the next message answers or corrects, with a way out.
import type { ComposeMode } from "../chat/sender.ts";

export function ComposeContext({
  mode,
  name,
  cancel,
}: {
  mode: ComposeMode | null;
  /** The contact's name (the author of a replied incoming message). */
  name: string;
  cancel(): void;
}) {
  if (!mode) return null;
  const editing = mode.kind === "edit";
  const author = mode.target.direction === "out" ? "yourself" : name;
  const text = mode.kind === "reply" ? (mode.text ?? "Encrypted message") : null;
  return (
    <div class={`compose-context compose-${mode.kind}`} role="status">
      <p class="compose-context-text">
        <strong>{editing ? "Editing your message" : `Replying to ${author}`}</strong>
        {text !== null && <span class="compose-context-quote">{text}</span>}
      </p>
      <button type="button" class="compose-cancel" onClick={cancel}>
        {editing ? "Cancel editing" : "Cancel reply"}
      </button>
    </div>
  );
}
