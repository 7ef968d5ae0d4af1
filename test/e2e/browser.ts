// Browser helpers for the end-to-end tests: Debian's Chromium driven by playwright-core, and the few page
// interactions the scenarios need, all through accessible names (what a person or a screen reader sees).
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "./app.ts";

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";
/** Default wait for something to show up in a page. */
export const UI_TIMEOUT_MS = 20_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export function chatUrl(appUrl: string, peer: string): string {
  return `${appUrl}/#chat/${encodeURIComponent(peer)}`;
}

/** The message list of the open conversation. */
export function messageLog(page: Page): Locator {
  return page.getByRole("log", { name: "Messages" });
}

/** Message bodies in the open conversation whose whole text is exactly `body`. */
export function bodies(page: Page, body: string): Locator {
  return messageLog(page).locator(".body").getByText(body, { exact: true });
}

/** The message (its article) whose body, not a quote of it, is exactly `text`. */
export function article(page: Page, text: string): Locator {
  return messageLog(page)
    .getByRole("article")
    .filter({ has: page.locator(".body").getByText(text, { exact: true }) });
}

/** Hovers the message whose body is exactly `text` and clicks the action `name` of its toolbar. */
export async function messageAction(page: Page, text: string, name: string): Promise<void> {
  const a = article(page, text);
  await a.hover();
  await a.getByRole("button", { name, exact: true }).click();
}

/** All message bodies of the open conversation, oldest first. */
export function allBodies(page: Page): Promise<string[]> {
  return messageLog(page).locator(".body").allTextContents();
}

/** The composer (there is also a "Status message" field, hence exact). */
export function composer(page: Page): Locator {
  return page.getByRole("textbox", { name: "Message", exact: true });
}

/** Waits until the connection status (the header's role=status) reads `text` ("" when online). */
export async function expectConnectionText(page: Page, text: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  await expect
    .poll(async () => (await page.getByRole("status").textContent())?.trim() ?? null, {
      timeout,
      message: `the connection status of ${page.url()} should read ${JSON.stringify(text)}`,
    })
    .toBe(text);
}

/** Waits until the composer's "Encrypt (OMEMO)" switch is on. */
export async function expectEncryptionOn(page: Page): Promise<void> {
  await expect.poll(() => page.getByLabel("Encrypt (OMEMO)").isChecked(), { timeout: UI_TIMEOUT_MS }).toBe(true);
}

/** Waits until the page has its snapshot and says nothing about the connection (i.e. online). */
export async function waitOnline(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  await page.getByRole("navigation", { name: "Conversations" }).waitFor({ timeout });
  await page.locator(".panes:not([aria-busy])").waitFor({ timeout });
  await expectConnectionText(page, "", timeout);
}

/** Opens `url` (a signed-out context: the sign-in page), signs in and waits until the app is online. */
export async function signIn(page: Page, url: string, address: string, password = "parley"): Promise<void> {
  await page.goto(url);
  await submitSignIn(page, address, password);
}

/** Signs in on the sign-in page the page shows now and waits until the app is online. */
export async function submitSignIn(page: Page, address: string, password = "parley"): Promise<void> {
  await page.getByLabel("Address", { exact: true }).fill(address);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await waitOnline(page);
  await messageLog(page).waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Opens `url` in a page whose context already has the session cookie. */
export async function openSignedIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitOnline(page);
  await messageLog(page).waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Types `body` into the composer and sends it with Enter; waits until the composer is cleared (sent). */
export async function sendFromComposer(page: Page, body: string): Promise<void> {
  const box = composer(page);
  await box.fill(body);
  await box.press("Enter");
  await expect
    .poll(() => box.inputValue(), { timeout: UI_TIMEOUT_MS, message: "the composer clears once sent" })
    .toBe("");
}

/** Waits until `body` is shown exactly once in the page's open conversation. */
export async function expectShownOnce(page: Page, body: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  await expect
    .poll(() => bodies(page, body).count(), { timeout, message: `${JSON.stringify(body)} shown once in ${page.url()}` })
    .toBe(1);
}

/** With PARLEY_E2E_SCREENSHOTS=1: light and dark screenshots for a person to look at (.parley/screenshots). */
export async function screenshots(page: Page, name: string): Promise<void> {
  if (process.env.PARLEY_E2E_SCREENSHOTS !== "1") return;
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: path.join(REPO_ROOT, ".parley", "screenshots", `${name}-${colorScheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: null });
}

/**
 * axe-core in the page (issue #7: every screen passes with no serious or critical violations). Returns the
 * violations at those levels, each as "rule: what, where", so a failing test says what to fix.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's strict CSP (no inline scripts) stays as it is.
  if ((await page.evaluate("typeof axe")) !== "object") {
    axeSource ??= readFileSync(path.join(REPO_ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
    await page.evaluate(axeSource);
  }
  // A string: this file is type-checked without the DOM library.
  const raw: unknown = await page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) })))`);
  const results = Array.isArray(raw) ? raw.filter(isViolation) : [];
  return results
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(", ")}`);
}

let axeSource: string | undefined;

/**
 * axe-core on the screen as it is, in the light and the dark colour scheme: fails with every serious or critical
 * violation of either. `screen` names the screen in the failure message.
 */
export async function expectNoAxeViolations(page: Page, screen: string): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await axeViolations(page)) found.push(`[${screen}, ${colorScheme}] ${v}`);
  }
  await page.emulateMedia({ colorScheme: null });
  // Soft: the test goes on to the next screens, so one run lists everything to fix.
  expect.soft(found, found.join("\n")).toEqual([]);
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

function isViolation(v: unknown): v is Violation {
  return typeof v === "object" && v !== null && "id" in v && "impact" in v && "help" in v && "targets" in v;
}
