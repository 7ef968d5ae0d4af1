// End to end (issue #8, first slice): a group chat made by an independent XMPP client (xmpp.js, test/peers/bob.ts),
// joined in Chromium through "New conversation" → "Join or search"; the room in the list and its header, the
// peer's messages named by sender, the user's message reaching the peer as a groupchat message, Leave and Join.
// rm-bo (the peer) owns the room and makes rm-ann (the user) a member; rm-cy is a second participant.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import {
  bodies,
  chatUrl,
  expectNoAxeViolations,
  expectShownOnce,
  messageLog,
  screenshots,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { enter } from "./room-peers.ts";
import { e2eHarness } from "./harness.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import {
  buildLeave,
  buildConfigFetch,
  buildConfigSubmit,
  buildSetAffiliation,
  parseConfigFields,
  roomConfig,
} from "../../src/xmpp/muc.ts";

const USER = "rm-ann@localhost";
const OWNER = "rm-bo@localhost";
const OTHER = "rm-cy@localhost";

const e2e = e2eHarness();

const header = (page: Page) => page.locator(".chat-header");
const subtitle = (page: Page) => header(page).locator(".chat-subtitle").textContent();

describe("group chats", () => {
  test(
    "joins a group chat by address, reads and writes in it, leaves and joins again",
    { timeout: 180_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const room = `tea-${run}@conference.localhost`;
      const [bo, cy] = await Promise.all([e2e.peer("rm-bo"), e2e.peer("rm-cy")]);
      // The owner makes a group chat (members-only, addresses visible) and lets the user and cy in.
      await enter(bo, room, "bo");
      const offered = parseConfigFields(await bo.iq("get", buildConfigFetch(), room));
      await bo.iq(
        "set",
        buildConfigSubmit(roomConfig("group", { name: `Tea ${run}`, description: "" }), offered),
        room,
      );
      await bo.iq("set", buildSetAffiliation(USER, "member"), room);
      await bo.iq("set", buildSetAffiliation(OTHER, "member"), room);
      await enter(cy, room, "cy");
      const early = `welcome, ${run}`;
      await bo.sendStanza(buildGroupchat(room, early, crypto.randomUUID()));

      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, OWNER), USER);

      // "New conversation" → "Join or search": the address, then Join; the room opens.
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("button", { name: "Join or search" }).click();
      const dialog = page.getByRole("dialog", { name: "Join a group chat or channel" });
      await dialog.getByRole("textbox", { name: "Address" }).fill(room);
      await screenshots(page, "rooms-join-dialog");
      await expectNoAxeViolations(page, "the join dialog");
      await dialog.getByRole("button", { name: "Join" }).click();
      await expect
        .poll(() => decodeURIComponent(new URL(page.url()).hash), { timeout: UI_TIMEOUT_MS })
        .toBe(`#chat/${room}`);
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 3 participants");
      expect(await header(page).getByRole("heading", { level: 2 }).textContent()).toBe(`Tea ${run}`);
      // In the list as a group chat.
      await page
        .getByRole("list", { name: "Conversations" })
        .getByRole("link", { name: new RegExp(`Tea ${run}\\s*, group chat`, "u") })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      // The room's archive brought the earlier message, named by its sender; no encryption is offered here.
      await expectShownOnce(page, early);
      // A group chat can be encrypted (issue #8 §2); none of these members uses OMEMO, so nothing is decided yet.
      expect(await page.getByLabel("Encrypt (OMEMO)").isChecked()).toBe(false);

      // Live: two participants write; each message says who wrote it.
      const fromBo = `the kettle is on ${run}`;
      const fromCy = `I bring biscuits ${run}`;
      await bo.sendStanza(buildGroupchat(room, fromBo, crypto.randomUUID()));
      await cy.sendStanza(buildGroupchat(room, fromCy, crypto.randomUUID()));
      await expectShownOnce(page, fromBo);
      await expectShownOnce(page, fromCy);
      const cyArticle = messageLog(page).getByRole("article").filter({ hasText: fromCy });
      expect(await cyArticle.textContent()).toContain("cy: ");
      // Replies and reactions are offered in rooms too (by stanza-id: test/e2e/room-actions.test.ts); edits and
      // deletes only on one's own messages.
      expect(await cyArticle.getByRole("button", { name: "Reply" }).count()).toBe(1);
      expect(await cyArticle.getByRole("button", { name: "Edit" }).count()).toBe(0);
      expect(await cyArticle.getByRole("button", { name: "Copy text" }).count()).toBe(1);

      // The user writes: the room delivers it to the others, and the log shows it once, as the user's.
      const mine = `milk, no sugar ${run}`;
      await sendFromComposer(page, mine);
      const got = await bo.waitForStanza(
        (s) => s.attrs.type === "groupchat" && s.attrs.from === `${room}/rm-ann` && s.getChildText("body") === mine,
      );
      expect(got.getChildText("body")).toBe(mine);
      await expectShownOnce(page, mine);
      expect(await messageLog(page).getByRole("article").filter({ hasText: mine }).textContent()).toContain("You: ");
      await screenshots(page, "rooms-group-chat");
      await expectNoAxeViolations(page, "a group chat");

      // "Participants": a dialog with the list of who is there, the owner first.
      await header(page).getByRole("button", { name: "Participants" }).click();
      const people = page.getByRole("list", { name: "Participants" });
      await expect.poll(() => people.getByRole("listitem").count(), { timeout: UI_TIMEOUT_MS }).toBe(3);
      const rows = await people.getByRole("listitem").allTextContents();
      expect(rows[0]).toMatch(/^.?bo\s*owner$/u);
      expect(rows.join("|")).toContain("rm-ann");
      expect(rows.join("|")).toContain("cy");
      await screenshots(page, "rooms-participants");
      await expectNoAxeViolations(page, "the participants list");
      await page.keyboard.press("Escape");
      await expect.poll(() => people.count()).toBe(0);

      // In a group chat, who comes and goes is a line of the log (features/rooms/membership.ts).
      await cy.sendStanza(buildLeave(room, "cy"));
      await messageLog(page).getByText("cy left", { exact: false }).waitFor({ timeout: UI_TIMEOUT_MS });
      await enter(cy, room, "cy");
      await messageLog(page).getByText("cy joined", { exact: false }).waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 3 participants");

      // Leave, then Join again.
      await header(page).getByRole("button", { name: "Leave" }).click();
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · you left");
      await header(page).getByRole("button", { name: "Join" }).click();
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 3 participants");
      expect(await bodies(page, mine).count()).toBe(1);

      // Phone width: the room's header and log fit.
      await page.setViewportSize({ width: 390, height: 780 });
      await screenshots(page, "rooms-phone");
      await expectNoAxeViolations(page, "a group chat, phone");
    },
  );
});
