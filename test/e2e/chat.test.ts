// End to end: real Chromium, the real app in workerd (wrangler dev), the real Prosody, a scripted XMPP peer.
// ivan (the user, in the browser) talks with judy (the peer): accounts no other test uses, so the scenario stays
// clean even if projects end up sharing one Prosody again.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import {
  allBodies,
  bodies,
  chatUrl,
  composer,
  expectConnectionText,
  expectNoAxeViolations,
  expectShownOnce,
  messageLog,
  openSignedIn,
  screenshots,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
  waitOnline,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";

const USER = "ivan@localhost";
const PEER = "judy@localhost";
/** After the app server restarts: socket back-off (up to 10 s) + object restore + XMPP resume or login. */
const RECONNECT_TIMEOUT_MS = 45_000;

const e2e = e2eHarness();
/** Distinguishes this run's messages in failure output. */
const run = Math.random().toString(36).slice(2, 8);

/** How often `body` is shown in each page, in page order. */
function counts(pages: Page[], body: string): Promise<number[]> {
  return Promise.all(pages.map((p) => bodies(p, body).count()));
}

describe("chatting in the browser", () => {
  test("two tabs and a second browser, a reply, a reload and an app server restart", { timeout: 180_000 }, async () => {
    const timings: Record<string, number> = {};
    let t = Date.now();
    const lap = (name: string): void => {
      timings[name] = Date.now() - t;
      t = Date.now();
    };
    const url = chatUrl(e2e.app.url, PEER);

    // ivan signs in, opens a second tab (same browser: already signed in through the cookie), and signs in once
    // more from a second browser (its own cookie jar).
    const tab1 = await e2e.newPage();
    await signIn(tab1, url, USER);
    const tab2 = await tab1.context().newPage();
    await openSignedIn(tab2, url);
    const other = await e2e.newPage();
    await signIn(other, url, USER);
    const pages = [tab1, tab2, other];
    lap("sign in, 3 pages");

    const judy = await e2e.peer("judy");
    lap("peer online");

    // judy says hello: every page shows it, once.
    const hello = `hello ${run}`;
    await judy.send(USER, hello);
    for (const page of pages) await expectShownOnce(page, hello);
    lap("hello in 3 pages");

    // ivan answers from tab 2: judy gets it exactly once, tab 1 and the other browser show it.
    const reply = `hi judy, ivan here ${run}`;
    await sendFromComposer(tab2, reply);
    await judy.waitForMessage((m) => m.body === reply && m.fromBare === USER, UI_TIMEOUT_MS);
    for (const page of pages) await expectShownOnce(page, reply);
    // Round trip through the server: a duplicate sent right after the reply would have reached judy by now.
    await judy.flush();
    expect(judy.count((m) => m.body === reply)).toBe(1);
    lap("reply");

    // Reload: the conversation comes back from the object's storage, in order.
    await tab1.reload();
    await waitOnline(tab1);
    await expectShownOnce(tab1, hello);
    await expectShownOnce(tab1, reply);
    expect(await allBodies(tab1)).toEqual([hello, reply]);
    lap("reload");

    // The app server goes down mid-conversation; judy keeps talking.
    await e2e.app.stop();
    // Every page notices (its socket closed) and says so.
    for (const page of pages) await expectConnectionText(page, "Reconnecting…");
    await expectNoAxeViolations(tab1, "Reconnecting…");
    lap("app stopped");
    const whileDown = `are you there? ${run}`;
    await judy.send(USER, whileDown);
    await judy.flush(); // the server has routed (and archived) it
    await e2e.app.start();
    lap("app restarted");

    // The pages reconnect by themselves; the object comes back from storage, resumes or logs in again, and
    // catches up: what judy said while the server was down shows exactly once, next to what was there before.
    for (const page of pages) await expectShownOnce(page, whileDown, RECONNECT_TIMEOUT_MS);
    for (const page of pages) await waitOnline(page, RECONNECT_TIMEOUT_MS);
    lap("caught up after restart");

    // And the conversation goes on, both ways.
    const after = `back again ${run}`;
    await judy.send(USER, after);
    for (const page of pages) await expectShownOnce(page, after);
    const answer = `welcome back ${run}`;
    await sendFromComposer(tab1, answer);
    await judy.waitForMessage((m) => m.body === answer && m.fromBare === USER, UI_TIMEOUT_MS);
    for (const page of pages) await expectShownOnce(page, answer);
    await judy.flush();
    lap("conversation goes on");

    // Nothing shown or delivered twice, in any page, in order.
    for (const body of [hello, reply, whileDown, after, answer]) {
      expect(await counts(pages, body), body).toEqual([1, 1, 1]);
    }
    for (const page of pages) expect(await allBodies(page)).toEqual([hello, reply, whileDown, after, answer]);
    expect(judy.count((m) => m.body === reply)).toBe(1);
    expect(judy.count((m) => m.body === answer)).toBe(1);
    console.info(`[e2e] timings (ms): ${JSON.stringify(timings)}`);
  });

  test("a message body is shown as text, never as markup", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, PEER), USER);
    const judy = await e2e.peer("judy");
    const evil = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> ${run}`;
    await judy.send(USER, evil);
    await expectShownOnce(page, evil);
    const log = messageLog(page);
    expect(await log.locator("img").count()).toBe(0);
    expect(await log.locator("script").count()).toBe(0);
    expect(await page.evaluate("typeof window.__xss")).toBe("undefined");
    // The text is exactly what was sent, character for character.
    expect(await bodies(page, evil).first().textContent()).toBe(evil);
  });

  test("a styled body (XEP-0393) is shown with strong, em, s, code, pre and blockquote, built as elements", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, PEER), USER);
    const judy = await e2e.peer("judy");
    const styled = `*bold* _soft_ ~gone~ \`code\` <b>not html</b> ${run}\n> quoted *too*\n\`\`\`\n*raw* ${run}\n\`\`\``;
    await judy.send(USER, styled);
    const body = messageLog(page)
      .locator(".body")
      .filter({ hasText: `not html</b> ${run}` });
    await body.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await body.locator("strong").first().textContent()).toBe("*bold*");
    expect(await body.locator("em").first().textContent()).toBe("_soft_");
    expect(await body.locator("s").first().textContent()).toBe("~gone~");
    expect(await body.locator("code").first().textContent()).toBe("`code`"); // the inline one comes first
    expect(await body.locator("blockquote strong").textContent()).toBe("*too*");
    expect(await body.locator("pre").textContent()).toBe(`\`\`\`\n*raw* ${run}\n\`\`\``);
    expect(await body.locator("pre strong").count()).toBe(0);
    expect(await body.locator("b").count()).toBe(0);
    await screenshots(page, "styling");
  });

  test("typing (XEP-0085): the contact's shows in the header; the user's reaches the contact", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, PEER), USER);
    const judy = await e2e.peer("judy");
    await judy.send(USER, `before typing ${run}`);
    await expectShownOnce(page, `before typing ${run}`);
    await judy.sendChatState(USER, "composing");
    await page.getByText("is typing", { exact: false }).waitFor({ timeout: UI_TIMEOUT_MS });
    await judy.send(USER, `done typing ${run}`);
    await expectShownOnce(page, `done typing ${run}`);
    expect(await page.getByText("is typing", { exact: false }).count()).toBe(0);
    await composer(page).pressSequentially("hel");
    await expect
      .poll(() => judy.chatStates.filter((s) => s.from === USER).map((s) => s.state), { timeout: UI_TIMEOUT_MS })
      .toContain("composing");
  });

  test("a draft typed in one browser is there in another (issue #7 §4)", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, PEER), USER);
    const draft = `not sent yet ${run}`;
    await composer(page).pressSequentially(draft);
    // A second browser opens the same chat, its focus elsewhere: the draft reaches its composer (at once from the
    // snapshot, or as a draft frame a moment after the typing stopped in the first).
    const other = await e2e.newPage();
    await signIn(other, chatUrl(e2e.app.url, PEER), USER);
    await messageLog(other).focus();
    await expect.poll(() => composer(other).inputValue(), { timeout: UI_TIMEOUT_MS }).toBe(draft);
  });

  test("signing out asks first, and can delete the history kept on this deployment (issue #6 §12)", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, PEER), "mia@localhost");
    await page.getByRole("button", { name: "Sign out" }).click();
    const dialog = page.getByRole("dialog", { name: "Sign out?" });
    await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
    // Cancel keeps everything.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await waitOnline(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await dialog.getByRole("checkbox", { name: "Also delete my history on this deployment" }).check();
    await screenshots(page, "signout-dialog");
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
    const me = await page.evaluate(async () => (await fetch("/api/auth/me")).status);
    expect(me).toBe(401);
  });
});
