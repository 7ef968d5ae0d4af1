// The message a reply answers (XEP-0461), shown above the reply's text: who wrote it and the start of its text.
// Activating it scrolls to the original and highlights it.
import { useContext } from "preact/hooks";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { PlainView } from "../../core/e2ee.ts";
import { ActionsContext } from "./api.ts";
import { SrOnly } from "../../ui/alert.tsx";

export interface ReplyQuoteProps {
  m: ChatMessage;
  /** The target's decrypted text when it is encrypted (undefined: not known here). */
  targetPlain: PlainView | undefined;
  /** The conversation's other party (the target's sender when it is incoming). */
  peer: string;
}

/** What the quote says of the target: its text, or why there is none. */
export function quoteText(reply: NonNullable<ChatMessage["replyTo"]>, targetPlain: PlainView | undefined): string {
  if (reply.key === null) return "A message not loaded here";
  if (reply.retracted) return "Deleted message";
  if (reply.body !== "") return reply.body;
  if (targetPlain?.kind === "text") return targetPlain.text;
  if (reply.direction === null) return "A message not loaded here";
  return targetPlain?.kind === "pending" ? "Decrypting…" : "Encrypted message";
}

export function ReplyQuote({ m, targetPlain, peer }: ReplyQuoteProps) {
  const api = useContext(ActionsContext);
  const reply = m.replyTo;
  if (!reply || !api || m.retracted) return null;
  const author = reply.direction === "out" ? "You" : reply.direction === "in" ? api.nameOf(peer) : "";
  const text = quoteText(reply, targetPlain);
  const target = reply.key;
  return (
    <button
      type="button"
      class="quote"
      disabled={target === null}
      title="Show the original message"
      onClick={() => {
        if (target !== null) api.jumpTo(target);
      }}
    >
      {/* The name is the visible text with a hidden "Reply to" (axe: visible text within the accessible name);
          author and text are blocks, so the name reads "Reply to Bob: text". */}
      <span class="quote-author">
        <SrOnly text="Reply to " />
        {author}
        <SrOnly text=":" />
      </span>
      <span class="quote-text">{text}</span>
    </button>
  );
}
