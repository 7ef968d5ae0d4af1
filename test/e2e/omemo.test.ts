// OMEMO 0.3 in the browser against an independent implementation (python-omemo, test/peers/omemo_peer.py):
// alice in two tabs (one device) and a second browser context (a second device); bob is the python peer.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApp, type AppServer } from "./app.ts";
import {
  bodies,
  chatUrl,
  composer,
  expectNoAxeViolations,
  launchBrowser,
  messageLog,
  openSignedIn,
  screenshots,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { OmemoPeer } from "../peers/omemo-peer.ts";

const ALICE = "alice@localhost";
const BOB = "bob@localhost";
const NINA = "nina@localhost";
const OSCAR = "oscar@localhost";
const DECRYPT_TIMEOUT_MS = 30_000;

let app: AppServer;
let browser: Browser;
let bob: OmemoPeer;
const contexts: BrowserContext[] = [];
const peers: OmemoPeer[] = [];

beforeAll(async () => {
  [app, browser, bob] = await Promise.all([
    startApp({ prosodyWs: inject("prosodyWs") }),
    launchBrowser(),
    OmemoPeer.start({ jid: BOB, port: inject("prosodyC2sPort") }),
  ]);
});

afterAll(async () => {
  await Promise.all([bob, ...peers].map((p) => p?.close()));
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
function aliceDevices(n: number): Promise<number[]> {
  return devicesSeen(bob, ALICE, n);
}

/** Waits until `peer`'s view of `jid`'s device list has `n` devices. */
async function devicesSeen(peer: OmemoPeer, jid: string, n: number): Promise<number[]> {
  let devices: number[] = [];
  await expect
    .poll(
      async () => {
        const reply = await peer.command("devices", { jid }).catch(() => ({ devices: [] }));
        devices = Array.isArray(reply.devices) ? reply.devices.filter((d): d is number => typeof d === "number") : [];
        return devices.length;
      },
      { timeout: UI_TIMEOUT_MS, message: `${jid}'s devices published` },
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
    // One device per browser storage context: two tabs of A are one device, B is another. A is told.
    await aliceDevices(2);
    await messageLog(a1)
      .getByRole("listitem")
      .filter({ hasText: "Your account has a new device (fingerprint" })
      .waitFor({ timeout: UI_TIMEOUT_MS });

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

  it("a contact publishing with the server's default access model (like Profanity): never a silent downgrade", async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const port = inject("prosodyC2sPort");
    const oscar = await OmemoPeer.start({ jid: OSCAR, port, defaultAccessModel: true, manualSubscriptions: true });
    peers.push(oscar);
    // Not open: only contacts who get oscar's presence may read his device list and bundle.
    expect((await oscar.command("access_model", { node: "devicelist" })).access_model).toBe("presence");
    expect((await oscar.command("access_model", { node: "bundle" })).access_model).toBe("presence");

    const page = await (await newContext()).newPage();
    await signIn(page, chatUrl(app.url, OSCAR), NINA);
    // Oscar adds nina; she accepts (Parley asks back); oscar has not approved her request yet (Profanity asks its
    // user), so nina cannot read his device list.
    await oscar.command("subscribe", { jid: NINA });
    const requests = page.getByRole("region", { name: "Contact requests" });
    await requests.getByRole("button", { name: "Accept" }).click({ timeout: UI_TIMEOUT_MS });
    await oscar.waitFor((e) => e.event === "subscription_request" && e.from === NINA, UI_TIMEOUT_MS);
    expect(await oscar.command("subscription", { jid: NINA })).toMatchObject({ subscription: "to" });

    // Oscar writes encrypted (nina's nodes are open); Parley decrypts it.
    await devicesSeen(oscar, NINA, 1);
    const fromOscar = `hello from a presence-only device list ${run}`;
    await oscar.command("send", { to: NINA, body: fromOscar });
    await expectShown(page, fromOscar);

    // Nina's reply is held, not sent in clear: OMEMO is in use with oscar but his devices cannot be read.
    const reply = `encrypted reply ${run}`;
    await composer(page).fill(reply);
    await composer(page).press("Enter");
    const sendPlain = page.getByRole("button", { name: "Send unencrypted" });
    const sentInClear = (): boolean => oscar.events.some((e) => e.event === "plain" && e.body === reply);
    await expect
      .poll(async () => ((await sendPlain.isVisible()) ? "held" : sentInClear() ? "sent in clear" : "pending"), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe("held");
    const held = page.getByRole("alert").filter({ hasText: "nothing is sent unencrypted unless you confirm it" });
    expect(await held.count()).toBe(1);
    expect(await composer(page).inputValue()).toBe(reply);
    await screenshots(page, "omemo-held");
    await expectNoAxeViolations(page, "OMEMO held message");

    // Oscar approves: nina now gets his presence, Parley reads his list again, the reply goes out encrypted.
    await oscar.command("approve", { jid: NINA });
    await expect
      .poll(() => page.locator("#composer-encrypt-status").textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/^Encrypted \(OMEMO\) for 1 device of this contact\./u);
    await composer(page).press("Enter");
    await expect.poll(() => composer(page).inputValue(), { timeout: UI_TIMEOUT_MS }).toBe("");
    const got = await oscar.waitFor(
      (e) => (e.event === "message" || e.event === "plain") && e.body === reply,
      DECRYPT_TIMEOUT_MS,
    );
    expect(got).toMatchObject({ event: "message", from: NINA, body: reply });
    expect(oscar.events.filter((e) => e.event === "plain")).toEqual([]);
    expect(await sendPlain.isVisible()).toBe(false);

    // A message in clear in this conversation is marked as such.
    const clear = `a message without OMEMO ${run}`;
    await oscar.command("send_plain", { to: NINA, body: clear });
    await expectShown(page, clear);
    const clearRow = messageLog(page).getByRole("listitem").filter({ hasText: clear });
    await expect.poll(() => clearRow.getByRole("img", { name: "Not encrypted" }).count()).toBe(1);
    const encryptedRow = messageLog(page).getByRole("listitem").filter({ hasText: fromOscar });
    expect(await encryptedRow.getByRole("img", { name: "Not encrypted" }).count()).toBe(0);

    // Oscar adds a second device: nina is told in the conversation, with its fingerprint.
    const oscar2 = await OmemoPeer.start({ jid: OSCAR, port, defaultAccessModel: true, manualSubscriptions: true });
    peers.push(oscar2);
    const notice = messageLog(page)
      .getByRole("listitem")
      .filter({ hasText: `${OSCAR} added a new device` });
    await notice.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await notice.locator("code").textContent()).toMatch(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/u);
    await screenshots(page, "omemo-notice");
    await expectNoAxeViolations(page, "OMEMO device notice, clear message marked");

    // "Only verified devices" (Devices dialog): none of oscar's is verified, so the composer says nothing can go.
    await page.getByRole("button", { name: "Devices", exact: true }).click();
    const onlyVerified = page.getByRole("checkbox", { name: "Only verified devices" });
    await onlyVerified.check();
    await expect.poll(() => onlyVerified.isChecked()).toBe(true);
    await screenshots(page, "omemo-devices");
    await expectNoAxeViolations(page, "Devices dialog with a contact's devices");
    await page.getByRole("button", { name: "Close", exact: true }).click();
    await expect
      .poll(() => page.locator("#composer-encrypt-status").textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/^"Only verified devices" is on, but no device of oscar@localhost is verified/u);

    // Held again; this time nina chooses to send it unencrypted: it goes out in clear, marked as such.
    const chosen = `sent unencrypted on purpose ${run}`;
    await composer(page).fill(chosen);
    await composer(page).press("Enter");
    await sendPlain.click({ timeout: UI_TIMEOUT_MS });
    const plain = await oscar.waitFor((e) => e.event === "plain" && e.body === chosen, DECRYPT_TIMEOUT_MS);
    expect(plain).toMatchObject({ from: NINA });
    await expectShown(page, chosen);
    const chosenRow = messageLog(page).getByRole("listitem").filter({ hasText: chosen });
    await expect.poll(() => chosenRow.getByRole("img", { name: "Not encrypted" }).count()).toBe(1);
    expect(await composer(page).inputValue()).toBe("");
  });
});
