// How a device's trust reads in the UI. Kept out of trust.ts: the initial chunk imports only this.
import type { Trust } from "./trust.ts";

export function trustLabel(trust: Trust | null): string {
  switch (trust) {
    case "blind":
      return "blindly trusted";
    case "verified":
      return "verified";
    case "accepted":
      return "accepted";
    case "untrusted":
      return "untrusted";
    default:
      return "trust unknown";
  }
}
