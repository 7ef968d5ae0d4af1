// End to end (issue #7 §5): encrypted messages are searched in the browser, over this device's plaintext cache, and
// merged with the server's results for clear messages. os-ann is the user (Chromium), os-bob an independent OMEMO
// 0.3 client (python-omemo, test/peers/omemo_peer.py), os-cy a plain client (xmpp.js) writing in clear. A second
// browser (a new OMEMO device, which cannot read what was encrypted before it existed) finds only the clear message.
// The search word is never stored on the server.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { storedFiles } from "./app.ts";
import {
  chatUrl,
  expectEncryptionOn,
  expectNoAxeViolations,
  expectShownOnce,
  screenshots,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";

const USER = "os-ann@localhost";
const BOB = "os-bob@localhost";
const CY = "os-cy@localhost";
const DECRYPT_TIMEOUT_MS = 30_000;

const e2e = e2eHarness({ omemoPeers: [BOB] });

const searchBox = (page: Page) => page.getByRole("searchbox", { name: "Search messages" });
const results = (page: Page) => page.getByRole("region", { name: "Search results" });
const status = (page: Page) => results(page).getByRole("status").textContent();

describe("search in an OMEMO chat", () => {
  test("finds decrypted messages in this browser only, merged with clear ones", { timeout: 240_000 }, async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const word = `kiwi${run}`;
    const fromBob = [`the ${word} is ripe`, `a ${word.toUpperCase()} again, louder`];
    const other = `nothing to find here ${run}`;
    const mine = `my ${word} answer`;
    const clear = `cy says ${word} in clear`;

    const bob = e2e.omemo(BOB);
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, BOB), USER);
    await expectEncryptionOn(page);
    await bob.waitForDevices(USER);

    // Encrypted both ways: two of bob's messages and one of the user's have the word.
    for (const body of [fromBob[0], other, fromBob[1]]) await bob.command("send", { to: USER, body });
    for (const body of [...fromBob, other]) await expectShownOnce(page, body ?? "", DECRYPT_TIMEOUT_MS);
    await sendFromComposer(page, mine);
    await bob.waitFor((e) => e.event === "message" && e.body === mine, DECRYPT_TIMEOUT_MS);
    // One in clear, from someone else.
    const cy = await e2e.peer("os-cy");
    await cy.send(USER, clear);
    await cy.flush();
    await page
      .getByRole("list", { name: "Conversations" })
      .getByRole("listitem")
      .filter({ hasText: clear })
      .waitFor({ timeout: UI_TIMEOUT_MS });

    // The server finds cy's message; this browser finds the three it decrypted. One list, newest first.
    await searchBox(page).fill(word);
    await expect.poll(() => status(page), { timeout: UI_TIMEOUT_MS }).toBe("4 results in 2 conversations");
    expect(await results(page).getByRole("heading", { level: 3 }).allTextContents()).toEqual([CY, BOB]);
    const bobHits = results(page).getByRole("list", { name: BOB }).getByRole("button");
    expect(await bobHits.count()).toBe(3);
    const texts = await bobHits.allTextContents();
    expect(texts[0]).toContain(mine);
    expect(texts[1]).toContain(fromBob[1]);
    expect(texts[2]).toContain(fromBob[0]);
    // Case folded like the server's search: the upper-case word is marked as it was written.
    expect(await bobHits.nth(1).locator("mark").allTextContents()).toEqual([word.toUpperCase()]);
    expect(texts.join(" ")).not.toContain(other);
    await screenshots(page, "omemo-search-results");
    await expectNoAxeViolations(page, "search results with encrypted matches");

    // Opening an encrypted result shows that message in its conversation.
    await bobHits.nth(2).click();
    await expectShownOnce(page, fromBob[0] ?? "", DECRYPT_TIMEOUT_MS);
    await expect
      .poll(async () => (await page.locator("li[data-key] article:focus").textContent()) ?? "", {
        timeout: UI_TIMEOUT_MS,
      })
      .toContain(fromBob[0]);

    // A new browser is a new device: nothing encrypted before it existed is readable there, so only cy's.
    const fresh = await e2e.newPage();
    await signIn(fresh, chatUrl(e2e.app.url, CY), USER);
    await expectShownOnce(fresh, clear);
    await searchBox(fresh).fill(word);
    await expect.poll(() => status(fresh), { timeout: UI_TIMEOUT_MS }).toBe("1 result in 1 conversation");
    expect(await results(fresh).getByRole("heading", { level: 3 }).allTextContents()).toEqual([CY]);

    // The encrypted texts never reached the server's storage (the clear one did: it is what the server searches).
    await e2e.app.stop();
    const stored = storedFiles(e2e.app.stateDir).map((s) => s.bytes);
    expect(stored.some((bytes) => bytes.includes(Buffer.from(clear)))).toBe(true);
    for (const secret of [...fromBob, other, mine]) {
      expect(
        stored.some((bytes) => bytes.includes(Buffer.from(secret ?? ""))),
        secret,
      ).toBe(false);
    }
  });
});
