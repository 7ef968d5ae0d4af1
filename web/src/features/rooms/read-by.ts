// "Read by" under the user's own messages in a group chat (issue #8 §1): who has read up to the message (their
// XEP-0333 marker names it or a later message; the object keeps each reader's newest, src/db/room-actions.ts).
// Pure.

/** At most this many names; the others are counted. */
const NAMES = 3;

/** "Read by cy", "Read by cy, dee and 2 others", or null when no one has read up to a message sent at `ts`. */
export function readByText(reads: readonly { nick: string; ts: number }[], ts: number): string | null {
  const names = [...new Set(reads.filter((r) => r.ts >= ts).map((r) => r.nick))];
  if (names.length === 0) return null;
  if (names.length <= NAMES) {
    const last = names.at(-1);
    return `Read by ${names.length === 1 ? last : `${names.slice(0, -1).join(", ")} and ${last}`}`;
  }
  const others = names.length - NAMES;
  return `Read by ${names.slice(0, NAMES).join(", ")} and ${others === 1 ? "1 other" : `${others} others`}`;
}
