// End to end (issue #8 §1 "Room search", "Room header and details"): in Chromium, the user finds a channel made by
// an independent XMPP client (test/peers/bob.ts) by typing in "Search group chats and channels" and joins it with
// one click on its "Join"; an owner renames a group chat through "Group settings", adds a member and removes a
// participant, and the peers see it (disco#info, the affiliation list, status 307). axe-core clean throughout.
import { describe, expect, test } from "vitest";
import type { Element } from "@xmpp/xml";
import type { Page } from "playwright-core";
import { chatUrl, expectNoAxeViolations, screenshots, signIn, UI_TIMEOUT_MS } from "./browser.ts";
import { enter, codesOf } from "./room-peers.ts";
import { e2eHarness } from "./harness.ts";
import type { Peer } from "../peers/bob.ts";
import {
  buildAffiliationList,
  buildConfigFetch,
  buildConfigSubmit,
  buildDiscoInfo,
  buildSetAffiliation,
  NS_MUC_USER,
  parseAffiliationList,
  parseConfigFields,
  parseRoomInfo,
  roomConfig,
} from "../../src/xmpp/muc.ts";

const USER = "rd-ann@localhost";
const OWNER = "rd-bo@localhost";
const e2e = e2eHarness();

async function create(owner: Peer, room: string, kind: "group" | "channel", name: string, description: string) {
  await enter(owner, room, "bo");
  const offered = parseConfigFields(await owner.iq("get", buildConfigFetch(), room));
  await owner.iq("set", buildConfigSubmit(roomConfig(kind, { name, description }), offered), room);
}

const header = (page: Page) => page.locator(".chat-header");
const subtitle = (page: Page) => header(page).locator(".chat-subtitle").textContent();

async function openJoinDialog(page: Page) {
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByRole("button", { name: "Join or search" }).click();
  return page.getByRole("dialog", { name: "Join a group chat or channel" });
}

describe("room search and group settings", () => {
  test("finds a peer's channel as the user types and joins it in one click", { timeout: 180_000 }, async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const room = `lantern-${run}@conference.localhost`;
    const [bo, cy] = await Promise.all([e2e.peer("rd-bo"), e2e.peer("rd-cy")]);
    await create(bo, room, "channel", `Lantern ${run}`, "Evening walks with lights");
    await enter(cy, room, "cy");

    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, OWNER), USER);
    const dialog = await openJoinDialog(page);
    const box = dialog.getByRole("searchbox", { name: "Search group chats and channels" });
    await box.pressSequentially(`LANTERN ${run}`, { delay: 20 });
    const hit = dialog.getByRole("listitem").filter({ hasText: `Lantern ${run}` });
    await hit.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = await hit.textContent();
    expect(text).toContain("Channel · 2 participants");
    expect(text).toContain("Evening walks with lights");
    expect(await dialog.getByRole("listitem").count()).toBe(1);
    await screenshots(page, "room-search");
    await expectNoAxeViolations(page, "the room search");

    // Nothing found says so.
    await box.fill(`no-such-room-${run}`);
    await dialog.getByText("Nothing found.").waitFor({ timeout: UI_TIMEOUT_MS });
    await box.fill(`walks with LIGHTS`);
    await hit.waitFor({ timeout: UI_TIMEOUT_MS });

    await hit.getByRole("button", { name: "Join" }).click();
    await expect
      .poll(() => decodeURIComponent(new URL(page.url()).hash), { timeout: UI_TIMEOUT_MS })
      .toBe(`#chat/${room}`);
    await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Channel · 3 participants");
    expect(await dialog.isVisible()).toBe(false);
    // The user joined under their name: the peers see the presence.
    await expect
      .poll(() => cy.stanzas.some((s) => s.name === "presence" && s.attrs.from === `${room}/rd-ann`), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(true);
  });

  test(
    "an owner renames a group chat, adds a member and removes a participant in 'Group settings'",
    { timeout: 180_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const room = `porch-${run}@conference.localhost`;
      const [bo, cy] = await Promise.all([e2e.peer("rd-bo"), e2e.peer("rd-cy")]);
      await create(bo, room, "group", `Porch ${run}`, "");
      await bo.iq("set", buildSetAffiliation(USER, "owner"), room);
      await bo.iq("set", buildSetAffiliation("rd-cy@localhost", "member"), room);
      await enter(cy, room, "cy");

      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, OWNER), USER);
      const dialog = await openJoinDialog(page);
      await dialog.getByRole("textbox", { name: "Address" }).fill(room);
      await dialog.getByRole("button", { name: "Join", exact: true }).click();
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 3 participants");

      await header(page).getByRole("button", { name: "Group settings" }).click();
      const settings = page.getByRole("dialog", { name: "Group settings" });
      // The lists come from the room: the owners (bo and the user) and cy as a member.
      await settings
        .getByRole("list", { name: "Members" })
        .getByText("rd-cy@localhost")
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshots(page, "room-settings");
      await expectNoAxeViolations(page, "the group settings");

      await settings.getByRole("textbox", { name: "Name" }).fill(`Back porch ${run}`);
      await settings.getByRole("textbox", { name: "Description" }).fill("Tea and talk");
      await settings.getByRole("button", { name: "Save" }).click();
      await settings.getByText("Saved.").waitFor({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(async () => parseRoomInfo(await cy.iq("get", buildDiscoInfo(), room))?.name, { timeout: UI_TIMEOUT_MS })
        .toBe(`Back porch ${run}`);
      expect(parseRoomInfo(await cy.iq("get", buildDiscoInfo(), room))?.description).toBe("Tea and talk");

      await settings.getByRole("textbox", { name: "Member address" }).fill("rd-bob@localhost");
      await settings.getByRole("button", { name: "Add member" }).click();
      await settings
        .getByRole("list", { name: "Members" })
        .getByText("rd-bob@localhost")
        .waitFor({ timeout: UI_TIMEOUT_MS });
      const listed = parseAffiliationList(await bo.iq("get", buildAffiliationList("member"), room)).map((i) => i.jid);
      expect(listed).toContain("rd-bob@localhost");

      // Removing cy with a reason: cy gets status 307 with it, and the user reads it in words.
      await settings.getByRole("textbox", { name: "Reason (optional)" }).fill("nap time");
      await settings.getByRole("button", { name: "Remove cy" }).click();
      await settings.getByText("cy was removed from this group chat: nap time.").waitFor({ timeout: UI_TIMEOUT_MS });
      const isKick = (s: Element) =>
        s.name === "presence" && s.attrs.from === `${room}/cy` && codesOf(s).includes("307");
      await expect.poll(() => cy.stanzas.some(isKick), { timeout: UI_TIMEOUT_MS }).toBe(true);
      const kicked = cy.stanzas.find(isKick);
      expect(kicked?.getChild("x", NS_MUC_USER)?.getChild("item")?.getChildText("reason")).toBe("nap time");

      await page.keyboard.press("Escape");
      await expect.poll(() => settings.isVisible()).toBe(false);
      await expect
        .poll(() => header(page).getByRole("heading", { level: 2 }).textContent(), { timeout: UI_TIMEOUT_MS })
        .toBe(`Back porch ${run}`);

      // Phone width, dark: the dialog still fits and passes.
      await page.setViewportSize({ width: 390, height: 780 });
      await page.emulateMedia({ colorScheme: "dark" });
      await screenshots(page, "room-header-phone");
      await header(page).getByRole("button", { name: "Group settings" }).click();
      await settings.getByRole("button", { name: "Delete group chat" }).waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshots(page, "room-settings-phone");
      await expectNoAxeViolations(page, "the group settings, phone, dark");
    },
  );
});
