import type { Element } from "@xmpp/xml";

// RFC 6120 §8.3.3 stanza error conditions (the subset Parley reports) plus client-side conditions.
const STANZA_CONDITIONS = [
  "bad-request",
  "conflict",
  "feature-not-implemented",
  "forbidden",
  "gone",
  "internal-server-error",
  "item-not-found",
  "jid-malformed",
  "not-acceptable",
  "not-allowed",
  "not-authorized",
  "policy-violation",
  "recipient-unavailable",
  "redirect",
  "registration-required",
  "remote-server-not-found",
  "remote-server-timeout",
  "resource-constraint",
  "service-unavailable",
  "subscription-required",
  "undefined-condition",
  "unexpected-request",
] as const;

// RFC 6120 §8.3.3 stanza error conditions plus client-side conditions.
export type XMPPCondition = (typeof STANZA_CONDITIONS)[number] | "host-unknown" | "connection-failed" | "timeout";

const KNOWN = new Set<string>(STANZA_CONDITIONS);

function isStanzaCondition(name: string): name is (typeof STANZA_CONDITIONS)[number] {
  return KNOWN.has(name);
}

/** An expected XMPP failure, carrying the RFC condition so callers can branch on it. */
export class XMPPError extends Error {
  readonly condition: XMPPCondition;
  readonly text: string | undefined;
  /** The application-specific condition's name (RFC 6120 §8.4), e.g. pubsub's precondition-not-met. */
  readonly application: string | undefined;
  constructor(condition: XMPPCondition, text?: string, application?: string) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "XMPPError";
    this.condition = condition;
    this.text = text;
    this.application = application;
  }

  /** RFC 6120 §8.3.2: the condition is the first child in the stanzas namespace. */
  static fromStanzaError(error: Element | undefined): XMPPError {
    const NS = "urn:ietf:params:xml:ns:xmpp-stanzas";
    if (!error) return new XMPPError("undefined-condition");
    const cond = error.getChildElements().find((c) => c.getNS() === NS && c.name !== "text");
    const text = error.getChildText("text", NS) ?? undefined;
    // An unknown condition is undefined-condition (RFC 6120 §8.3.3.21), not a string we would pass on unchecked.
    return new XMPPError(cond && isStanzaCondition(cond.name) ? cond.name : "undefined-condition", text);
  }
}

/** The server bound another address than the one signed in with (RFC 6120 §7: the bound JID is the identity). */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
  constructor(
    readonly asked: string,
    readonly bound: string,
  ) {
    super(`signed in as ${asked} but the server bound ${bound}`);
  }
}
