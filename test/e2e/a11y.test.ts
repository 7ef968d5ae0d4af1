// End to end: every screen of the app passes axe-core (no serious or critical violation) in the light and the
// dark colour scheme, at desktop and phone width, and the message actions work with the keyboard alone (issue #7,
// "Accessible names"). Ada is the user; Ben and Cy, her contacts (seeded as `npm start` does), are scripted peers.
// Phone width is checked on the screens whose layout changes most there (axe takes a second or two a screen).
// Search results, a search window with "Jump to latest", and the OMEMO screens are checked where their own tests
// show them (search.test.ts, omemo.test.ts).
import { beforeAll, describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { xml } from "@xmpp/xml";
import { publishAvatars, seedRosters, type Person } from "../../scripts/demo.mjs";
import { E2E_PROSODY_STORE } from "./app.ts";
import {
  article,
  chatUrl,
  composer,
  expectNoAxeViolations,
  messageLog,
  screenshots,
  sendFromComposer,
  signIn,
  submitSignIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";

const PEOPLE: Person[] = [
  { user: "axe-ada", name: "Ada", colour: [0x6b, 0x3b, 0xdb] },
  { user: "axe-ben", name: "Ben", colour: [0x2b, 0x8a, 0x3e] },
  { user: "axe-cy", name: "Cy", colour: [0xc2, 0x55, 0x1c] },
];
const USER = "axe-ada@localhost";
const BEN = "axe-ben@localhost";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

const e2e = e2eHarness();

beforeAll(async () => {
  await seedRosters(E2E_PROSODY_STORE, "localhost", PEOPLE);
  await publishAvatars({ port: inject("prosodyC2sPort"), domain: "localhost", people: PEOPLE });
});

const newPage = (): Promise<Page> => e2e.newPage({ viewport: DESKTOP });

/** axe at desktop width, then at phone width (and back). */
async function bothWidths(page: Page, screen: string): Promise<void> {
  await expectNoAxeViolations(page, screen);
  await page.setViewportSize(PHONE);
  await expectNoAxeViolations(page, `${screen}, phone`);
  await page.setViewportSize(DESKTOP);
}

describe("accessibility", () => {
  test("every screen passes axe in light and dark, at desktop and phone width", { timeout: 180_000 }, async () => {
    const t0 = Date.now();
    const page = await newPage();
    await page.goto(chatUrl(e2e.app.url, BEN));

    // Sign-in, then with an error shown.
    await page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "sign-in");
    await page.getByLabel("Address", { exact: true }).fill(USER);
    await page.getByLabel("Password", { exact: true }).fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /\S/u }).waitFor({ timeout: UI_TIMEOUT_MS });
    await bothWidths(page, "sign-in error");
    await screenshots(page, "a11y-signin-error");

    await submitSignIn(page, USER);
    const [ben, cy, dee] = await Promise.all([e2e.peer("axe-ben"), e2e.peer("axe-cy"), e2e.peer("axe-dee")]);
    // Dee, not a contact, asks to be one: the "Contact requests" section with Accept and Refuse.
    await dee.sendStanza(xml("presence", { to: USER, type: "subscribe" }));

    // A conversation with everything a timeline shows: incoming (grouped), outgoing with receipts and "Read",
    // styled text, a reply quote, a reaction chip, an edit mark, a tombstone, and Ben typing.
    await cy.send(USER, "Cy says hi");
    await ben.send(USER, "Hello Ada!");
    await ben.send(USER, "*Bold* _soft_ ~gone~ `code`\n> a quote\n```\nblock\n```");
    await article(page, "Hello Ada!").waitFor({ timeout: UI_TIMEOUT_MS });
    await sendFromComposer(page, "Hi Ben");
    const hi = await ben.waitForMessage((m) => m.body === "Hi Ben", UI_TIMEOUT_MS);
    await sendFromComposer(page, "Second line from me");
    await ben.waitForMessage((m) => m.body === "Second line from me", UI_TIMEOUT_MS);
    await ben.sendStanza(
      xml(
        "message",
        { to: USER, id: crypto.randomUUID() },
        xml("displayed", { xmlns: "urn:xmpp:chat-markers:0", id: hi.id }),
      ),
    );
    await ben.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: hi.id }, xml("reaction", {}, "❤️")),
      ),
    );
    const quote = "> Hi Ben\n";
    await ben.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("body", {}, `${quote}Hi to you`),
        xml("reply", { xmlns: "urn:xmpp:reply:0", id: hi.id, to: `${USER}/x` }),
        xml(
          "fallback",
          { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" },
          xml("body", { start: "0", end: String(quote.length) }),
        ),
      ),
    );
    const typo = await ben.send(USER, "see you at 7");
    await ben.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("body", {}, "see you at 8"),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: typo }),
      ),
    );
    const gone = await ben.send(USER, "never mind");
    await ben.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: gone }),
      ),
    );
    await ben.sendChatState(USER, "composing");
    await article(page, "Hi Ben").getByRole("button", { name: /❤️ 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });
    await article(page, "Hi Ben").getByRole("img", { name: "Read" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await article(page, "Hi to you")
      .getByRole("button", { name: /Reply to You/u })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await article(page, "see you at 8").getByText("edited", { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await messageLog(page).getByText("This message was deleted").waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByText("is typing", { exact: false }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByRole("region", { name: "Contact requests" }).waitFor({ timeout: UI_TIMEOUT_MS });
    // With an own message's toolbar shown (Edit, Delete) by keyboard focus.
    await article(page, "Second line from me").getByRole("button", { name: "Delete", exact: true }).focus();
    await bothWidths(page, "chat");
    await screenshots(page, "a11y-chat");

    // The actions toolbar (keyboard focus inside the message) and the reaction picker, quick row and more.
    const hello = article(page, "Hello Ada!");
    await hello.hover();
    await hello.getByRole("button", { name: "React", exact: true }).click();
    await page.getByRole("button", { name: "More reactions" }).click();
    await bothWidths(page, "message actions and the reaction picker");
    await screenshots(page, "a11y-picker");
    await page.keyboard.press("Escape");
    expect(await page.getByRole("group", { name: "Choose a reaction" }).count()).toBe(0);

    // Replying, then editing, above the composer.
    await hello.hover();
    await hello.getByRole("button", { name: "Reply", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Replying to" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "replying");
    await screenshots(page, "a11y-reply");
    await page.getByRole("button", { name: "Cancel reply" }).click();
    await composer(page).press("ArrowUp");
    await page.getByRole("status").filter({ hasText: "Editing your message" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "editing");
    await page.getByRole("button", { name: "Cancel editing" }).click();

    // The conversation actions menu, then Cy's conversation hidden and the hidden ones shown.
    const cyEntry = page
      .getByRole("navigation", { name: "Conversations" })
      .locator("li")
      .filter({ hasText: "Cy says hi" });
    await cyEntry.getByRole("button", { name: "Conversation actions" }).click();
    await page.getByRole("menu").waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "conversation menu");
    await screenshots(page, "a11y-conv-menu");
    await page.getByRole("menuitem", { name: "Hide" }).click();
    await page.getByRole("button", { name: /Show hidden conversations/u }).click();
    await expectNoAxeViolations(page, "hidden conversations shown");

    // The Devices dialog (OMEMO) and the sign-out dialog.
    await page.getByRole("button", { name: "Devices", exact: true }).click();
    await page.getByRole("dialog", { name: "Encryption devices" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "devices dialog");
    await screenshots(page, "a11y-devices");
    await page.getByRole("dialog", { name: "Encryption devices" }).getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("dialog", { name: "Sign out?" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "sign-out dialog");
    await page.getByRole("dialog", { name: "Sign out?" }).getByRole("button", { name: "Cancel" }).click();

    // Phone width: the conversation list and contacts on their own.
    await page.setViewportSize(PHONE);
    await page.getByRole("button", { name: "Back to conversations" }).click();
    await page.getByRole("heading", { name: "Contacts" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectNoAxeViolations(page, "conversations, phone");
    await screenshots(page, "a11y-list-phone");
    console.info(`[e2e] a11y screens checked in ${Date.now() - t0} ms`);
  });

  test("message actions by keyboard: Tab into a message's toolbar, React, pick 👍", async () => {
    const page = await newPage();
    await signIn(page, chatUrl(e2e.app.url, BEN), USER);
    const ben = await e2e.peer("axe-ben");
    const id = await ben.send(USER, "React to me by keyboard");
    const target = article(page, "React to me by keyboard");
    await target.waitFor({ timeout: UI_TIMEOUT_MS });
    // Focus the message (as a search result or a quote does), then Tab: its toolbar comes first.
    await target.focus();
    await page.keyboard.press("Tab");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("Reply");
    await page.keyboard.press("Tab");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("React");
    expect(await target.getByRole("group", { name: "Message actions" }).isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    // The picker opens with focus on its first choice, 👍.
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("👍");
    // The arrows move between the choices (and back); Enter picks.
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("❤️");
    await screenshots(page, "a11y-picker-keyboard");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("👍");
    await page.keyboard.press("Enter");
    const reaction = await ben.waitForStanza((s) => s.getChild("reactions", "urn:xmpp:reactions:0") !== undefined);
    expect(reaction.getChild("reactions", "urn:xmpp:reactions:0")?.attrs.id).toBe(id);
    expect(reaction.getChild("reactions", "urn:xmpp:reactions:0")?.getChildText("reaction")).toBe("👍");
    await target.getByRole("button", { name: /👍 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });
    // Focus is back on React; Escape leaves a reopened picker the same way.
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("React");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("👍");
    // "More reactions" (End: the last of the row) puts focus on the first of the wider grid, not on the page.
    await page.keyboard.press("End");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("More reactions");
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.evaluate("document.activeElement?.parentElement?.classList.contains('picker-grid')"))
      .toBe(true);
    await page.keyboard.press("ArrowDown");
    await expect
      .poll(() => page.evaluate("document.activeElement?.parentElement?.classList.contains('picker-grid')"))
      .toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("React");
    expect(await target.getByRole("group", { name: "Choose a reaction" }).count()).toBe(0);
  });
});
