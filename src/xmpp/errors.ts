import type { Element } from "@xmpp/xml";

// RFC 6120 §8.3.3 stanza error conditions (the subset Parley reports) plus client-side conditions.
export type XMPPCondition =
  | "bad-request"
  | "conflict"
  | "feature-not-implemented"
  | "forbidden"
  | "item-not-found"
  | "internal-server-error"
  | "not-allowed"
  | "not-authorized"
  | "recipient-unavailable"
  | "remote-server-not-found"
  | "remote-server-timeout"
  | "resource-constraint"
  | "service-unavailable"
  | "undefined-condition"
  | "unexpected-request"
  | "host-unknown"
  | "connection-failed"
  | "timeout";

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
    return new XMPPError((cond?.name ?? "undefined-condition") as XMPPCondition, text);
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
