// End to end: message actions (issue #7 §2) in real Chromium against the real Prosody, with a scripted peer that
// sends the stanzas other clients send (reply, reaction, correction, retraction, composing, styled body) and
// checks what Parley sends back for each action. lena is the user, milo the peer.
import { describe, expect, test } from "vitest";
import { xml } from "@xmpp/xml";
import {
  article,
  axeViolations,
  chatUrl,
  composer,
  messageAction,
  messageLog,
  screenshots,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";

const USER = "lena@localhost";
const PEER = "milo@localhost";

const e2e = e2eHarness();

describe("message actions in the browser", () => {
  test("reply, react, edit, delete and copy, both ways, and what the peer receives", { timeout: 180_000 }, async () => {
    const page = await e2e.newPage({ permissions: ["clipboard-read", "clipboard-write"] });
    const milo = await e2e.peer("milo");
    await signIn(page, chatUrl(e2e.app.url, PEER), USER);

    // Milo asks; Lena reacts with the quick 👍 and the chip says so.
    const askId = await milo.send(USER, "Are we still on for Friday?");
    await article(page, "Are we still on for Friday?").waitFor({ timeout: UI_TIMEOUT_MS });
    await messageAction(page, "Are we still on for Friday?", "React");
    await page.getByRole("button", { name: "👍", exact: true }).click();
    const reaction = await milo.waitForStanza((s) => s.getChild("reactions", "urn:xmpp:reactions:0") !== undefined);
    expect(reaction.getChild("reactions", "urn:xmpp:reactions:0")?.attrs.id).toBe(askId);
    expect(reaction.getChild("reactions", "urn:xmpp:reactions:0")?.getChildText("reaction")).toBe("👍");
    await article(page, "Are we still on for Friday?")
      .getByRole("button", { name: /👍 1/u })
      .waitFor({ timeout: UI_TIMEOUT_MS });

    // Lena replies: Milo gets the reply reference and the quote marked as fallback.
    await messageAction(page, "Are we still on for Friday?", "Reply");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Replying to" }).count()).toBe(1);
    await composer(page).fill("Yes, at 7");
    await composer(page).press("Enter");
    const reply = await milo.waitForMessage((m) => m.body.endsWith("Yes, at 7"));
    expect(reply.stanza.getChild("reply", "urn:xmpp:reply:0")?.attrs.id).toBe(askId);
    expect(reply.body).toBe("> Are we still on for Friday?\nYes, at 7");
    const fallback = reply.stanza.getChild("fallback", "urn:xmpp:fallback:0");
    expect(fallback?.attrs.for).toBe("urn:xmpp:reply:0");
    expect(fallback?.getChild("body")?.attrs).toMatchObject({ start: "0", end: "30" });
    const mine = article(page, "Yes, at 7");
    await mine
      .getByRole("button", { name: /Reply to .*Are we still on for Friday/u })
      .waitFor({ timeout: UI_TIMEOUT_MS });

    // Lena corrects her reply (Up arrow in the empty composer edits the last message).
    await composer(page).click();
    await composer(page).press("ArrowUp");
    await expect.poll(() => composer(page).inputValue()).toBe("Yes, at 7");
    await composer(page).fill("Yes, at 8");
    await composer(page).press("Enter");
    const correction = await milo.waitForMessage((m) => m.body === "Yes, at 8");
    expect(correction.stanza.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(reply.id);
    await article(page, "Yes, at 8").getByText("edited", { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });

    // Copy text puts the current text on the clipboard.
    await messageAction(page, "Yes, at 8", "Copy text");
    await expect.poll(() => page.evaluate("navigator.clipboard.readText()")).toBe("Yes, at 8");

    // Milo's side: a styled message, corrected; a reaction and a reply to Lena; composing; then a retraction.
    const typoId = await milo.send(USER, "see you *thre*");
    await article(page, "see you *thre*").waitFor({ timeout: UI_TIMEOUT_MS });
    await milo.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("body", {}, "see you *there*"),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: typoId }),
      ),
    );
    const fixed = article(page, "see you *there*");
    await fixed.getByText("edited", { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await fixed.locator("strong").textContent()).toBe("*there*");
    await milo.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: reply.id }, xml("reaction", {}, "❤️")),
      ),
    );
    await article(page, "Yes, at 8").getByRole("button", { name: /❤️ 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });
    const quote = "> Yes, at 8\n";
    await milo.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("body", {}, `${quote}great`),
        xml("reply", { xmlns: "urn:xmpp:reply:0", id: reply.id, to: `${USER}/x` }),
        xml(
          "fallback",
          { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" },
          xml("body", { start: "0", end: String(quote.length) }),
        ),
      ),
    );
    const theirReply = article(page, "great");
    await theirReply.getByRole("button", { name: /Reply to You ?: Yes, at 8/u }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await theirReply.locator(".body").textContent()).toBe("great");
    await milo.sendChatState(USER, "composing");
    await page
      .getByText(/typing/u)
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await milo.sendStanza(
      xml(
        "message",
        { to: USER, type: "chat", id: crypto.randomUUID() },
        xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: askId }),
      ),
    );
    await expect
      .poll(() => messageLog(page).getByRole("article").filter({ hasText: "This message was deleted" }).count(), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(1);

    // Clicking the quote shows the original.
    await theirReply.getByRole("button", { name: /Reply to You/u }).click();
    await expect.poll(() => page.evaluate("document.activeElement?.textContent ?? ''")).toContain("Yes, at 8");

    await screenshots(page, "actions");
    await page.setViewportSize({ width: 390, height: 844 });
    await article(page, "great").hover();
    await screenshots(page, "actions-phone");
    await page.setViewportSize({ width: 1280, height: 720 });
    const violations = await axeViolations(page);
    expect(violations, violations.join("\n")).toEqual([]);

    // Lena deletes her message: Milo gets the retraction, every view the tombstone, also after a reload.
    await messageAction(page, "Yes, at 8", "Delete");
    const retraction = await milo.waitForStanza(
      (s) => s.getChild("retract", "urn:xmpp:message-retract:1") !== undefined,
    );
    expect(retraction.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(reply.id);
    await expect
      .poll(() => messageLog(page).getByRole("article").filter({ hasText: "This message was deleted" }).count(), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(2);
    await page.reload();
    await article(page, "see you *there*").getByText("edited", { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect
      .poll(() => messageLog(page).getByRole("article").filter({ hasText: "This message was deleted" }).count(), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(2);
    // Milo's reply now quotes a deleted message: its text is gone there too.
    expect(await messageLog(page).getByText("Yes, at 8").count()).toBe(0);
    await article(page, "great").getByText("Deleted message").waitFor({ timeout: UI_TIMEOUT_MS });
  });
});
