// Minimal types for the xmpp.js 0.14 packages Parley uses (they ship JavaScript only).
// Only what the code calls is declared; everything is typed, nothing is `any`.

declare module "@xmpp/xml" {
  export type Node = Element | string;
  export class Element {
    constructor(name: string, attrs?: Record<string, string | undefined>);
    name: string;
    attrs: Record<string, string | undefined>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getNS(): string | undefined;
    getAttr(name: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    append(...nodes: (Node | null | undefined | false)[]): this;
    c(name: string, attrs?: Record<string, string | undefined>): Element;
    t(text: string): this;
    up(): Element;
    remove(el: Element | string, xmlns?: string): this;
    toString(): string;
  }
  export class Parser {
    constructor();
    write(data: string): void;
    end(data?: string): void;
    on(event: "element", listener: (el: Element) => void): this;
    on(event: "error", listener: (err: Error) => void): this;
  }
  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: (Node | null | undefined | false | (Node | null | undefined | false)[])[]
  ): Element;
  export default xml;
}

declare module "@xmpp/jid" {
  export class JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(): string;
    equals(other: JID): boolean;
  }
  export function jid(address: string): JID;
  export function parse(address: string): JID;
  export default jid;
}

declare module "@xmpp/events" {
  export class EventEmitter {
    on(event: string, listener: (...args: never[]) => void): this;
    once(event: string, listener: (...args: never[]) => void): this;
    off(event: string, listener: (...args: never[]) => void): this;
    emit(event: string, ...args: unknown[]): boolean;
    removeAllListeners(event?: string): this;
  }
}

declare module "@xmpp/client-core" {
  import type { Element } from "@xmpp/xml";
  import type { JID } from "@xmpp/jid";
  import type { EventEmitter } from "@xmpp/events";
  export type Status =
    | "offline"
    | "connecting"
    | "connect"
    | "opening"
    | "open"
    | "online"
    | "closing"
    | "close"
    | "disconnecting"
    | "disconnect";
  export class Client extends EventEmitter {
    constructor(options: { service: string; domain: string; lang?: string; timeout?: number });
    status: Status;
    jid: JID | null;
    timeout: number;
    options: { service: string; domain: string };
    start(): Promise<JID>;
    stop(): Promise<void>;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<void>;
    disconnect(timeout?: number): Promise<void>;
    send(element: Element): Promise<void>;
    sendMany(elements: Element[]): Promise<void>;
    restart(): Promise<void>;
    isSecure(): boolean;
    _jid(jid: string): JID;
    _ready(resumed?: boolean): void;
    socket: { url: string | null } | null;
  }
}

declare module "@xmpp/websocket" {
  import type { Client } from "@xmpp/client-core";
  export default function websocket(deps: { entity: Client }): unknown;
}

declare module "@xmpp/middleware" {
  import type { Client } from "@xmpp/client-core";
  import type { Element } from "@xmpp/xml";
  export interface Context {
    stanza: Element;
    entity: Client;
    name: string;
    type: string;
    id: string;
    from: unknown;
    to: unknown;
  }
  export type Handler = (ctx: Context, next: () => Promise<unknown>) => unknown;
  export interface Middleware {
    use(fn: Handler): Handler;
    filter(fn: Handler): Handler;
  }
  export default function middleware(deps: { entity: Client }): Middleware;
}

declare module "@xmpp/stream-features" {
  import type { Middleware, Context } from "@xmpp/middleware";
  import type { Element } from "@xmpp/xml";
  export interface StreamFeatures {
    use(
      name: string,
      xmlns: string,
      handler: (ctx: Context, next: () => Promise<unknown>, feature: Element) => unknown,
    ): void;
  }
  export default function streamFeatures(deps: { middleware: Middleware }): StreamFeatures;
}

declare module "@xmpp/iq/caller.js" {
  import type { Client } from "@xmpp/client-core";
  import type { Middleware } from "@xmpp/middleware";
  import type { Element } from "@xmpp/xml";
  export interface IQCaller {
    request(stanza: Element, timeout?: number): Promise<Element>;
    get(element: Element, to?: string, timeout?: number): Promise<Element>;
    set(element: Element, to?: string, timeout?: number): Promise<Element>;
  }
  export default function iqCaller(deps: { middleware: Middleware; entity: Client }): IQCaller;
}

declare module "@xmpp/iq/callee.js" {
  import type { Client } from "@xmpp/client-core";
  import type { Middleware, Context } from "@xmpp/middleware";
  import type { Element } from "@xmpp/xml";
  export interface IQCallee {
    get(
      ns: string,
      name: string,
      handler: (ctx: Context) => Element | Record<string, never> | Promise<Element | Record<string, never>>,
    ): void;
    set(
      ns: string,
      name: string,
      handler: (ctx: Context) => Element | Record<string, never> | Promise<Element | Record<string, never>>,
    ): void;
  }
  export default function iqCallee(deps: { middleware: Middleware; entity: Client }): IQCallee;
}

declare module "@xmpp/resource-binding" {
  import type { StreamFeatures } from "@xmpp/stream-features";
  import type { IQCaller } from "@xmpp/iq/caller.js";
  export default function resourceBinding(
    deps: { streamFeatures: StreamFeatures; iqCaller: IQCaller },
    resource?: string,
  ): void;
}

declare module "@xmpp/stream-management" {
  import type { Client } from "@xmpp/client-core";
  import type { Middleware } from "@xmpp/middleware";
  import type { StreamFeatures } from "@xmpp/stream-features";
  import type { EventEmitter } from "@xmpp/events";
  export interface StreamManagement extends EventEmitter {
    enabled: boolean;
    id: string;
    inbound: number;
    outbound: number;
    timeout: number;
    requestAckInterval: number;
    /** Sent stanzas not acknowledged yet, oldest first (XEP-0198 §4). */
    outbound_q: { stanza: import("@xmpp/xml").Element; stamp: string }[];
  }
  export default function streamManagement(deps: {
    streamFeatures: StreamFeatures;
    entity: Client;
    middleware: Middleware;
    bind2?: undefined;
    sasl2?: undefined;
  }): StreamManagement;
}
