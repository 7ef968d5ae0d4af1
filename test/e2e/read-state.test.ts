// Read state in the browser (issue #7 §2, §3, §4): real Chromium, the app in workerd, the real Prosody, and
// independent XMPP clients: the contacts (scripted peers) and another client of the user (a second resource, as
// Conversations on a phone would be). rui-ann is the user; rui-bob, rui-cat, rui-dan and rui-eli write to her.
import { xml, type Element } from "@xmpp/xml";
import type { Locator, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { NS_MDS, MDS_NODE } from "../../src/xmpp/mds.ts";
import { buildPublishPlain } from "../../src/xmpp/pubsub.ts";
import type { Peer } from "../peers/bob.ts";
import { e2eHarness } from "./harness.ts";
import {
  chatUrl,
  expectNoAxeViolations,
  expectShownOnce,
  messageLog,
  screenshots,
  signIn,
  UI_TIMEOUT_MS,
  waitOnline,
} from "./browser.ts";

const USER = "rui-ann@localhost";
/** A conversation nobody writes in: open in the browser while the others' messages stay unread. */
const NOBODY = "rui-nobody@localhost";
const NS_MARKERS = "urn:xmpp:chat-markers:0"; // XEP-0333
const NS_SID = "urn:xmpp:sid:0";
const NS_CARBONS = "urn:xmpp:carbons:2";

const e2e = e2eHarness();
const run = Math.random().toString(36).slice(2, 8);

/** A chat message as Conversations sends it: receipt request and XEP-0333 markable. */
async function sendMarkable(from: Peer, body: string): Promise<string> {
  const id = `${run}-${crypto.randomUUID()}`;
  await from.sendStanza(
    xml(
      "message",
      { type: "chat", to: USER, id },
      xml("body", {}, body),
      xml("origin-id", { xmlns: NS_SID, id }),
      xml("request", { xmlns: "urn:xmpp:receipts" }),
      xml("markable", { xmlns: NS_MARKERS }),
    ),
  );
  return id;
}

/** The entry of `peerJid` in the conversation list. */
function entry(page: Page, peerJid: string): Locator {
  return page.getByRole("list", { name: "Conversations" }).getByRole("listitem").filter({ hasText: peerJid });
}

/** The accessible name of the entry's link (what a screen reader says): its unread count, pinned, muted. */
async function entryName(page: Page, peerJid: string): Promise<string> {
  const link = entry(page, peerJid).getByRole("link");
  if ((await link.count()) === 0) return "";
  const snapshot = await link.first().ariaSnapshot();
  return /^- link "(.*)"/mu.exec(snapshot)?.[1] ?? "";
}

/** The text of the focused element. */
async function focused(page: Page): Promise<string> {
  const text: unknown = await page.evaluate("document.activeElement?.textContent ?? ''");
  return typeof text === "string" ? text : "";
}

/** The archive id (XEP-0359, by the user's server) of the message `body` as another client of the user got it. */
function archiveIdAt(client: Peer, body: string): string {
  for (const s of client.stanzas) {
    const inner = s.getChild("received", NS_CARBONS)?.getChild("forwarded")?.getChild("message") ?? s;
    if (inner.getChildText("body") !== body) continue;
    const sid = inner.getChildren("stanza-id", NS_SID).find((e) => e.attrs.by === USER);
    if (sid?.attrs.id) return String(sid.attrs.id);
  }
  return "";
}

async function expectEntry(page: Page, peerJid: string, pred: (name: string) => boolean, what: string) {
  await expect
    .poll(() => entryName(page, peerJid), { timeout: UI_TIMEOUT_MS, message: `${peerJid}'s entry ${what}` })
    .toSatisfy(pred);
}

/** Displayed markers (XEP-0333) a peer got from the user, by the id they point at. */
function displayedIds(p: Peer): string[] {
  return p.stanzas.flatMap((s: Element) => {
    const d = s.is("message") ? s.getChild("displayed", NS_MARKERS) : undefined;
    return d?.attrs.id && String(s.attrs.from ?? "").startsWith(USER) ? [String(d.attrs.id)] : [];
  });
}

describe("read state in the browser", () => {
  test("unread in the list; opening and seeing the messages sends one displayed marker for the newest", async () => {
    const page = await e2e.newPage();
    // Signed in with another conversation open: bob's messages stay unread.
    await signIn(page, chatUrl(e2e.app.url, NOBODY), USER);
    const bob = await e2e.peer("rui-bob");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await sendMarkable(bob, `bob says ${i} ${run}`));
    await expectEntry(page, bob.jid, (n) => n.includes("3 unread"), "says 3 unread");
    await screenshots(page, "read-list-unread");
    await bob.flush();
    expect(displayedIds(bob)).toEqual([]);

    await entry(page, bob.jid).getByRole("link").click();
    await expectShownOnce(page, `bob says 2 ${run}`);
    // Seen (tab visible and focused, messages on screen): the object sends the marker for the newest one.
    await expect.poll(() => displayedIds(bob), { timeout: UI_TIMEOUT_MS }).toEqual([ids[2]]);
    await expectEntry(page, bob.jid, (n) => !/\d+ unread/u.test(n), "says nothing unread");
    const marker = bob.stanzas.find((s) => s.getChild("displayed", NS_MARKERS));
    expect(marker?.attrs.type).toBe("chat");
    // Nothing more goes out for what was already read.
    await page.waitForTimeout(1500);
    await bob.flush();
    expect(displayedIds(bob)).toEqual([ids[2]]);
  });

  test("another client of the user reads (XEP-0490): the count drops in the open browser, no reload", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, NOBODY), USER);
    // The user's phone: an independent session of rui-ann, carbons on.
    const phone = await e2e.peer("rui-ann", `phone-${run}`);
    await phone.iq("set", xml("enable", { xmlns: NS_CARBONS }));
    const cat = await e2e.peer("rui-cat");
    const bodies = [0, 1].map((i) => `from cat ${i} ${run}`);
    for (const body of bodies) await sendMarkable(cat, body);
    await expectEntry(page, cat.jid, (n) => n.includes("2 unread"), "says 2 unread");

    // The phone's copy of the newest message carries the archive id the user's server gave it (XEP-0359).
    const newest = bodies[1] ?? "";
    await expect.poll(() => archiveIdAt(phone, newest), { timeout: UI_TIMEOUT_MS }).not.toBe("");
    const archiveId = archiveIdAt(phone, newest);
    const payload = xml("displayed", { xmlns: NS_MDS }, xml("stanza-id", { xmlns: NS_SID, by: USER, id: archiveId }));
    await phone.iq("set", buildPublishPlain(MDS_NODE, cat.jid, payload));
    await expectEntry(page, cat.jid, (n) => !/\d+ unread/u.test(n), "follows the phone: nothing unread");
  });

  test("pin, mute and hide through the menu persist across a reload; a new message shows a hidden one", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, NOBODY), USER);
    const dan = await e2e.peer("rui-dan");
    await sendMarkable(dan, `hello from dan ${run}`);
    await expectEntry(page, dan.jid, (n) => n.includes("1 unread"), "says 1 unread");
    const actions = entry(page, dan.jid).getByRole("button", { name: "Conversation actions" });

    // Keyboard: Enter opens on the first item, Escape closes and focus returns to the button.
    await actions.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => focused(page)).toBe("Pin");
    await page.keyboard.press("Escape");
    expect(await menu.count()).toBe(0);
    expect(await actions.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // Pin with Enter, mute with the arrow keys, then the mouse for the rest.
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toBe("Pin");
    await page.keyboard.press("Enter");
    await expectEntry(page, dan.jid, (n) => n.includes("pinned"), "pinned");
    await actions.focus();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => focused(page)).toBe("Unpin");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => focused(page)).toBe("Mute");
    await page.keyboard.press("Enter");
    await expectEntry(page, dan.jid, (n) => n.includes("pinned") && n.includes("muted"), "pinned and muted");
    // Beside it, an unread conversation that is not muted (for the screenshots).
    const cat = await e2e.peer("rui-cat");
    await sendMarkable(cat, `cat again ${run}`);
    await expectEntry(page, cat.jid, (n) => /\d+ unread/u.test(n), "unread");
    await screenshots(page, "read-list-flags");
    await expectNoAxeViolations(page, "pinned, muted and unread entries");
    await actions.click();
    await page.getByRole("menuitem", { name: "Unpin" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByRole("menuitem", { name: "Unmute" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshots(page, "read-list-menu");
    await page.keyboard.press("Escape");

    await page.reload();
    await waitOnline(page);
    await expectEntry(page, dan.jid, (n) => n.includes("pinned") && n.includes("muted"), "still pinned and muted");

    await actions.click();
    await page.getByRole("menuitem", { name: "Hide" }).click();
    await expect.poll(() => entry(page, dan.jid).count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    const showHidden = page.getByRole("button", { name: /Show hidden conversations/u });
    await showHidden.click();
    await expectEntry(page, dan.jid, (n) => n.includes("hidden"), "shown as hidden");
    await showHidden.click();
    await page.reload();
    await waitOnline(page);
    await page.getByRole("button", { name: /Show hidden conversations/u }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await entry(page, dan.jid).count()).toBe(0);

    await dan.send(USER, `are you there? ${run}`);
    await expectEntry(page, dan.jid, (n) => n.includes("pinned") && !n.includes("hidden"), "back, still pinned");
  });

  test("the Unread messages line, Jump to first unread, and Scroll to bottom with the count of new messages", async () => {
    const page = await e2e.newPage();
    await signIn(page, chatUrl(e2e.app.url, NOBODY), USER);
    const eli = await e2e.peer("rui-eli");
    for (let i = 0; i < 4; i++) await eli.send(USER, `earlier ${i} ${run}`);
    await eli.flush();
    // Read those first: open, see, come back to bob.
    await entry(page, eli.jid).getByRole("link").click();
    await expectShownOnce(page, `earlier 3 ${run}`);
    await expectEntry(page, eli.jid, (n) => !/\d+ unread/u.test(n), "read");
    await page.evaluate("location.hash = ''");
    await messageLog(page).waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });

    for (let i = 0; i < 30; i++) await eli.send(USER, `line ${i} ${run}`);
    await expectEntry(page, eli.jid, (n) => n.includes("30 unread"), "says 30 unread");
    await entry(page, eli.jid).getByRole("link").click();
    await expectShownOnce(page, `line 29 ${run}`);
    const log = messageLog(page);
    const line = log.locator(".unread-separator", { hasText: "Unread messages" });
    await line.waitFor({ timeout: UI_TIMEOUT_MS });
    const jump = page.getByRole("button", { name: "Jump to first unread" });
    await jump.waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshots(page, "read-timeline-unread");
    await expectNoAxeViolations(page, "Unread messages line and Jump to first unread");
    await jump.click();
    await expect.poll(() => line.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await line.isVisible()).toBe(true);

    // Scrolled up, two messages come: the button says so; it takes the user down.
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole("button", { name: "Scroll to bottom", exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await eli.send(USER, `new one ${run}`);
    await eli.send(USER, `new two ${run}`);
    const down = page.getByRole("button", { name: "Scroll to bottom, 2 new messages" });
    await down.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await down.textContent()).toContain("2 new messages");
    await screenshots(page, "read-timeline-scroll");
    await expectNoAxeViolations(page, "Scroll to bottom with a count of new messages");
    await page.setViewportSize({ width: 390, height: 800 });
    await screenshots(page, "read-timeline-phone");
    await down.focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 64), { timeout: 5000 })
      .toBe(true);
    await expect.poll(() => page.getByRole("button", { name: /Scroll to bottom/u }).count()).toBe(0);
    await expectEntry(page, eli.jid, (n) => !/\d+ unread/u.test(n), "all read");
  });
});
