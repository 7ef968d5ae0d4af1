// End to end (issue #8 §2): OMEMO in a group chat between Parley in Chromium and two independent OMEMO 0.3 clients
// (python-omemo + slixmpp, test/peers/omemo_peer.py). og-bob owns the group chat (members-only, addresses
// visible) and lets og-ann (the user) and og-cy in. Every message is one groupchat stanza with keys for every
// member's devices; senders are known by their real addresses; a member who is removed gets no key for the next
// message.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import {
  article,
  chatUrl,
  expectNoAxeViolations,
  screenshots,
  sendFromComposer,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";
import type { PeerEvent } from "../peers/omemo-peer.ts";
import { parseXml } from "../../src/xmpp/parse.ts";

const USER = "og-ann@localhost";
const OWNER = "og-bob@localhost";
const OTHER = "og-cy@localhost";
const NS_OMEMO = "eu.siacs.conversations.axolotl";
const DECRYPT_TIMEOUT_MS = 30_000;

const e2e = e2eHarness({ omemoPeers: [OWNER, OTHER] });

const subtitle = (page: Page) => page.locator(".chat-header .chat-subtitle").textContent();

type Decrypted = Extract<PeerEvent, { event: "message" }>;

/** The peer's decrypted groupchat message `body` from `room`. */
async function decryptedIn(jid: string, room: string, body: string): Promise<Decrypted> {
  const e = await e2e
    .omemo(jid)
    .waitFor((ev) => ev.event === "message" && ev.room === room && ev.body === body, DECRYPT_TIMEOUT_MS);
  if (e.event !== "message") throw new Error("unreachable");
  return e;
}

/** The device ids an OMEMO stanza has keys for. */
function keyIds(stanza: string): number[] {
  const header = parseXml(stanza).getChild("encrypted", NS_OMEMO)?.getChild("header");
  return (header?.getChildren("key") ?? []).map((k) => Number(k.attrs.rid));
}

describe("OMEMO in a group chat", () => {
  test(
    "one message for every member's devices, both ways; a removed member gets no key for the next one",
    { timeout: 240_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const room = `secret-${run}@conference.localhost`;
      const bob = e2e.omemo(OWNER);
      const cy = e2e.omemo(OTHER);
      await bob.command("join_room", { room, nick: "bob" });
      await bob.command("configure_room", {
        room,
        fields: {
          "muc#roomconfig_roomname": `Secret ${run}`,
          "muc#roomconfig_membersonly": "1",
          "muc#roomconfig_whois": "anyone",
          "muc#roomconfig_persistentroom": "1",
        },
      });
      await bob.command("set_affiliation", { room, jid: USER, affiliation: "member" });
      await bob.command("set_affiliation", { room, jid: OTHER, affiliation: "member" });
      await cy.command("join_room", { room, nick: "cy" });

      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, OWNER), USER);
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("button", { name: "Join or search" }).click();
      const dialog = page.getByRole("dialog", { name: "Join a group chat or channel" });
      await dialog.getByRole("textbox", { name: "Address" }).fill(room);
      await dialog.getByRole("button", { name: "Join" }).click();
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 3 participants");
      await bob.waitForDevices(USER);

      // The user writes: the members use OMEMO, so it is encrypted for bob's and cy's devices.
      const first = `the code is 4711 ${run}`;
      await sendFromComposer(page, first);
      const [atBob, atCy] = await Promise.all([decryptedIn(OWNER, room, first), decryptedIn(OTHER, room, first)]);
      expect(atBob.from).toBe(USER);
      expect(atBob.nick).toBe("og-ann");
      expect(atBob.stanza).not.toContain(first);
      expect(keyIds(atBob.stanza)).toEqual(expect.arrayContaining([bob.deviceId, cy.deviceId]));
      expect(atCy.from).toBe(USER);
      await article(page, first).waitFor({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => page.getByLabel("Encrypt (OMEMO)").isChecked(), { timeout: UI_TIMEOUT_MS }).toBe(true);

      // bob writes, encrypted for the members (the user among them): shown decrypted, as bob's.
      const second = `and the door is blue ${run}`;
      const sent = await bob.command("send_room", { room, body: second });
      expect(sent.members).toEqual(expect.arrayContaining([USER, OTHER]));
      const theirs = article(page, second);
      await theirs.waitFor({ timeout: DECRYPT_TIMEOUT_MS });
      expect(await theirs.textContent()).toContain("bob");
      await screenshots(page, "rooms-omemo");
      await expectNoAxeViolations(page, "an encrypted group chat");

      // cy is removed from the group chat: the next message has no key for cy's device.
      await bob.command("set_affiliation", { room, jid: OTHER, affiliation: "none" });
      await cy.waitFor(
        (e) => e.event === "room_presence" && e.room === room && e.nick === "cy" && e.type === "unavailable",
        DECRYPT_TIMEOUT_MS,
      );
      await expect.poll(() => subtitle(page), { timeout: UI_TIMEOUT_MS }).toBe("Group chat · 2 participants");
      const third = `new code 0815, not for cy ${run}`;
      await sendFromComposer(page, third);
      const after = await decryptedIn(OWNER, room, third);
      expect(keyIds(after.stanza)).not.toContain(cy.deviceId);
      expect(keyIds(after.stanza)).toContain(bob.deviceId);
      expect(after.stanza).not.toContain(third);
    },
  );
});
