// Mentions in group chats (issue #8 §1): typing "@" completes participants' names, and a message that names you
// is highlighted and counted apart. Pure text functions; the composer and the conversation list use them.

/** Most names offered while completing. */
export const MAX_SUGGESTIONS = 8;

/** The "@…" being typed just before the caret: where it starts (at "@") and what follows it; null otherwise. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at < 0) return null;
  // "@" starts a mention at the start or after a space or an opening bracket/quote (not in "mail@example.org").
  if (at > 0 && !/[\s([{"'«“]/u.test(before.charAt(at - 1))) return null;
  const query = before.slice(at + 1);
  if (/\s/u.test(query) || query.length > 64) return null;
  return { start: at, query };
}

function fold(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

/** Participants' names matching what was typed: names starting with it first, then containing it; a few. */
export function suggestNicks(query: string, nicks: Iterable<string>, own: string): string[] {
  const q = fold(query);
  const starts: string[] = [];
  const contains: string[] = [];
  for (const nick of nicks) {
    if (nick === own) continue;
    const f = fold(nick);
    if (f.startsWith(q)) starts.push(nick);
    else if (q !== "" && f.includes(q)) contains.push(nick);
  }
  const byName = (a: string, b: string) => a.localeCompare(b);
  return [...starts.sort(byName), ...contains.sort(byName)].slice(0, MAX_SUGGESTIONS);
}

/** The text with the "@query" before the caret replaced by the chosen name and a space; the new caret. */
export function completeMention(text: string, caret: number, nick: string): { text: string; caret: number } {
  const q = mentionQuery(text, caret);
  if (!q) return { text, caret };
  const inserted = `${nick} `;
  return { text: text.slice(0, q.start + 1) + inserted + text.slice(caret), caret: q.start + 1 + inserted.length };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}

/**
 * Whether `body` names `nick` as a whole word (case and accents aside): "ann" is in "hi Ann!" and "@ann", not in
 * "annual" or "joann".
 */
export function mentions(body: string, nick: string): boolean {
  const name = fold(nick.trim());
  if (name === "") return false;
  const re = new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegExp(name)}($|[^\\p{L}\\p{N}_])`, "u");
  return re.test(fold(body));
}
