// The frame every conversation header shares (a chat, a group chat, a channel): Back (phone width), the name as the
// pane's heading, a live line under it, and the conversation's own buttons after.
import type { ComponentChildren } from "preact";

export interface HeaderFrameProps {
  name: string;
  subtitle: string;
  back(): void;
  children?: ComponentChildren;
}

export function HeaderFrame({ name, subtitle, back, children }: HeaderFrameProps) {
  return (
    <header class="chat-header">
      <button type="button" class="back" aria-label="Back to conversations" onClick={back}>
        ‹ Back
      </button>
      <div class="chat-heading">
        <h2 id="chat-title" class="chat-title">
          {name}
        </h2>
        <p class="chat-subtitle" aria-live="polite">
          {subtitle}
        </p>
      </div>
      {children}
    </header>
  );
}
