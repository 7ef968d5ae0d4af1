// The lifecycle every Chromium e2e file shares: the app in workerd and Chromium started once per file, the
// wrangler output printed when a test fails, and the pages and scripted peers a test opened closed after it.
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { startApp, type AppServer } from "./app.ts";
import { launchBrowser } from "./browser.ts";
import { connectPeer, type Peer } from "../peers/bob.ts";

export interface E2E {
  /** The running app (set once beforeAll has run). */
  readonly app: AppServer;
  readonly browser: Browser;
  /** A page in a fresh browser context (its own cookie jar), closed after the test. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A scripted XMPP peer (test/peers/bob.ts), closed after the test. */
  peer(username: string, resource?: string): Promise<Peer>;
}

export function e2eHarness(): E2E {
  let app: AppServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const peers: Peer[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp({ prosodyWs: inject("prosodyWs") }), launchBrowser()]);
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
    await browser?.close();
    await app?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (used outside a test?)`);
    return value;
  };
  return {
    get app() {
      return started(app, "the app");
    },
    get browser() {
      return started(browser, "Chromium");
    },
    async newPage(options) {
      const context = await started(browser, "Chromium").newContext(options);
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
  };
}
