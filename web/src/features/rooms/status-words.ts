// What a group chat's or channel's status codes (XEP-0045 §15.6) mean, said in words (issue #8 §1: "the status
// codes 110/201/210/301/307/321/322 shown in words"), with the words Parley uses: "group chat", "channel",
// "participants", never "room" or "occupant".
export type RoomKind = "group" | "channel" | "other";

export interface StatusContext {
  kind: RoomKind;
  /** The participant the presence is about. */
  nick: string;
  /** Status 110: it is about us. */
  self: boolean;
  /** Who did it (kick, ban), when the room says. */
  actor?: string;
  reason?: string;
  /** Status 303: the new nickname. */
  newNick?: string;
}

function place(kind: RoomKind): string {
  return kind === "channel" ? "channel" : "group chat";
}

function byWhom(c: StatusContext): string {
  const by = c.actor ? ` by ${c.actor}` : "";
  const why = c.reason ? `: ${c.reason}` : "";
  return `${by}${why}`;
}

/**
 * The sentence for a presence's status codes, or null when nothing is worth saying (an ordinary join or leave,
 * which the caller shows, or not, by the kind of room). The most telling code wins.
 */
export function statusWords(codes: readonly number[], c: StatusContext): string | null {
  const has = (code: number) => codes.includes(code);
  const who = c.self ? "You" : c.nick;
  const where = place(c.kind);
  if (has(301)) return `${who} ${c.self ? "were" : "was"} banned from this ${where}${byWhom(c)}.`;
  if (has(307)) return `${who} ${c.self ? "were" : "was"} removed from this ${where}${byWhom(c)}.`;
  if (has(321)) {
    return c.self
      ? `You were removed from this ${where}: you are no longer a member.`
      : `${c.nick} left: they are no longer a member of this ${where}.`;
  }
  if (has(322)) {
    return c.self
      ? `You were removed: this ${where} is now for members only.`
      : `${c.nick} left: this ${where} is now for members only.`;
  }
  if (has(332)) return `${who} ${c.self ? "were" : "was"} disconnected: the server is shutting down.`;
  if (has(303) && c.newNick) return `${who} ${c.self ? "are" : "is"} now known as ${c.newNick}.`;
  if (has(210) && c.self) return `The server set your name in this ${where} to ${c.nick}.`;
  if (has(201) && c.self) return `The ${where} was created.`;
  return null;
}

/** Codes about the room itself (XEP-0045 §15.6: 104, 170–174), said as a notice in the conversation. */
export function configWords(codes: readonly number[], kind: RoomKind): string[] {
  const where = place(kind);
  const out: string[] = [];
  if (codes.includes(170)) out.push(`This ${where}'s messages are now archived on the server.`);
  if (codes.includes(171)) out.push(`This ${where}'s messages are no longer archived.`);
  if (codes.includes(172)) out.push(`Addresses in this ${where} are now visible to all participants.`);
  if (codes.includes(173) || codes.includes(174)) {
    out.push(`Addresses in this ${where} are now visible to moderators only.`);
  }
  if (out.length === 0 && codes.includes(104)) out.push(`The ${where}'s settings changed.`);
  return out;
}

const ERROR_WORDS: Readonly<Record<string, string>> = {
  kicked: "you were removed",
  banned: "you were banned",
  "affiliation-changed": "you are no longer a member",
  "members-only": "it is now for members only",
  shutdown: "the server is shutting down",
  destroyed: "it was closed",
  "registration-required": "for members only: ask a member for an invitation",
  forbidden: "you are banned from it",
  "item-not-found": "it does not exist",
  "not-authorized": "it needs a password",
  conflict: "your name is taken there",
  "service-unavailable": "it is full or unavailable",
  "remote-server-not-found": "its server cannot be reached",
  "remote-server-timeout": "its server does not answer",
  "not-allowed": "it cannot be joined",
  "not-a-room": "this address is not a group chat or channel",
};

/**
 * Why we are not in a room, in words, from the object's `error` (an XMPP condition or a removal reason, with
 * ": <the room's reason>" when it gave one). Unknown tokens stay as they are.
 */
export function roomErrorWords(error: string | undefined): string {
  if (!error) return "you are not in it";
  const colon = error.indexOf(": ");
  const token = colon === -1 ? error : error.slice(0, colon);
  const reason = colon === -1 ? "" : error.slice(colon + 2);
  const words = ERROR_WORDS[token] ?? token;
  return reason ? `${words} (${reason})` : words;
}
