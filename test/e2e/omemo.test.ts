// OMEMO 0.3 in the browser against an independent implementation (python-omemo, test/peers/omemo_peer.py):
// alice in two tabs (one device) and a second browser context (a second device); bob is the python peer.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApp, type AppServer } from "./app.ts";
import {
  bodies,
  chatUrl,
  launchBrowser,
  messageLog,
  openSignedIn,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { OmemoPeer } from "../peers/omemo-peer.ts";

const ALICE = "alice@localhost";
const BOB = "bob@localhost";
const DECRYPT_TIMEOUT_MS = 30_000;

let app: AppServer;
let browser: Browser;
let bob: OmemoPeer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [app, browser, bob] = await Promise.all([
    startApp({ prosodyWs: inject("prosodyWs") }),
    launchBrowser(),
    OmemoPeer.start({ jid: BOB, port: inject("prosodyC2sPort") }),
  ]);
});

afterAll(async () => {
  await bob?.close();
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await app?.stop();
});

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  contexts.push(context);
  return context;
}

async function expectEncryptionOn(page: Page): Promise<void> {
  await expect.poll(() => page.getByLabel("Encrypt (OMEMO)").isChecked(), { timeout: UI_TIMEOUT_MS }).toBe(true);
}

async function expectShown(page: Page, body: string): Promise<void> {
  await expect
    .poll(() => bodies(page, body).count(), { timeout: DECRYPT_TIMEOUT_MS, message: `${body} in ${page.url()}` })
    .toBe(1);
}

/** Waits until bob's view of alice's device list has `n` devices (both browser contexts published). */
async function aliceDevices(n: number): Promise<number[]> {
  let devices: number[] = [];
  await expect
    .poll(
      async () => {
        const reply = await bob.command("devices", { jid: ALICE }).catch(() => ({ devices: [] }));
        devices = Array.isArray(reply.devices) ? reply.devices.filter((d): d is number => typeof d === "number") : [];
        return devices.length;
      },
      { timeout: UI_TIMEOUT_MS, message: "alice's devices published" },
    )
    .toBeGreaterThanOrEqual(n);
  return devices;
}

describe("OMEMO in the browser", () => {
  it("two tabs and a second browser read bob's messages, each other's, keep them over a reload; a new browser cannot", async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const contextA = await newContext();
    const a1 = await contextA.newPage();
    await signIn(a1, chatUrl(app.url, BOB), ALICE);
    await expectEncryptionOn(a1);
    const a2 = await contextA.newPage();
    await openSignedIn(a2, chatUrl(app.url, BOB));
    const contextB = await newContext();
    const b = await contextB.newPage();
    await signIn(b, chatUrl(app.url, BOB), ALICE);
    await expectEncryptionOn(b);
    // One device per browser storage context: two tabs of A are one device, B is another.
    await aliceDevices(2);

    const fromBob = `hello from python ${run}`;
    const sent = await bob.command("send", { to: ALICE, body: fromBob });
    expect(Array.isArray(sent.recipients) && sent.recipients.length).toBeGreaterThanOrEqual(2);
    for (const page of [a1, a2, b]) await expectShown(page, fromBob);

    // Alice answers from tab 2 of browser A: readable in browser B (her other device) and by bob, once.
    const fromA = `answer from browser A ${run}`;
    await sendFromComposer(a2, fromA);
    const got = await bob.waitFor((e) => e.event === "message" && e.body === fromA, DECRYPT_TIMEOUT_MS);
    expect(got.event === "message" && got.from).toBe(ALICE);
    await expectShown(a1, fromA);
    await expectShown(b, fromA);
    expect(bob.events.filter((e) => e.event === "message" && e.body === fromA)).toHaveLength(1);

    // A reload keeps the plaintexts (IndexedDB), nothing is decrypted twice.
    await a1.reload();
    await expectShown(a1, fromBob);
    await expectShown(a1, fromA);

    // Key transport from bob is processed silently; the conversation goes on.
    await bob.command("key_transport", { to: ALICE });
    const second = `second from python ${run}`;
    await bob.command("send", { to: ALICE, body: second });
    await expectShown(b, second);
    await expectShown(a1, second);

    // A brand-new browser context is a new device: the older messages were not encrypted for it.
    const contextC = await newContext();
    const c = await contextC.newPage();
    await signIn(c, chatUrl(app.url, BOB), ALICE);
    await expect
      .poll(() => messageLog(c).getByText("Not encrypted for this browser", { exact: false }).count(), {
        timeout: DECRYPT_TIMEOUT_MS,
      })
      .toBeGreaterThanOrEqual(2);
    expect(await bodies(c, fromBob).count()).toBe(0);
    expect(bob.events.filter((e) => e.event === "undecryptable")).toEqual([]);
  });
});
