// Small inline SVG icons: emoji glyphs depend on the fonts a machine has (Debian's Chromium without an emoji
// font shows empty boxes), SVG does not. Decorative: always aria-hidden; the meaning is said in text beside it.

/** 24×24 paths (stroke icons in the style of Feather/Lucide, drawn here). */
const PATHS = {
  lock: ["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 8 0v4"],
  "lock-open": ["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 7.5-2"],
  warning: ["M12 3 2 21h20L12 3z", "M12 10v5", "M12 18h.01"],
  minus: ["M5 12h14"],
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, class: className = "icon" }: { name: IconName; class?: string }) {
  return (
    <svg viewBox="0 0 24 24" class={className} aria-hidden="true" focusable="false">
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
