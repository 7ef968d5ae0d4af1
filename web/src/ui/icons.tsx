// Small inline SVG icons: emoji glyphs depend on the fonts a machine has (Debian's Chromium without an emoji
// font shows empty boxes), SVG does not. Decorative: always aria-hidden; the meaning is said in text beside it.

/** 24×24 paths (stroke icons in the style of Feather/Lucide, drawn here). */
const PATHS = {
  // Conversation list and log controls (features/conversations, features/read).
  pin: ["M9 4h6", "M10 4v6l-3 4h10l-3-4V4", "M12 14v7"],
  "bell-off": ["M6 17h12l-2-3v-4a4 4 0 0 0-6.5-3.1", "M6 10v4l-2 3", "M10 20h4", "M3 3l18 18"],
  "eye-off": [
    "M3 3l18 18",
    "M10.6 6.1A9.8 9.8 0 0 1 12 6c6 0 9.5 6 9.5 6a16 16 0 0 1-2.6 3.3",
    "M6.4 7.5A16 16 0 0 0 2.5 12s3.5 6 9.5 6a9 9 0 0 0 4.2-1",
    "M9.9 10a3 3 0 0 0 4.1 4.1",
  ],
  more: ["M5 12h.01", "M12 12h.01", "M19 12h.01"],
  "arrow-down": ["M12 5v14", "M6 13l6 6 6-6"],
  "arrow-up": ["M12 19V5", "M6 11l6-6 6 6"],
  lock: ["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 8 0v4"],
  "lock-open": ["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 7.5-2"],
  warning: ["M12 3 2 21h20L12 3z", "M12 10v5", "M12 18h.01"],
  minus: ["M5 12h14"],
  // Group chats and channels (features/rooms).
  users: [
    "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
    "M2 21v-1a6 6 0 0 1 12 0v1",
    "M16 3.5a4 4 0 0 1 0 7",
    "M22 21v-1a6 6 0 0 0-4-5.6",
  ],
  hash: ["M4 9h16", "M4 15h16", "M10 3 8 21", "M16 3l-2 18"],
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
