// Small inline SVG icons: emoji glyphs depend on the fonts a machine has (Debian's Chromium without an emoji
// font shows empty boxes), SVG does not. Decorative: always aria-hidden; the meaning is said in text beside it.
const SVG_NS = "http://www.w3.org/2000/svg";

/** 24×24 paths (stroke icons in the style of Feather/Lucide, drawn here). */
const PATHS = {
  lock: ["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 8 0v4"],
  "lock-open": ["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 7.5-2"],
  warning: ["M12 3 2 21h20L12 3z", "M12 10v5", "M12 18h.01"],
  minus: ["M5 12h14"],
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, className = "icon"): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of PATHS[name]) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
  }
  return svg;
}
