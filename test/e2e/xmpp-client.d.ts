// Minimal types for @xmpp/client 0.14 (JavaScript only), as the scripted peers in test/peers use it. It lives here
// because tsconfig.json includes test/e2e (which imports the peers), not test/peers.
declare module "@xmpp/client" {
  import type { Element } from "@xmpp/xml";
  import type { JID } from "@xmpp/jid";

  export { xml } from "@xmpp/xml";

  export interface XmppClient {
    status: string;
    jid: JID | null;
    start(): Promise<JID>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    on(event: "stanza", listener: (stanza: Element) => void): this;
    on(event: "online", listener: (jid: JID) => void): this;
    on(event: "offline" | "disconnect", listener: () => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    on(event: "status", listener: (status: string) => void): this;
    on(event: "element" | "send" | "nonza", listener: (element: Element) => void): this;
    iqCaller: { request(stanza: Element, timeoutMs?: number): Promise<Element> };
    reconnect: { stop(): void; delay: number };
  }

  export function client(options: {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
  }): XmppClient;
}
