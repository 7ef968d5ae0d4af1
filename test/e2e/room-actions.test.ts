// End to end (issue #8 §1): the message actions in a group chat, in Chromium against the real Prosody, with a
// scripted peer (xmpp.js, test/peers/bob.ts) sending the stanzas other clients send. A reply and a reaction go
// both ways by the room's stanza-id; the user, an admin of the room (so a moderator), deletes another
// participant's message for everyone (XEP-0425) and the log shows who did; read markers go by stanza-id both ways
// ("Read by"); "@" completes names and a message naming the user is highlighted. rae-bo owns the room; rae-ann is
// the user.
import { describe, expect, test } from "vitest";
import { xml, type Element } from "@xmpp/xml";
import type { Page } from "playwright-core";
import {
  article,
  chatUrl,
  composer,
  expectNoAxeViolations,
  messageAction,
  screenshots,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { enter } from "./room-peers.ts";
import { e2eHarness } from "./harness.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import {
  buildConfigFetch,
  buildConfigSubmit,
  buildSetAffiliation,
  parseConfigFields,
  roomConfig,
} from "../../src/xmpp/muc.ts";

const USER = "rae-ann@localhost";
const OWNER = "rae-bo@localhost";
const NS_SID = "urn:xmpp:sid:0";

const e2e = e2eHarness();

/** The room's stanza-id of a groupchat message the peer received (its reflection, or another's message). */
function stanzaIdOf(s: Element, room: string): string {
  const id = s.getChildren("stanza-id", NS_SID).find((c) => c.attrs.by === room)?.attrs.id;
  if (!id) throw new Error("no stanza-id");
  return id;
}

async function joinFromUi(page: Page, room: string): Promise<void> {
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByRole("button", { name: "Join or search" }).click();
  const dialog = page.getByRole("dialog", { name: "Join a group chat or channel" });
  await dialog.getByRole("textbox", { name: "Address" }).fill(room);
  await dialog.getByRole("button", { name: "Join" }).click();
  await expect
    .poll(() => decodeURIComponent(new URL(page.url()).hash), { timeout: UI_TIMEOUT_MS })
    .toBe(`#chat/${room}`);
}

describe("message actions in group chats", () => {
  test(
    "a reply and a reaction round-trip by stanza-id; a moderator deletes a message; markers; mentions",
    { timeout: 180_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const room = `acts-${run}@conference.localhost`;
      const bo = await e2e.peer("rae-bo");
      await enter(bo, room, "bo");
      const offered = parseConfigFields(await bo.iq("get", buildConfigFetch(), room));
      await bo.iq(
        "set",
        buildConfigSubmit(roomConfig("group", { name: `Acts ${run}`, description: "" }), offered),
        room,
      );
      // An admin of the room is a moderator in it (XEP-0045 §5.1.2).
      await bo.iq("set", buildSetAffiliation(USER, "admin"), room);

      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, OWNER), USER);
      await joinFromUi(page, room);

      // bo asks; the user reacts with 👍 and replies: both name bo's message by the room's stanza-id.
      const ask = `Tea at five? ${run}`;
      const askOrigin = crypto.randomUUID();
      await bo.sendStanza(buildGroupchat(room, ask, askOrigin));
      const askEcho = await bo.waitForStanza((s) => s.getChild("origin-id", NS_SID)?.attrs.id === askOrigin);
      const askId = stanzaIdOf(askEcho, room);
      await article(page, ask).waitFor({ timeout: UI_TIMEOUT_MS });
      await messageAction(page, ask, "React");
      await page.getByRole("button", { name: "👍", exact: true }).click();
      const reaction = await bo.waitForStanza(
        (s) => s.attrs.type === "groupchat" && s.getChild("reactions", "urn:xmpp:reactions:0") !== undefined,
      );
      expect(reaction.getChild("reactions", "urn:xmpp:reactions:0")?.attrs.id).toBe(askId);
      await article(page, ask).getByRole("button", { name: /👍 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });

      await messageAction(page, ask, "Reply");
      await composer(page).fill("Yes please");
      await composer(page).press("Enter");
      const reply = await bo.waitForStanza(
        (s) => s.attrs.type === "groupchat" && (s.getChildText("body") ?? "").endsWith("Yes please"),
      );
      expect(reply.getChild("reply", "urn:xmpp:reply:0")?.attrs.id).toBe(askId);
      expect(reply.attrs.from).toBe(`${room}/rae-ann`);
      const replyId = stanzaIdOf(reply, room);
      const mine = article(page, "Yes please");
      await mine.getByRole("button", { name: /Reply to .*Tea at five/u }).waitFor({ timeout: UI_TIMEOUT_MS });

      // bo answers the user's reply and reacts to it, as other clients do: by the room's stanza-id.
      await bo.sendStanza(
        xml(
          "message",
          { type: "groupchat", to: room, id: crypto.randomUUID() },
          xml("body", {}, `great ${run}`),
          xml("reply", { xmlns: "urn:xmpp:reply:0", id: replyId, to: `${room}/rae-ann` }),
        ),
      );
      await bo.sendStanza(
        xml(
          "message",
          { type: "groupchat", to: room, id: crypto.randomUUID() },
          xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: replyId }, xml("reaction", {}, "🎉")),
          xml("store", { xmlns: "urn:xmpp:hints" }),
        ),
      );
      await article(page, `great ${run}`)
        .getByRole("button", { name: /Reply to You ?: Yes please/u })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await mine.getByRole("button", { name: /🎉 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshots(page, "room-actions");

      // A moderator's "Delete for everyone" on someone else's message: the room retracts it for all, naming them.
      const spam = `cheap watches ${run}`;
      await bo.sendStanza(buildGroupchat(room, spam, crypto.randomUUID()));
      await article(page, spam).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await article(page, `great ${run}`).getByRole("button", { name: "Edit" }).count()).toBe(0);
      await messageAction(page, spam, "Delete for everyone");
      const announced = await bo.waitForStanza(
        (s) => s.attrs.from === room && s.getChild("apply-to", "urn:xmpp:fasten:0") !== undefined,
      );
      expect(
        announced.getChild("apply-to", "urn:xmpp:fasten:0")?.getChild("moderated", "urn:xmpp:message-moderate:0")?.attrs
          .by,
      ).toBe(`${room}/rae-ann`);
      await page.locator(".log .body-deleted").getByText("Deleted by rae-ann").waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.locator(".log").getByText(spam).count()).toBe(0);

      // Read markers by stanza-id (issue #8 §1): the user has read bo's messages, so the room got her marker; bo
      // marks her reply read and it says "Read by bo".
      const marker = await bo.waitForStanza(
        (s) => s.attrs.from === `${room}/rae-ann` && s.getChild("displayed", "urn:xmpp:chat-markers:0") !== undefined,
      );
      expect(marker.attrs.type).toBe("groupchat");
      await bo.sendStanza(
        xml(
          "message",
          { type: "groupchat", to: room, id: crypto.randomUUID() },
          xml("displayed", { xmlns: "urn:xmpp:chat-markers:0", id: replyId }),
        ),
      );
      await mine.locator(".read-by").getByText("Read by bo").waitFor({ timeout: UI_TIMEOUT_MS });

      // Mentions: "@" completes participants' names from a list (keyboard: Enter takes the active one), and a
      // message naming the user is highlighted and says so.
      await composer(page).fill("");
      await composer(page).pressSequentially("@b");
      const names = page.getByRole("listbox", { name: "Mention a participant" });
      await names.getByRole("option", { name: "bo" }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await names.getByRole("option").allTextContents()).toEqual(["bo"]);
      await expectNoAxeViolations(page, "a group chat with the names to mention");
      await composer(page).press("Enter");
      expect(await composer(page).inputValue()).toBe("@bo ");
      expect(await names.count()).toBe(0);
      await composer(page).pressSequentially("over to you");
      await composer(page).press("Enter");
      await bo.waitForStanza((s) => s.attrs.type === "groupchat" && s.getChildText("body") === "@bo over to you");
      const calling = `rae-ann, are you there? ${run}`;
      await bo.sendStanza(buildGroupchat(room, calling, crypto.randomUUID()));
      const called = article(page, calling);
      await called.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.locator(".log .msg-mention").count()).toBe(1);
      expect(await called.textContent()).toContain("Mentions you.");
      await screenshots(page, "room-mention");
    },
  );
});
