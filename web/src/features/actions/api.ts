// What a message's actions do (issue #7 §2), given to the log through one stable object per chat pane: the
// message components stay dumb, and group chats (issue #8) reuse them with another implementation.
import { createContext } from "preact";
import type { ChatMessage } from "../../../../src/protocol/index.ts";

export interface ActionsApi {
  /** The user's own bare JID (their reactions, "You"). */
  readonly self: string;
  /** How a sender is named in quotes and reaction tooltips. */
  nameOf(jid: string): string;
  reply(m: ChatMessage): void;
  edit(m: ChatMessage): void;
  /** XEP-0424: retract one of the user's messages. */
  remove(m: ChatMessage): void;
  /** XEP-0444: the user's whole new set of reactions to `m`. */
  react(m: ChatMessage, emojis: string[]): void;
  /** XEP-0425 (group chats): the user moderates the room and `m` is someone else's message. */
  canModerate(m: ChatMessage): boolean;
  /** XEP-0425: asks the room to delete `m` for everyone. */
  moderate(m: ChatMessage): void;
  copy(m: ChatMessage): void;
  /** Scrolls to a message (loading older pages if needed) and highlights it. */
  jumpTo(key: string): void;
}

export const ActionsContext = createContext<ActionsApi | null>(null);
