// End to end (issue #8 §1 "Create" and invitations): in Chromium the user creates a group chat with two contacts
// through "New conversation" → "New group chat"; the contacts (scripted xmpp.js peers, test/peers/bob.ts) get both
// invitations, one joins and writes, and the user's two tabs and a second browser all show it. "Invite" in the
// room invites someone else; a channel is created with its address; an invitation from an independent client
// shows Join and Decline: Decline reaches the inviter, Join opens the room.
import { describe, expect, test } from "vitest";
import { xml } from "@xmpp/xml";
import type { Page } from "playwright-core";
import {
  chatUrl,
  expectNoAxeViolations,
  expectShownOnce,
  openSignedIn,
  screenshots,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { enter } from "./room-peers.ts";
import { e2eHarness } from "./harness.ts";
import type { Peer } from "../peers/bob.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import { buildMediatedInvite, buildDirectInvite, parseDecline, parseInvitation } from "../../src/xmpp/muc-invites.ts";
import {
  buildAffiliationList,
  buildConfigFetch,
  buildConfigSubmit,
  parseAffiliationList,
  parseConfigFields,
  roomConfig,
} from "../../src/xmpp/muc.ts";

const USER = "cr-ann@localhost";
const BOB = "cr-bob@localhost";
const CY = "cr-cy@localhost";
const DEE = "cr-dee@localhost";

const e2e = e2eHarness();

/** The kinds of invitation to `room` that `p` received so far. */
function invitationKinds(p: Peer, room: string): string[] {
  return p.stanzas
    .flatMap((s) => {
      const i = s.name === "message" ? parseInvitation(s) : null;
      return i?.room === room ? [i.kind] : [];
    })
    .sort();
}

/**
 * Names contacts in the user's roster from another client of the account (RFC 6121 §2.3.3: one item per set).
 * Tried again on a new connection when the first fails: @xmpp/client's stream management sometimes acknowledges
 * fewer stanzas than it already did right after connecting, and Prosody ends that stream (a peer-side bug; the
 * sets are idempotent).
 */
async function seedRoster(items: readonly (readonly [string, string])[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const phone = await e2e.peer("cr-ann");
    try {
      for (const [jid, name] of items) {
        await phone.iq("set", xml("query", { xmlns: "jabber:iq:roster" }, xml("item", { jid, name })));
      }
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    } finally {
      await phone.close().catch(() => undefined);
    }
  }
}

const subtitle = (page: Page) => page.locator(".chat-header .chat-subtitle").textContent();
const openRoom = (page: Page) => decodeURIComponent(new URL(page.url()).hash).replace(/^#chat\//u, "");

describe("creating group chats and channels, invitations", () => {
  test(
    "creates a group chat with two contacts; they are invited, one writes, every tab and browser shows it",
    { timeout: 240_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      // The user's contacts, with the names the dialog offers (set by another client of the user's account).
      await seedRoster([
        [BOB, "Bob Builder"],
        [CY, "Cy Twombly"],
      ]);
      const [bob, cy, dee] = await Promise.all([e2e.peer("cr-bob"), e2e.peer("cr-cy"), e2e.peer("cr-dee")]);

      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, BOB), USER);

      // "+" → "New group chat": a name, two contacts picked by their names, Create.
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("button", { name: "New group chat" }).click();
      const dialog = page.getByRole("dialog", { name: "New group chat" });
      await dialog.getByRole("textbox", { name: "Group name" }).fill(`Picnic ${run}`);
      await dialog.getByRole("checkbox", { name: "Bob Builder" }).check();
      await dialog.getByRole("checkbox", { name: "Cy Twombly" }).check();
      await screenshots(page, "rooms-create-group");
      await expectNoAxeViolations(page, "the new group chat dialog");
      await dialog.getByRole("button", { name: "Create" }).click();

      // The new group chat opens: its address in the URL, the user alone in it, its name in the header.
      await expect.poll(() => openRoom(page), { timeout: UI_TIMEOUT_MS }).toMatch(/^[^@/]+@conference\.localhost$/u);
      const room = openRoom(page);
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 1 participant");
      expect(await page.locator(".chat-header").getByRole("heading", { level: 2 }).textContent()).toBe(`Picnic ${run}`);
      expect(await dialog.isVisible()).toBe(false);

      // Both contacts got both invitations (through the room and directly).
      for (const p of [bob, cy]) {
        await expect.poll(() => invitationKinds(p, room), { timeout: UI_TIMEOUT_MS }).toEqual(["direct", "mediated"]);
      }
      // The invitation made bob a member: he gets in, and writes.
      await enter(bob, room, "bob");
      const members = parseAffiliationList(await bob.iq("get", buildAffiliationList("member"), room));
      expect(members.map((m) => m.jid).sort()).toEqual([BOB, CY]);
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 2 participants");

      // A second tab of the same browser, and a second browser (another cookie jar).
      const tab2 = await page.context().newPage();
      await openSignedIn(tab2, chatUrl(e2e.app.url, room));
      const other = await e2e.newPage();
      await signIn(other, chatUrl(e2e.app.url, room), USER);
      const hello = `who brings the blanket? ${run}`;
      await bob.sendStanza(buildGroupchat(room, hello, crypto.randomUUID()));
      for (const p of [page, tab2, other]) await expectShownOnce(p, hello);

      // "Invite": dee, by address.
      await page.locator(".chat-header").getByRole("button", { name: "Invite" }).click();
      const invite = page.getByRole("dialog", { name: `Invite to Picnic ${run}` });
      await invite.getByRole("textbox", { name: "Address" }).fill("not an address");
      await invite.getByRole("button", { name: "Send invitation" }).click();
      await invite.getByRole("alert").waitFor({ timeout: UI_TIMEOUT_MS });
      await invite.getByRole("textbox", { name: "Address" }).fill(DEE);
      await invite.getByRole("button", { name: "Send invitation" }).click();
      await invite.getByText(`Invitation sent to ${DEE}.`).waitFor({ timeout: UI_TIMEOUT_MS });
      await expectNoAxeViolations(page, "the invite dialog");
      await page.keyboard.press("Escape");
      await expect.poll(() => invitationKinds(dee, room), { timeout: UI_TIMEOUT_MS }).toEqual(["direct", "mediated"]);

      // Phone width: the header with its buttons, and the dialog, fit.
      await page.setViewportSize({ width: 390, height: 780 });
      await screenshots(page, "rooms-created-phone");
      await expectNoAxeViolations(page, "a new group chat, phone");
    },
  );

  test(
    "creates a channel at an address; an invitation from an independent client shows Join and Decline",
    { timeout: 240_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const dee = await e2e.peer("cr-dee");
      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, DEE), USER);

      // "New channel": name (the address follows it until edited), address, description.
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("button", { name: "New channel" }).click();
      const dialog = page.getByRole("dialog", { name: "New channel" });
      await dialog.getByRole("textbox", { name: "Channel name" }).fill(`Garden news ${run}`);
      expect(await dialog.getByRole("textbox", { name: "Address" }).inputValue()).toBe(`garden-news-${run}`);
      await dialog.getByRole("textbox", { name: "Address" }).fill(`garden-${run}`);
      await dialog.getByRole("textbox", { name: "Description" }).fill("Seeds, weeds and feeds");
      await expectNoAxeViolations(page, "the new channel dialog");
      await dialog.getByRole("button", { name: "Create" }).click();
      const channel = `garden-${run}@conference.localhost`;
      await expect.poll(() => openRoom(page), { timeout: UI_TIMEOUT_MS }).toBe(channel);
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Channel · 1 participant");

      // The same address again: taken, said in the dialog.
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("button", { name: "New channel" }).click();
      await dialog.getByRole("textbox", { name: "Channel name" }).fill("Again");
      await dialog.getByRole("textbox", { name: "Address" }).fill(`garden-${run}`);
      await dialog.getByRole("button", { name: "Create" }).click();
      await expect
        .poll(() => dialog.getByRole("alert").textContent(), { timeout: UI_TIMEOUT_MS })
        .toBe("That address is taken. Choose another one.");
      await page.keyboard.press("Escape");

      // dee (xmpp.js) makes two group chats and invites the user to both, both ways.
      const rooms = [`tea-${run}@conference.localhost`, `cake-${run}@conference.localhost`];
      for (const room of rooms) {
        await enter(dee, room, "dee");
        const offered = parseConfigFields(await dee.iq("get", buildConfigFetch(), room));
        await dee.iq("set", buildConfigSubmit(roomConfig("group", { name: room, description: "" }), offered), room);
        await dee.sendStanza(buildMediatedInvite(room, USER, crypto.randomUUID(), "come over"));
        await dee.sendStanza(buildDirectInvite(USER, room, crypto.randomUUID(), "come over"));
      }
      const invitations = page.getByRole("region", { name: "Invitations" });
      const item = (room: string) => invitations.getByRole("listitem").filter({ hasText: room });
      for (const room of rooms) await item(room).waitFor({ timeout: UI_TIMEOUT_MS });
      // One entry per invitation, though each came twice.
      expect(await invitations.getByRole("listitem").count()).toBe(2);
      expect(await item(rooms[0] ?? "").textContent()).toContain(`${DEE} invites you to ${rooms[0]}`);
      await screenshots(page, "rooms-invitations");
      await expectNoAxeViolations(page, "invitations");

      // Decline: dee hears it through the room.
      await item(rooms[1] ?? "")
        .getByRole("button", { name: "Decline" })
        .click();
      await expect
        .poll(() => dee.stanzas.some((s) => s.name === "message" && parseDecline(s)?.room === rooms[1]), {
          timeout: UI_TIMEOUT_MS,
        })
        .toBe(true);
      await expect.poll(() => item(rooms[1] ?? "").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);

      // Join: the group chat opens, the user in it (the invitation made them a member).
      await item(rooms[0] ?? "")
        .getByRole("button", { name: "Join" })
        .click();
      await expect.poll(() => openRoom(page), { timeout: UI_TIMEOUT_MS }).toBe(rooms[0]);
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 2 participants");
      await expect.poll(() => invitations.getByRole("listitem").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
      const hi = `welcome ${run}`;
      await dee.sendStanza(buildGroupchat(rooms[0] ?? "", hi, crypto.randomUUID()));
      await expectShownOnce(page, hi);
    },
  );
});
