// End to end (issue #8 §3): a channel of 1,200 participants (the flood peer, test/peers/flood.ts, through the
// control endpoint) joined in Chromium through "Join or search". The tab gets a handful of room frames (counted
// in the page: one snapshot, not one per presence), the "Participants" list renders its first page, fills up to
// all 1,200, scrolls to the end, and is searched in the object. Long tasks are observed and reported (never
// asserted: timing belongs to bench/big-room.mjs).
import { describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { chatUrl, signIn, UI_TIMEOUT_MS } from "./browser.ts";
import { enter } from "./room-peers.ts";
import { e2eHarness } from "./harness.ts";
import { buildConfigFetch, buildConfigSubmit, parseConfigFields, roomConfig } from "../../src/xmpp/muc.ts";

const FLOOD = 1_200;
const e2e = e2eHarness();

/** Counts room frames the app receives and observes long tasks, from the first script on. */
const OBSERVE = `
  window.__roomFrames = 0;
  window.__longTasks = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (typeof e.data === "string" && /^\\{"type":"room(\\.participants\\.delta)?"/.test(e.data)) window.__roomFrames++;
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const t of list.getEntries()) window.__longTasks.push([Math.round(t.startTime), Math.round(t.duration)]);
  }).observe({ type: "longtask", buffered: true });
`;

const count = (page: Page, what: "__roomFrames") => page.evaluate((k) => Number(Reflect.get(globalThis, k)), what);
/** The long tasks (ms) that started at `since` (performance.now() of the page) or later. */
const longTasks = async (page: Page, since: number): Promise<number[]> => {
  const tasks: unknown = await page.evaluate(() => Reflect.get(globalThis, "__longTasks"));
  if (!Array.isArray(tasks)) return [];
  return tasks.flatMap((t: unknown) =>
    Array.isArray(t) && typeof t[0] === "number" && typeof t[1] === "number" && t[0] >= since ? [t[1]] : [],
  );
};

describe("a channel of 1,000+ participants", () => {
  test(
    "is joined with a snapshot, its list renders, fills, scrolls and is searched",
    { timeout: 240_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const room = `crowd-${run}@conference.localhost`;
      const bo = await e2e.peer("big-bo");
      await enter(bo, room, "bo");
      const offered = parseConfigFields(await bo.iq("get", buildConfigFetch(), room));
      await bo.iq(
        "set",
        buildConfigSubmit(roomConfig("channel", { name: `Crowd ${run}`, description: "" }), offered),
        room,
      );
      const res = await fetch(`${inject("prosodyControl")}/flood`, {
        method: "POST",
        body: JSON.stringify({ room, join: FLOOD }),
      });
      expect(res.status).toBe(204);

      const page = await e2e.newPage();
      await page.addInitScript(OBSERVE);
      await signIn(page, chatUrl(e2e.app.url, "big-bo@localhost"), "big-e2e@localhost");
      const framesBefore = await count(page, "__roomFrames");
      const since = await page.evaluate(() => performance.now());

      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("button", { name: "Join or search" }).click();
      const dialog = page.getByRole("dialog", { name: "Join a group chat or channel" });
      await dialog.getByRole("textbox", { name: "Address" }).fill(room);
      await dialog.getByRole("button", { name: "Join" }).click();
      const total = FLOOD + 2;
      await expect
        .poll(() => page.locator(".chat-header .chat-subtitle").textContent(), { timeout: UI_TIMEOUT_MS })
        .toContain(`${total} participants`);

      await page.locator(".chat-header").getByRole("button", { name: "Participants" }).click();
      const people = page.getByRole("list", { name: "Participants" });
      await people.getByRole("listitem").first().waitFor({ timeout: UI_TIMEOUT_MS });
      // The owner first; all 1,202 in the list (a screenful in the DOM), page by page.
      expect(await people.getByRole("listitem").first().textContent()).toContain("bo");
      await expect
        .poll(() => people.getByRole("listitem").first().getAttribute("aria-setsize"), { timeout: UI_TIMEOUT_MS })
        .toBe(String(total));
      expect(await people.getByRole("listitem").count()).toBeLessThan(100);
      // Keyboard: End moves to the last row.
      await people.getByRole("listitem").first().focus();
      await page.keyboard.press("End");
      await expect
        .poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('aria-posinset') ?? null"), {
          timeout: UI_TIMEOUT_MS,
        })
        .toBe(String(total));
      // Searched in the object: p119 and p1190…p1199.
      await page.getByRole("searchbox", { name: "Search participants" }).fill("p119");
      await expect.poll(() => people.getByRole("listitem").count(), { timeout: UI_TIMEOUT_MS }).toBe(11);
      expect(await page.locator(".participants-count").textContent()).toBe(`11 of ${total} participants match`);

      const frames = (await count(page, "__roomFrames")) - framesBefore;
      const tasks = await longTasks(page, since);
      console.log(
        `big room e2e: ${frames} room frames for ${total} presences; long tasks ${tasks.length}, longest ${Math.max(0, ...tasks)} ms`,
      );
      // A snapshot and a few state changes, never one frame per presence.
      expect(frames).toBeLessThanOrEqual(10);

      // Closed: the tab keeps none of them.
      await page.getByRole("dialog", { name: "Participants" }).getByRole("button", { name: "Close" }).click();
      await expect.poll(() => people.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    },
  );
});
