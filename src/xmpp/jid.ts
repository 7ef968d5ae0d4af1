// RFC 7622 addresses, kept as strings. Only the parts Parley needs: split, bare, validate.
import { isMappedToNothing } from "./scram.ts";

export interface JidParts {
  local: string;
  domain: string;
  resource: string;
}

export function splitJid(address: string): JidParts {
  const slash = address.indexOf("/");
  const bareAddr = slash === -1 ? address : address.slice(0, slash);
  const resource = slash === -1 ? "" : address.slice(slash + 1);
  const at = bareAddr.indexOf("@");
  return {
    local: at === -1 ? "" : bareAddr.slice(0, at),
    domain: (at === -1 ? bareAddr : bareAddr.slice(at + 1)).toLowerCase(),
    resource,
  };
}

export function bare(address: string): string {
  const { local, domain } = splitJid(address);
  return local ? `${local.toLowerCase()}@${domain}` : domain;
}

export function resourceOf(address: string): string {
  return splitJid(address).resource;
}

// RFC 7622 §3.3.1: localpart must not contain these; we reject them instead of escaping (XEP-0106).
// Control, format, private-use and unassigned characters are disallowed by PRECIS (RFC 8264 §9), and most cannot
// even be written in XML.
const FORBIDDEN_LOCAL = /[\s\p{Cc}\p{Cf}\p{Co}\p{Cn}"&'/:<>@]/u;
/**
 * The comparable form of an address part (RFC 8265 UsernameCaseMapped / nodeprep, as far as they agree):
 * width and compatibility mapping (NFKC: `ｓ` is `s`), the RFC 3454 B.1 characters (soft hyphen, joiners,
 * variation selectors, BOM) removed as the server does, lower case. The server may
 * still map further (`ß` to `ss` under nodeprep); the bound JID decides in the end (see the object's login).
 */
export function normalizePart(part: string): string {
  let kept = "";
  for (const ch of part) if (!isMappedToNothing(ch.codePointAt(0) ?? 0)) kept += ch;
  return kept.normalize("NFKC").toLowerCase();
}

/** A bare JID a user typed: `local@domain`, trimmed and normalised; null when it is not one. */
export function parseBareJid(input: string): string | null {
  const value = input.trim();
  if (value.length === 0 || value.length > 3071) return null;
  const at = value.indexOf("@");
  if (at <= 0 || at !== value.lastIndexOf("@")) return null;
  const local = normalizePart(value.slice(0, at));
  const domain = normalizePart(value.slice(at + 1));
  if (local.length === 0 || FORBIDDEN_LOCAL.test(local) || new TextEncoder().encode(local).length > 1023) return null;
  if (!/^[\p{L}\p{N}.-]+$/u.test(domain) || domain.startsWith(".") || domain.endsWith(".")) return null;
  if (domain.includes("..") || new TextEncoder().encode(domain).length > 1023) return null;
  return `${local}@${domain}`;
}
