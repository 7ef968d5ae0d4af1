// OMEMO 0.3 in the browser against an independent implementation (python-omemo, test/peers/omemo_peer.py):
// alice in two tabs (one device) and a second browser context (a second device); bob is the python peer.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  bodies,
  chatUrl,
  composer,
  expectEncryptionOn,
  expectNoAxeViolations,
  messageLog,
  openSignedIn,
  screenshots,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";

const ALICE = "alice@localhost";
const BOB = "bob@localhost";
const NINA = "nina@localhost";
const OSCAR = "oscar@localhost";
const DECRYPT_TIMEOUT_MS = 30_000;

const e2e = e2eHarness({ omemoPeers: [BOB] });

async function expectShown(page: Page, body: string): Promise<void> {
  await expect
    .poll(() => bodies(page, body).count(), { timeout: DECRYPT_TIMEOUT_MS, message: `${body} in ${page.url()}` })
    .toBe(1);
}

describe("OMEMO in the browser", () => {
  it("two tabs and a second browser read bob's messages, each other's, keep them over a reload; a new browser cannot", async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const bob = e2e.omemo(BOB);
    const a1 = await e2e.newPage();
    await signIn(a1, chatUrl(e2e.app.url, BOB), ALICE);
    await expectEncryptionOn(a1);
    const a2 = await a1.context().newPage();
    await openSignedIn(a2, chatUrl(e2e.app.url, BOB));
    const b = await e2e.newPage();
    await signIn(b, chatUrl(e2e.app.url, BOB), ALICE);
    await expectEncryptionOn(b);
    // One device per browser storage context: two tabs of A are one device, B is another. A is told.
    await bob.waitForDevices(ALICE, 2);
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
    const c = await e2e.newPage();
    await signIn(c, chatUrl(e2e.app.url, BOB), ALICE);
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
    const oscar = await e2e.omemoPeer(OSCAR, { defaultAccessModel: true, manualSubscriptions: true });
    // Not open: only contacts who get oscar's presence may read his device list and bundle.
    expect((await oscar.command("access_model", { node: "devicelist" })).access_model).toBe("presence");
    expect((await oscar.command("access_model", { node: "bundle" })).access_model).toBe("presence");

    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, OSCAR), NINA);
    // Oscar adds nina; she accepts (Parley asks back); oscar has not approved her request yet (Profanity asks its
    // user), so nina cannot read his device list.
    await oscar.command("subscribe", { jid: NINA });
    const requests = page.getByRole("region", { name: "Contact requests" });
    await requests.getByRole("button", { name: "Accept" }).click({ timeout: UI_TIMEOUT_MS });
    await oscar.waitFor((e) => e.event === "subscription_request" && e.from === NINA, UI_TIMEOUT_MS);
    expect(await oscar.command("subscription", { jid: NINA })).toMatchObject({ subscription: "to" });

    // Oscar writes encrypted (nina's nodes are open); Parley decrypts it.
    await oscar.waitForDevices(NINA, 1);
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
    await e2e.omemoPeer(OSCAR, { defaultAccessModel: true, manualSubscriptions: true });
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
