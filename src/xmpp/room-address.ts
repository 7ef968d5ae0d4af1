// Addresses of new rooms (issue #8 §1), without XML, so that the browser checks what the user types the way the
// object will: a channel's address is a local part on the deployment's MUC service, or a whole address; a group
// chat's, when the service gives no unique name (XEP-0307), a slug of its name with a random tail.
import { parseBareJid } from "./jid.ts";

/** The local part of a room address a user may type: letters, digits, and . _ - (no escaping needed, XEP-0106). */
export const ROOM_LOCAL = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,62}$/u;

/** A name as an address's local part: "Book Club: Ünïcode!" -> "book-club-unicode" (ASCII; "" when nothing is left). */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, "-")
    .replace(/^-+|-+$/gu, "")
    .slice(0, 40)
    .replace(/-+$/u, "");
}

/** A room address made from a name: "Book club!" -> "book-club-k3x9q2@service". */
export function slugAddress(name: string, service: string, random: string): string {
  const slug = slugOf(name);
  const tail =
    random
      .toLowerCase()
      .replace(/[^a-z0-9]/gu, "")
      .slice(0, 8) || "room";
  return `${slug === "" ? "group" : slug}-${tail}@${service}`;
}

/** What a user typed as a channel's address: a local part (on `service`) or a whole address; null if neither. */
export function roomAddress(input: string, service: string): string | null {
  const value = input.trim();
  if (value.includes("@")) return parseBareJid(value);
  return ROOM_LOCAL.test(value) ? parseBareJid(`${value}@${service}`) : null;
}

/** Whether `input` could be a channel's address (the service is the object's to find). */
export function isRoomAddressInput(input: string): boolean {
  return roomAddress(input, "example.org") !== null;
}
