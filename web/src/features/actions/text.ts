// What a message shows once corrections (XEP-0308), retractions (XEP-0424) and reply quotes (XEP-0461 +
// XEP-0428) are applied, for clear and OMEMO messages alike; and the pure rules behind the message actions.
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { PlainView } from "../../core/e2ee.ts";

export type Shown =
  | { readonly kind: "deleted" }
  /** Text to show (clear, or decrypted), with its quote already removed. */
  | { readonly kind: "text"; readonly text: string }
  /** An encrypted message (or correction) not decrypted (yet): show what became of it. */
  | { readonly kind: "encrypted"; readonly view: PlainView | undefined };

/** Removes [start, end) code points: XEP-0428 offsets count code points. Out of range: the text as it is. */
export function stripCodePoints(text: string, range: { start: number; end: number }): string {
  const points = [...text];
  if (range.start < 0 || range.end > points.length || range.start >= range.end) return text;
  return points.slice(0, range.start).join("") + points.slice(range.end).join("");
}

export function shownText(m: ChatMessage, plainOf: (key: string) => PlainView | undefined): Shown {
  if (m.retracted) return { kind: "deleted" };
  if (m.edit?.encrypted) {
    const view = plainOf(m.edit.key);
    // A correction is a whole new text (never with a reply's quote: XEP-0308 replaces the body).
    return view?.kind === "text" ? { kind: "text", text: view.text } : { kind: "encrypted", view };
  }
  if (!m.encrypted) return { kind: "text", text: m.body };
  const view = plainOf(m.key);
  if (view?.kind !== "text") return { kind: "encrypted", view };
  return { kind: "text", text: m.fallback ? stripCodePoints(view.text, m.fallback) : view.text };
}

/**
 * What the quote above a reply shows of an encrypted target: the target as it now stands (corrected, its own
 * reply quote removed) when it is loaded; otherwise the decrypted text of the target's key as it is. A deleted
 * target has none (the quote says so from replyTo.retracted).
 */
export function quotedPlain(
  target: ChatMessage | undefined,
  key: string,
  plainOf: (key: string) => PlainView | undefined,
  fallback?: { start: number; end: number },
): PlainView | undefined {
  if (!target) {
    // Not loaded here: the object says where the target's own quote is (an encrypted reply), if any.
    const view = plainOf(key);
    return view?.kind === "text" && fallback ? { kind: "text", text: stripCodePoints(view.text, fallback) } : view;
  }
  const shown = shownText(target, plainOf);
  switch (shown.kind) {
    case "text":
      return { kind: "text", text: shown.text };
    case "deleted":
      return undefined;
    case "encrypted":
      return shown.view;
  }
}

/** Two views show the same (quotedPlain builds a new object each time: compared by what they show). */
export function samePlain(a: PlainView | undefined, b: PlainView | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.kind !== b.kind) return false;
  if (a.kind === "text" && b.kind === "text") return a.text === b.text;
  if (a.kind === "failed" && b.kind === "failed") return a.reason === b.reason;
  return a.kind === "pending" || a.kind === "hidden";
}

/** Text for the clipboard and for a quote: what the message shows, or null when it has no text. */
export function plainTextOf(m: ChatMessage, plainOf: (key: string) => PlainView | undefined): string | null {
  const shown = shownText(m, plainOf);
  return shown.kind === "text" ? shown.text : null;
}

/** The longest quote put in front of a reply (the whole message is in the reply reference anyway). */
const QUOTE_CHARS = 300;

/**
 * XEP-0461 §4 / XEP-0428: the fallback quote for clients without replies — each line prefixed with "> ",
 * then a line break — and its length in code points (what the object marks as fallback).
 */
export function quoteOf(text: string): { quote: string; length: number } {
  const points = [...text];
  const cut = points.length > QUOTE_CHARS ? `${points.slice(0, QUOTE_CHARS).join("")}…` : text;
  const quote = `${cut
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n")}\n`;
  return { quote, length: [...quote].length };
}

/** The quick reactions offered on every message (Signal's and Conversations' row). */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;
/** The picker's wider choice. */
export const MORE_REACTIONS = [
  "🎉",
  "🔥",
  "👏",
  "🤔",
  "👀",
  "✅",
  "❌",
  "💯",
  "🙌",
  "😍",
  "🥳",
  "😅",
  "🤣",
  "😊",
  "😉",
  "😎",
  "🤝",
  "💪",
  "🙈",
  "😡",
  "😴",
  "🤷",
  "👎",
  "⭐",
  "☕",
  "🍕",
  "🌟",
  "💡",
  "🚀",
  "💔",
] as const;

/** The user's own reactions to a message. */
export function ownReactions(m: ChatMessage, self: string): string[] {
  return (m.reactions ?? []).filter((r) => r.from.includes(self)).map((r) => r.emoji);
}

/** XEP-0444 §3: the whole new set after toggling one emoji (what message.react sends). */
export function toggleReaction(current: readonly string[], emoji: string): string[] {
  return current.includes(emoji) ? current.filter((e) => e !== emoji) : [...current, emoji];
}

/** The accessible name of a reaction chip: the emoji, how many, and whether the user is among them. */
export function chipLabel(emoji: string, from: readonly string[], self: string): string {
  const mine = from.includes(self);
  return `${emoji} ${from.length}${mine ? ", including you" : ""}`;
}

/** The message Up arrow edits: the user's latest one that is not deleted (XEP-0308: the last correctable). */
export function lastEditable(messages: readonly ChatMessage[]): ChatMessage | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    // An encrypted message of a group chat cannot be corrected yet (the object refuses it).
    if (m?.from && m.encrypted) continue;
    if (m && m.direction === "out" && !m.retracted && (!m.encrypted || m.encrypted.hasPayload)) return m;
  }
  return null;
}

/** What a message a group chat's moderator deleted shows (XEP-0425): who did, and why when they said. */
export function moderatedText(moderated: NonNullable<ChatMessage["moderated"]>): string {
  const who = moderated.by ? `Deleted by ${moderated.by}` : "Deleted by a moderator";
  return moderated.reason ? `${who}: ${moderated.reason}` : who;
}
