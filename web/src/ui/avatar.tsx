// A person's avatar: their initial on a colour derived from their address (stable across sessions and tabs).
// Pictures (XEP-0084) come with profiles; until then every client shows the same colour for the same person.
const HUES = 12;

/** FNV-1a over the address: a stable hue bucket (0..HUES-1). */
export function hueOf(jid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jid.length; i++) {
    h ^= jid.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % HUES;
}

/** The first letter (or symbol) of the name, upper-cased; a whole grapheme for emoji and accents. */
export function initialOf(name: string): string {
  const first = [...name.trim()][0] ?? "?";
  return first.toLocaleUpperCase();
}

/** Decorative: the name is always said in text next to it. */
export function Avatar({ jid, name, size = "md" }: { jid: string; name: string; size?: "sm" | "md" }) {
  return (
    <span class={`avatar avatar-${size} avatar-h${hueOf(jid)}`} aria-hidden="true">
      {initialOf(name)}
    </span>
  );
}
