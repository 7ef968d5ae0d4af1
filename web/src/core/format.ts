// Human-readable labels and times.
import type { ConnectionState, Show } from "../../../src/protocol/index.ts";

export const SHOW_LABELS: Record<Show, string> = {
  online: "Available",
  chat: "Free to chat",
  away: "Away",
  xa: "Extended away",
  dnd: "Do not disturb",
};

export function presenceText(show: Show | null, status: string): string {
  const label = show ? SHOW_LABELS[show] : "Offline";
  const s = status.trim();
  return s ? `${label}: ${s}` : label;
}

/** Socket-level status as seen by the tab: is the WebSocket to the object up? */
export type LinkStatus = "connecting" | "open" | "waiting" | "stopped";

/** The text of the connection status element ("" when everything is fine). */
export function connectionText(link: LinkStatus, everOpened: boolean, server: ConnectionState, ready: boolean): string {
  if (link === "stopped") return "";
  if (link !== "open") return everOpened || link === "waiting" ? "Reconnecting…" : "Connecting…";
  if (!ready) return "Connecting…";
  switch (server) {
    case "online":
      return "";
    case "connecting":
      return "Connecting…";
    case "reconnecting":
      return "Reconnecting…";
    case "offline":
      return "Offline";
  }
}

const pad = (n: number): string => String(n).padStart(2, "0");

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * One formatter for every message's date: toLocaleDateString builds a new Intl.DateTimeFormat on each call, which
 * dominated the first render of a long log (bench/render.mjs: ~0.3 ms per call, once per message).
 */
let shortDate: Intl.DateTimeFormat | null = null;

/** "14:05" today, "Mar 3, 14:05" this year, "2024-03-03 14:05" otherwise (local time). */
export function formatTime(ts: number, now: number = Date.now()): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return "";
  const n = new Date(now);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (sameDay(d, n)) return time;
  if (d.getFullYear() === n.getFullYear()) {
    shortDate ??= new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
    return `${shortDate.format(d)}, ${time}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
