// End to end (issue #7 §5): search in the browser. rosa (the user, in Chromium) gets 120 messages from saul and one
// from tara, searches through the "Search messages" box, sees the results grouped by conversation with the match
// marked, and opens saul's early message: the conversation opens at it, with the messages around it (a window
// `history.load { around }` brings, since the newest page does not reach it), newer pages on the way down, and
// "Jump to latest". Also driven by keyboard only: Ctrl+K, arrows, Enter, Escape.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import {
  bodies,
  chatUrl,
  expectShownOnce,
  messageLog,
  expectNoAxeViolations,
  screenshots,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";

import { e2eHarness } from "./harness.ts";

const USER = "rosa@localhost";
const SAUL = "saul@localhost";
const TARA = "tara@localhost";
const COUNT = 120;
/** saul's message that the search finds: early enough that the newest page (50) does not hold it. */
const FOUND = 5;

const e2e = e2eHarness();
const run = Math.random().toString(36).slice(2, 8);
/** A word only this run's messages have. */
const word = `zebra${run}`;
const body = (i: number): string => (i === FOUND ? `the ${word} number ${i} is here` : `filler ${i} ${run}`);

const searchBox = (page: Page) => page.getByRole("searchbox", { name: "Search messages" });
/** The text of the focused message (its article), "" when focus is elsewhere. */
const focusedText = async (page: Page): Promise<string> => {
  const focused = page.locator("li[data-key] article:focus");
  return (await focused.count()) === 1 ? ((await focused.textContent()) ?? "") : "";
};
const results = (page: Page) => page.getByRole("region", { name: "Search results" });

describe("search", () => {
  test("finds, groups, marks, and opens a result at its message with its context", { timeout: 240_000 }, async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, SAUL), USER);
    const [saul, tara] = await Promise.all([e2e.peer("saul"), e2e.peer("tara")]);

    for (let i = 1; i <= COUNT; i++) await saul.send(USER, body(i));
    await saul.flush();
    await tara.send(USER, `tara also says ${word}`);
    await expectShownOnce(page, body(COUNT), 60_000);
    // Opened again, from the newest page: saul's early message is not loaded.
    await page.reload();
    await expectShownOnce(page, body(COUNT));
    await expect.poll(() => bodies(page, body(FOUND)).count()).toBe(0);

    // Typing searches (no Enter): two conversations, tara's newer match first.
    await searchBox(page).fill(word);
    const region = results(page);
    await expect
      .poll(() => region.getByRole("status").textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe("2 results in 2 conversations");
    expect(await region.getByRole("heading", { level: 3 }).allTextContents()).toEqual([TARA, SAUL]);
    const saulHits = region.getByRole("list", { name: SAUL }).getByRole("button");
    await expect.poll(() => saulHits.count()).toBe(1);
    expect(await saulHits.first().locator("mark").allTextContents()).toEqual([word]);
    expect(await saulHits.first().textContent()).toContain(body(FOUND));
    // The conversation list is replaced while a search is shown.
    expect(await page.getByRole("heading", { name: "Conversations" }).count()).toBe(0);
    await screenshots(page, "search-results");
    await expectNoAxeViolations(page, "search results with marks");

    // Open it: the window around the message, scrolled to, focused.
    await saulHits.first().click();
    await expectShownOnce(page, body(FOUND));
    for (const i of [1, FOUND - 1, FOUND + 1, FOUND + 20]) await expectShownOnce(page, body(i));
    expect(await bodies(page, body(COUNT)).count()).toBe(0);
    await expect.poll(() => focusedText(page)).toContain(body(FOUND));
    await expect.poll(() => page.locator(".msg-found").count()).toBe(1);
    await screenshots(page, "search-opened");

    // A live message while the window stops short of the newest: not put after the window's end (a hole).
    const late = `late ${run}`;
    await saul.send(USER, late);
    await saul.flush();
    await page.getByRole("button", { name: "Jump to latest" }).waitFor();
    await expectNoAxeViolations(page, "a search result opened in its window, with Jump to latest");
    await expect.poll(() => bodies(page, late).count()).toBe(0);

    // Scrolling down pages newer messages in, up to the end and the live one: no hole, nothing twice.
    const log = messageLog(page);
    await expect
      .poll(
        async () => {
          await log.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
          return bodies(page, late).count();
        },
        { timeout: UI_TIMEOUT_MS },
      )
      .toBe(1);
    const shown = await log.locator(".body").allTextContents();
    expect(shown.at(-1)).toBe(late);
    const numbers = shown.slice(0, -1).map((t) => Number(/(?:filler|number) (\d+)/u.exec(t)?.[1]));
    expect(numbers).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(await page.getByRole("button", { name: "Jump to latest" }).count()).toBe(0);

    // Keyboard only, from a fresh tab (newest page only): Ctrl+K, type, Enter, Arrow Down to saul's result, Enter.
    await page.reload();
    await expectShownOnce(page, late);
    await messageLog(page).focus();
    await page.keyboard.press("Control+k");
    await expect.poll(() => page.locator(":focus").getAttribute("aria-label")).toBe("Search messages");
    await page.keyboard.type(word);
    await page.keyboard.press("Enter");
    await expect.poll(() => region.getByRole("status").textContent()).toBe("2 results in 2 conversations");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expectShownOnce(page, body(FOUND));
    await expect.poll(() => focusedText(page)).toContain(body(FOUND));
    expect(await bodies(page, late).count()).toBe(0);

    // "Jump to latest": the newest page instead of the window.
    await page.getByRole("button", { name: "Jump to latest" }).click();
    await expectShownOnce(page, late);
    expect(await bodies(page, body(FOUND)).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Jump to latest" }).count()).toBe(0);

    // Escape in the box clears the search and brings the conversation list back; "/" focuses the box.
    await searchBox(page).focus();
    await page.keyboard.press("Escape");
    await page.getByRole("heading", { name: "Conversations" }).waitFor();
    expect(await searchBox(page).inputValue()).toBe("");
    await messageLog(page).focus();
    await page.keyboard.press("/");
    await expect.poll(() => page.locator(":focus").getAttribute("aria-label")).toBe("Search messages");

    // Nothing found says so.
    await searchBox(page).fill(`nothing${run}`);
    await expect.poll(() => region.getByRole("status").textContent()).toBe("No messages found");

    // Phone width: the results fill the screen; a result opens the chat in their place, Back returns to them.
    await page.setViewportSize({ width: 390, height: 780 });
    // The open chat hides the sidebar there: the shortcut brings the search box back.
    await page.keyboard.press("Control+k");
    await expect.poll(() => page.locator(":focus").getAttribute("aria-label")).toBe("Search messages");
    await searchBox(page).fill(word);
    await expect.poll(() => region.getByRole("status").textContent()).toBe("2 results in 2 conversations");
    await screenshots(page, "search-phone-results");
    await expectNoAxeViolations(page, "search results, phone");
    await region.getByRole("list", { name: SAUL }).getByRole("button").first().click();
    await expect.poll(() => focusedText(page)).toContain(body(FOUND));
    await screenshots(page, "search-phone-opened");
    await page.getByRole("button", { name: /back/iu }).first().click();
    await expect.poll(() => region.getByRole("status").textContent()).toBe("2 results in 2 conversations");
  });
});
