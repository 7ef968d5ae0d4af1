import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../src/protocol/index.ts";
import { NS_OMEMO_03 } from "../../src/xmpp/omemo.ts";
import { parseXml } from "../../src/xmpp/parse.ts";
import { isMessage, peer, signedInTab, type Tab } from "./helpers.ts";

type Results = Extract<ServerFrame, { type: "search.results" }>;
type History = Extract<ServerFrame, { type: "history" }>;

let n = 0;
async function search(tab: Tab, query: string, before?: { ts: number; peer: string; key: string }): Promise<Results> {
  const requestId = `q${++n}`;
  tab.send(before ? { type: "search", requestId, query, before } : { type: "search", requestId, query });
  return tab.waitFor((f): f is Results => f.type === "search.results" && f.requestId === requestId);
}

const omemo = `<encrypted xmlns="${NS_OMEMO_03}"><header sid="4242"><key rid="777">MwohBR4JcDN4c2gaPs6l</key><iv>T5jDmX+xK6xSo2bD</iv></header><payload>cGF5bG9hZA==</payload></encrypted>`;

describe("search (issue #7 §5)", () => {
  it("finds a real peer's messages at once, highlighted; never encrypted ones nor another account's", async () => {
    const word = `zebra${crypto.randomUUID().slice(0, 8)}`;
    const { tab } = await signedInTab("olga");
    const other = await signedInTab("pia");
    const oscar = await peer("oscar");
    await oscar.send("olga@localhost", `Did you see the ${word} at the Café?`);
    await oscar.send("pia@localhost", `pia's own ${word}`);
    // An OMEMO message whose clear fallback body names the word: the server must not index any of it.
    await oscar.link.send(
      xml(
        "message",
        { to: "olga@localhost", type: "chat", id: `omemo-${word}` },
        parseXml(omemo),
        xml("body", {}, `I sent you an OMEMO encrypted message ${word}`),
      ),
    );
    const last = `last one: ${word.toUpperCase()}!`;
    await oscar.send("olga@localhost", last);
    await tab.waitFor(isMessage(last));
    await other.tab.waitFor(isMessage(`pia's own ${word}`));

    // Searched right after arrival (before the periodic flush): found, newest first.
    const found = await search(tab, word.slice(0, 9));
    expect(found.query).toBe(word.slice(0, 9));
    expect(found.hasMore).toBe(false);
    expect(found.results.map((r) => r.text)).toEqual([last, `Did you see the ${word} at the Café?`]);
    for (const r of found.results) {
      expect(r).toMatchObject({ peer: "oscar@localhost", direction: "in" });
      expect(r.highlights.map(([a, b]) => r.text.slice(a, b).toLowerCase())).toEqual([word]);
    }
    // Two words, diacritics and case folded.
    const both = await search(tab, `CAFE ${word}`);
    expect(both.results).toHaveLength(1);
    const [hit] = both.results;
    expect(hit && hit.highlights.map(([a, b]) => hit.text.slice(a, b))).toEqual([word, "Café"]);
    // Pia finds hers only.
    const theirs = await search(other.tab, word);
    expect(theirs.results.map((r) => r.text)).toEqual([`pia's own ${word}`]);
    // Nothing searchable: an empty answer, not an error; an empty query is a bad frame.
    expect((await search(tab, '"*" - ( :')).results).toEqual([]);
    tab.send({ type: "search", requestId: "empty", query: "" });
    await tab.waitFor((f) => f.type === "error" && f.requestId === "empty" && f.code === "bad-frame");

    tab.close();
    other.tab.close();
    await oscar.close();
  });

  it("pages results and opens the conversation around a result", async () => {
    const word = `quokka${crypto.randomUUID().slice(0, 8)}`;
    const { tab } = await signedInTab("olga");
    const rae = await peer("rae");
    const bodies = Array.from({ length: 130 }, (_, i) => (i % 2 === 0 ? `${word} number ${i}` : `filler ${i}`));
    for (const body of bodies) await rae.send("olga@localhost", body);
    await tab.waitFor(isMessage(bodies.at(-1) ?? ""));

    const first = await search(tab, word);
    expect(first.results).toHaveLength(50);
    expect(first.hasMore).toBe(true);
    const all = await everyResult(tab, word);
    const matching = bodies.filter((b) => b.startsWith(word));
    expect(all.map((r) => r.text)).toEqual(matching.toReversed());
    expect(new Set(all.map((r) => r.key)).size).toBe(65);

    // Open number 60 with its context: 25 older messages, it, and the newer ones of a page.
    const target = all.find((r) => r.text === `${word} number 60`);
    if (!target) throw new Error("no result");
    tab.send({ type: "history.load", requestId: "around", peer: "rae@localhost", before: null, around: target.key });
    const page = await tab.waitFor((f): f is History => f.type === "history" && f.requestId === "around");
    const texts = page.messages.map((m) => m.body);
    expect(texts).toEqual(bodies.slice(35, 85));
    expect(texts.indexOf(`${word} number 60`)).toBe(25);
    expect(page.hasNewer).toBe(true);
    const newest = page.messages.at(-1);
    if (!newest) throw new Error("empty page");
    tab.send({
      type: "history.load",
      requestId: "after",
      peer: "rae@localhost",
      before: null,
      after: { ts: newest.ts, key: newest.key },
    });
    const after = await tab.waitFor((f): f is History => f.type === "history" && f.requestId === "after");
    expect(after.messages.map((m) => m.body)).toEqual(bodies.slice(85));
    expect(after.hasNewer).toBe(false);
    tab.send({ type: "history.load", requestId: "gone", peer: "rae@localhost", before: null, around: "no-such-key" });
    await tab.waitFor((f) => f.type === "error" && f.requestId === "gone" && f.code === "history-failed");
    tab.close();
    await rae.close();
  });
});

/** Every result of `query`, paged with the last result as the cursor. */
async function everyResult(tab: Tab, query: string) {
  const all: Results["results"] = [];
  let before: { ts: number; peer: string; key: string } | undefined;
  for (;;) {
    const page = await search(tab, query, before);
    all.push(...page.results);
    const last = page.results.at(-1);
    if (!page.hasMore || !last) return all;
    before = { ts: last.ts, peer: last.peer, key: last.key };
  }
}
