// End to end: message actions (issue #7 §2) in an OMEMO conversation between Parley in Chromium and an independent
// OMEMO 0.3 client (python-omemo, test/peers/omemo_peer.py). A reply's quote and an edit's new text travel
// encrypted, never in clear; reactions and retractions travel in clear by design (README). Afterwards no plaintext
// is anywhere in D1 or the object's storage. oa-ann is the user (browser), oa-bob the python peer.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import type { Element } from "@xmpp/xml";
import { storedFiles } from "./app.ts";
import {
  article,
  chatUrl,
  composer,
  expectEncryptionOn,
  messageAction,
  messageLog,
  screenshots,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { e2eHarness } from "./harness.ts";
import type { PeerEvent } from "../peers/omemo-peer.ts";
import { parseXml } from "../../src/xmpp/parse.ts";

const USER = "oa-ann@localhost";
const PEER = "oa-bob@localhost";
const DECRYPT_TIMEOUT_MS = 30_000;
const NS_OMEMO = "eu.siacs.conversations.axolotl";
const NS_REPLY = "urn:xmpp:reply:0";
const NS_FALLBACK = "urn:xmpp:fallback:0";
const NS_CORRECT = "urn:xmpp:message-correct:0";

const e2e = e2eHarness({ omemoPeers: [PEER] });

async function shown(page: Page, text: string): Promise<void> {
  await article(page, text).waitFor({ timeout: DECRYPT_TIMEOUT_MS });
}

/** Waits (as long as decrypting takes) for the message, then clicks its action `name`. */
async function action(page: Page, text: string, name: string): Promise<void> {
  await shown(page, text);
  await messageAction(page, text, name);
}

async function shownEdited(page: Page, text: string): Promise<void> {
  await article(page, text).getByText("edited", { exact: true }).waitFor({ timeout: DECRYPT_TIMEOUT_MS });
}

/** The stanza the peer received, parsed (the python peer serialises it with ElementTree's ns0: prefixes). */
function stanzaOf(e: PeerEvent): Element {
  if (e.event !== "message" && e.event !== "plain" && e.event !== "stanza") throw new Error(`no stanza: ${e.event}`);
  return parseXml(e.stanza);
}

/** The peer's decrypted message whose body satisfies `pred`. */
async function decrypted(pred: (body: string) => boolean): Promise<Extract<PeerEvent, { event: "message" }>> {
  const e = await e2e
    .omemo(PEER)
    .waitFor((ev) => ev.event === "message" && ev.body !== null && pred(ev.body), DECRYPT_TIMEOUT_MS);
  if (e.event !== "message") throw new Error("unreachable");
  return e;
}

describe("message actions in an OMEMO chat", () => {
  test(
    "reply and edit travel encrypted; incoming encrypted corrections and replies; react and delete; reload; no plaintext stored",
    {
      timeout: 240_000,
    },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const peer = e2e.omemo(PEER);
      const page = await e2e.newPage();
      await signIn(page, chatUrl(e2e.app.url, PEER), USER);
      await expectEncryptionOn(page);
      await peer.waitForDevices(USER);

      const ask = `Dinner at the harbour tonight? ${run}`;
      const answer = `Yes, at seven ${run}`;
      const fixedAnswer = `Yes, at eight ${run}`;
      const typo = `see you at the harbuor ${run}`;
      const fixedTypo = `see you at the harbour ${run}`;
      const thanks = `perfect, booked ${run}`;
      const doomed = `a message to take back ${run}`;
      const secrets = [ask, answer, fixedAnswer, typo, fixedTypo, thanks, doomed];

      // 1. The peer asks (encrypted); the user replies with the Reply action. The quote is inside the ciphertext.
      const askId = `ask-${run}`;
      await peer.command("send", { to: USER, body: ask, message_id: askId });
      await shown(page, ask);
      await action(page, ask, "Reply");
      await expect.poll(() => page.getByRole("status").filter({ hasText: "Replying to" }).count()).toBe(1);
      await composer(page).fill(answer);
      await composer(page).press("Enter");
      const reply = await decrypted((b) => b.endsWith(answer));
      const quote = `> ${ask}\n`;
      expect(reply.body).toBe(`${quote}${answer}`);
      const replyStanza = stanzaOf(reply);
      expect(replyStanza.getChild("encrypted", NS_OMEMO)).toBeDefined();
      expect(replyStanza.getChild("reply", NS_REPLY)?.attrs).toMatchObject({ id: askId, to: PEER });
      const fallback = replyStanza.getChild("fallback", NS_FALLBACK);
      expect(fallback?.attrs.for).toBe(NS_REPLY);
      expect(fallback?.getChild("body")?.attrs).toMatchObject({ start: "0", end: String([...quote].length) });
      // The clear <body> is the OMEMO fallback notice only: neither the reply nor the quote is in clear.
      expect(replyStanza.getChildText("body")).toMatch(/OMEMO/u);
      expect(reply.stanza).not.toContain(answer);
      expect(reply.stanza).not.toContain(ask);
      const mine = article(page, answer);
      await mine.getByRole("button", { name: /Reply to .*Dinner at the harbour/u }).waitFor({ timeout: UI_TIMEOUT_MS });

      // 2. The user edits the reply (Up arrow in the empty composer): the new text is encrypted too.
      await composer(page).click();
      await composer(page).press("ArrowUp");
      await expect.poll(() => composer(page).inputValue()).toBe(answer);
      await composer(page).fill(fixedAnswer);
      await composer(page).press("Enter");
      const correction = await decrypted((b) => b === fixedAnswer);
      const correctionStanza = stanzaOf(correction);
      expect(correctionStanza.getChild("replace", NS_CORRECT)?.attrs.id).toBe(reply.id);
      expect(correctionStanza.getChild("encrypted", NS_OMEMO)).toBeDefined();
      expect(correction.stanza).not.toContain(fixedAnswer);
      expect(correction.stanza).not.toContain(answer);
      await shownEdited(page, fixedAnswer);
      expect(await messageLog(page).getByText(answer, { exact: true }).count()).toBe(0);

      // 3. The peer corrects its own message, encrypted (XEP-0308 beside the OMEMO element)...
      const typoId = `typo-${run}`;
      await peer.command("send", { to: USER, body: typo, message_id: typoId });
      await shown(page, typo);
      await peer.command("send", {
        to: USER,
        body: fixedTypo,
        extra: [`<replace xmlns="${NS_CORRECT}" id="${typoId}"/>`],
      });
      await shownEdited(page, fixedTypo);
      expect(await article(page, typo).count()).toBe(0);
      // ...and replies to the user's (edited) message with a quote marked as fallback, all encrypted.
      const theirQuote = `> ${fixedAnswer}\n`;
      await peer.command("send", {
        to: USER,
        body: `${theirQuote}${thanks}`,
        extra: [
          `<reply xmlns="${NS_REPLY}" id="${reply.id}" to="${USER}"/>`,
          `<fallback xmlns="${NS_FALLBACK}" for="${NS_REPLY}"><body start="0" end="${[...theirQuote].length}"/></fallback>`,
        ],
      });
      const theirReply = article(page, thanks);
      await theirReply.waitFor({ timeout: DECRYPT_TIMEOUT_MS });
      expect(await theirReply.locator(".body").textContent()).toBe(thanks);
      await theirReply
        .getByRole("button", { name: new RegExp(`Reply to You ?: ?${fixedAnswer}$`, "u") })
        .waitFor({ timeout: UI_TIMEOUT_MS });

      // 4. Reactions and retractions travel in clear (XEP-0384 0.3 encrypts only the body; README says so).
      await action(page, fixedTypo, "React");
      await page.getByRole("button", { name: "👍", exact: true }).click();
      const reaction = await peer.waitFor(
        (e) => e.event === "stanza" && stanzaOf(e).getChild("reactions", "urn:xmpp:reactions:0") !== undefined,
        UI_TIMEOUT_MS,
      );
      const reactions = stanzaOf(reaction).getChild("reactions", "urn:xmpp:reactions:0");
      expect(reactions?.attrs.id).toBe(typoId);
      expect(reactions?.getChildText("reaction")).toBe("👍");
      await article(page, fixedTypo).getByRole("button", { name: /👍 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });

      await composer(page).fill(doomed);
      await composer(page).press("Enter");
      const doomedSent = await decrypted((b) => b === doomed);
      await shown(page, doomed);
      await action(page, doomed, "Delete");
      const retraction = await peer.waitFor(
        (e) =>
          (e.event === "plain" || e.event === "stanza") &&
          stanzaOf(e).getChild("retract", "urn:xmpp:message-retract:1") !== undefined,
        UI_TIMEOUT_MS,
      );
      expect(stanzaOf(retraction).getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(doomedSent.id);
      const tombstones = messageLog(page).getByRole("article").filter({ hasText: "This message was deleted" });
      await expect.poll(() => tombstones.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
      expect(await messageLog(page).getByText(doomed).count()).toBe(0);
      await screenshots(page, "omemo-actions");

      // Nothing the user typed ever went out in clear.
      for (const e of peer.events) {
        if (e.event !== "plain" && e.event !== "stanza") continue;
        for (const secret of secrets) expect(e.stanza).not.toContain(secret);
      }

      // 5. After a reload everything shows the same, from this browser's plaintext cache.
      await page.reload();
      await shown(page, ask);
      await shownEdited(page, fixedAnswer);
      await article(page, fixedAnswer)
        .getByRole("button", { name: /Reply to .*Dinner at the harbour/u })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await shownEdited(page, fixedTypo);
      await article(page, fixedTypo).getByRole("button", { name: /👍 1/u }).waitFor({ timeout: UI_TIMEOUT_MS });
      await article(page, thanks)
        .getByRole("button", { name: new RegExp(`Reply to You ?: ?${fixedAnswer}$`, "u") })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await article(page, thanks).locator(".body").textContent()).toBe(thanks);
      await expect.poll(() => tombstones.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
      for (const gone of [answer, typo, doomed]) expect(await messageLog(page).getByText(gone).count()).toBe(0);

      // No plaintext in D1 or the object's storage (SQLite files are complete once workerd is down).
      await page.context().close();
      await e2e.app.stop();
      const stored = storedFiles(e2e.app.stateDir);
      expect(stored.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        const needle = Buffer.from(secret);
        expect(
          stored.filter((s) => s.bytes.includes(needle)).map((s) => s.file),
          secret,
        ).toEqual([]);
      }
      // Sanity: the run's ciphertexts are there (the reply's OMEMO payload is stored).
      const payload = /<(?:\w+:)?payload>([^<]+)<\/(?:\w+:)?payload>/u.exec(reply.stanza)?.[1] ?? "-";
      expect(stored.some((s) => s.bytes.includes(Buffer.from(payload)))).toBe(true);
    },
  );
});
