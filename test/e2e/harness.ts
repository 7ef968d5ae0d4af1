// The lifecycle every e2e file shares: the app in workerd and Chromium started once per file (with the file's
// python OMEMO peers beside them), the wrangler output printed when a test fails, and the pages and scripted peers
// a test opened closed after it.
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { startApp, type AppServer } from "./app.ts";
import { launchBrowser } from "./browser.ts";
import { connectPeer, type Peer } from "../peers/bob.ts";
import { OmemoPeer, type OmemoPeerOptions } from "../peers/omemo-peer.ts";

export interface E2EOptions {
  /** Start Chromium (default true); a file that talks to the app over HTTP and its socket only does without. */
  chromium?: boolean;
  /** Python OMEMO peers for the whole file (by JID): started beside the app, closed after the last test. */
  omemoPeers?: string[];
}

export interface E2E {
  /** The running app (set once beforeAll has run). */
  readonly app: AppServer;
  readonly browser: Browser;
  /** A page in a fresh browser context (its own cookie jar), closed after the test. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A scripted XMPP peer (test/peers/bob.ts), closed after the test. */
  peer(username: string, resource?: string): Promise<Peer>;
  /** The file's OMEMO peer `jid` (one of `omemoPeers`). */
  omemo(jid: string): OmemoPeer;
  /** A python OMEMO peer (test/peers/omemo_peer.py) of this test only, closed after it. */
  omemoPeer(jid: string, options?: Omit<OmemoPeerOptions, "jid" | "port">): Promise<OmemoPeer>;
}

export function e2eHarness(options: E2EOptions = {}): E2E {
  const withChromium = options.chromium ?? true;
  let app: AppServer | undefined;
  let browser: Browser | undefined;
  const filePeers = new Map<string, OmemoPeer>();
  const contexts: BrowserContext[] = [];
  const peers: { close(): Promise<void> }[] = [];

  const startOmemoPeer = (jid: string, rest: Omit<OmemoPeerOptions, "jid" | "port"> = {}): Promise<OmemoPeer> =>
    OmemoPeer.start({ ...rest, jid, port: inject("prosodyC2sPort") });

  beforeAll(async () => {
    const t0 = Date.now();
    [app, browser] = await Promise.all([
      startApp({ prosodyWs: inject("prosodyWs") }),
      withChromium ? launchBrowser() : undefined,
      Promise.all((options.omemoPeers ?? []).map(async (jid) => filePeers.set(jid, await startOmemoPeer(jid)))),
    ]);
    const chromium = browser ? ` and Chromium ${browser.version()}` : "";
    console.info(`[e2e] app on ${app.url}${chromium} up in ${Date.now() - t0} ms`);
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (app) console.error(`[e2e] wrangler output (tail):\n${app.output().slice(-6000)}`);
    });
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await Promise.all([...filePeers.values()].map((p) => p.close()));
    await browser?.close();
    await app?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (used outside a test, or not asked for?)`);
    return value;
  };
  return {
    get app() {
      return started(app, "the app");
    },
    get browser() {
      return started(browser, "Chromium");
    },
    async newPage(contextOptions) {
      const context = await started(browser, "Chromium").newContext(contextOptions);
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (err) => console.error(`[page ${page.url()}] ${err.message}`));
      return page;
    },
    async peer(username, resource) {
      const p = await connectPeer({ service: inject("prosodyWs"), username, resource });
      peers.push(p);
      return p;
    },
    omemo(jid) {
      return started(filePeers.get(jid), `the OMEMO peer ${jid}`);
    },
    async omemoPeer(jid, rest) {
      const p = await startOmemoPeer(jid, rest);
      peers.push(p);
      return p;
    },
  };
}
