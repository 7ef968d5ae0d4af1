// Search storage (issue #7 §5), run on D1 inside workerd and on a libSQL file in Node: the FTS5 index of
// migrations/0004_search.sql, src/db/search.ts and the highlight ranges of src/protocol/search.ts.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { historyAfter, historyAround, searchMessages } from "../../src/db/search.ts";
import { deleteHistoryOf, flush, type StoredMessage } from "../../src/db/store.ts";
import { ftsMatch, matchRanges, parseQuery, type SearchQuery } from "../../src/protocol/search.ts";
import type { CountingDb } from "./storage-suite.ts";

const OMEMO = `<encrypted xmlns="eu.siacs.conversations.axolotl"><header sid="1"><key rid="2">a2V5</key><iv>aXY=</iv></header><payload>cGF5</payload></encrypted>`;

function msg(peer: string, key: string, body: string, ts: number, encrypted = false): StoredMessage {
  const m: StoredMessage = {
    key,
    peer,
    direction: ts % 2 === 0 ? "in" : "out",
    body: encrypted ? "" : body,
    ts,
    receipt: null,
    stanzaId: key,
    archiveId: null,
  };
  if (encrypted) m.encrypted = { namespace: "eu.siacs.conversations.axolotl", xml: OMEMO, hasPayload: true };
  return m;
}

async function store(db: CountingDb["db"], owner: string, messages: StoredMessage[]): Promise<void> {
  await flush(db, { owner, presences: [], messages, receipts: [], conversations: [] });
}

function q(text: string): SearchQuery {
  const parsed = parseQuery(text);
  if (!parsed) throw new Error(`no query in ${text}`);
  return parsed;
}

/**
 * FTS5's own highlight() of a row's body, parsed into ranges (control characters cannot be in an XML body). The
 * index is contentless (migrations/0005_search_order.sql), so highlight() runs on a test-only FTS5 table with the
 * same tokenizer.
 */
async function ftsRanges(db: CountingDb["db"], owner: string, key: string, query: SearchQuery) {
  await db.run(sql`CREATE VIRTUAL TABLE IF NOT EXISTS highlight_check
    USING fts5(body, tokenize='unicode61 remove_diacritics 2')`);
  await db.run(sql`DELETE FROM highlight_check`);
  await db.run(sql`INSERT INTO highlight_check(rowid, body)
    SELECT id, body FROM messages WHERE owner = ${owner} AND key = ${key}`);
  const [row] = await db.all<{ h: string }>(sql`SELECT highlight(highlight_check, 0, char(2), char(3)) AS h
    FROM highlight_check WHERE highlight_check MATCH ${ftsMatch(query)}`);
  if (!row) return null;
  const ranges: [number, number][] = [];
  let plain = 0;
  let start = 0;
  for (const ch of row.h) {
    if (ch === "\u0002") start = plain;
    else if (ch === "\u0003") ranges.push([start, plain]);
    else plain += ch.length;
  }
  return ranges;
}

export function searchSuite(make: () => Promise<CountingDb>): void {
  describe("search storage (FTS5)", () => {
    it("finds the owner's clear messages only, newest first, highlighted as FTS5 does", async () => {
      const { db } = await make();
      const owner = `search-${crypto.randomUUID()}@localhost`;
      const other = `other-${crypto.randomUUID()}@localhost`;
      const corpus = [
        "Let's meet at the Café tomorrow",
        "cafe\u0301 noir, s'il vous plaît",
        "Crème brûlée at the CAFÉ? e-mail me",
        "İstanbul café trip 😀café",
        "no match here <b>cafe</b>-like? yes: cafe",
        "日本語のテスト and cafés",
      ];
      await store(db, owner, [
        ...corpus.map((body, i) => msg("bob@localhost", `c${i}`, body, 1_000 + i)),
        msg("bob@localhost", "secret", "cafe in an encrypted message", 2_000, true),
      ]);
      await store(db, other, [msg("bob@localhost", "theirs", "cafe of another account", 3_000)]);

      for (const text of ["cafe", "café", "CAF", "cafe e-mail", "istanbul", "日本語", "brulee at"]) {
        const query = q(text);
        const page = await searchMessages(db, owner, query, undefined, 50);
        const expected = corpus
          .map((body, i) => ({ body, key: `c${i}` }))
          .filter((c) => matchRanges(c.body, query) !== null)
          .map((c) => c.key)
          .toReversed();
        expect(page.results.map((r) => r.key)).toEqual(expected);
        for (const r of page.results) {
          expect(r.highlights).toEqual(await ftsRanges(db, owner, r.key, query));
          expect(r.peer).toBe("bob@localhost");
        }
      }
      const all = await searchMessages(db, owner, q("cafe"), undefined, 50);
      expect(all.results.map((r) => r.key)).not.toContain("secret");
      expect(all.results.map((r) => r.key)).not.toContain("theirs");
      const first = all.results[0];
      expect(first?.text).toBe("日本語のテスト and cafés");
      expect(first && first.highlights.map(([a, b]) => first.text.slice(a, b))).toEqual(["cafés"]);
    });

    it("pages by keyset: every match once, in order, at most a page at a time", async () => {
      const { db } = await make();
      const owner = `paging-${crypto.randomUUID()}@localhost`;
      const messages: StoredMessage[] = [];
      for (let i = 0; i < 130; i++) {
        // Equal timestamps in pairs and two peers: the cursor's (ts, peer, key) breaks the ties.
        const peer = i % 2 === 0 ? "bob@localhost" : "carol@localhost";
        messages.push(msg(peer, `k${String(i).padStart(3, "0")}`, `needle number ${i}`, 10_000 + Math.floor(i / 4)));
        messages.push(msg(peer, `n${i}`, `haystack ${i}`, 10_000 + i));
      }
      await store(db, owner, messages);
      const seen: string[] = [];
      let before: { ts: number; peer: string; key: string } | undefined;
      const sizes: number[] = [];
      for (;;) {
        const page = await searchMessages(db, owner, q("needle"), before, 50);
        sizes.push(page.results.length);
        seen.push(...page.results.map((r) => `${r.ts}/${r.peer}/${r.key}`));
        const last = page.results.at(-1);
        if (!page.hasMore || !last) break;
        before = { ts: last.ts, peer: last.peer, key: last.key };
      }
      expect(sizes).toEqual([50, 50, 30]);
      expect(new Set(seen).size).toBe(130);
      const sorted = seen.toSorted().toReversed();
      expect(seen).toEqual(sorted);
    });

    it("stays in time order when older history is stored after newer (catch-up, hole filling)", async () => {
      const { db } = await make();
      const owner = `order-${crypto.randomUUID()}@localhost`;
      const minute = 60_000;
      const all: StoredMessage[] = [];
      for (let i = 0; i < 240; i++) {
        // Minutes with many matches, minutes with one, and timestamps within a minute in no particular order.
        const ts = 1_700_000_000_000 + Math.floor(i / 7) * minute * (i % 3 === 0 ? 5 : 1) + ((i * 7919) % 59_000);
        all.push(msg(i % 3 === 0 ? "bob@localhost" : "carol@localhost", `o${i}`, `needle ${i}`, ts));
      }
      // Stored in an order unrelated to time: newest third first, then the oldest, then the middle, shuffled.
      const shuffled = all.toSorted(
        (a, b) =>
          ((a.key.length * 31 + Number(a.key.slice(1)) * 7) % 11) -
          ((b.key.length * 31 + Number(b.key.slice(1)) * 7) % 11),
      );
      for (let at = 0; at < shuffled.length; at += 40) await store(db, owner, shuffled.slice(at, at + 40));
      const expected = all
        .map((m) => ({ ts: m.ts, peer: m.peer, key: m.key }))
        .toSorted((a, b) => b.ts - a.ts || (a.peer < b.peer ? 1 : a.peer > b.peer ? -1 : a.key < b.key ? 1 : -1))
        .map((r) => `${r.ts}/${r.peer}/${r.key}`);
      const seen: string[] = [];
      let before: { ts: number; peer: string; key: string } | undefined;
      for (;;) {
        const page = await searchMessages(db, owner, q("needle"), before, 25);
        seen.push(...page.results.map((r) => `${r.ts}/${r.peer}/${r.key}`));
        const last = page.results.at(-1);
        if (!page.hasMore || !last) break;
        before = { ts: last.ts, peer: last.peer, key: last.key };
      }
      expect(seen).toEqual(expected);
    });

    it("never fails on what a user can type, and follows corrections, retractions and deletion", async () => {
      const { db } = await make();
      const owner = `nasty-${crypto.randomUUID()}@localhost`;
      await store(db, owner, [msg("bob@localhost", "m1", 'say "hi" OR NEAR(this) -not col:umn ^x * e-mail', 5)]);
      for (const text of ['"hi', "OR", "NEAR(", "NEAR(this", "-not", "col:umn", "^x", "a*", "e-mail", "AND", "*x"]) {
        const query = parseQuery(text);
        if (query) await searchMessages(db, owner, query, undefined, 50);
      }
      expect((await searchMessages(db, owner, q("near this"), undefined, 50)).results).toHaveLength(1);
      expect((await searchMessages(db, owner, q("OR"), undefined, 50)).results).toHaveLength(1);
      // messages.body is the current text (XEP-0308 corrections replace it, XEP-0424 retractions empty it).
      await db.run(sql`UPDATE messages SET body = 'corrected text' WHERE owner = ${owner} AND key = 'm1'`);
      expect((await searchMessages(db, owner, q("near"), undefined, 50)).results).toHaveLength(0);
      expect((await searchMessages(db, owner, q("corrected"), undefined, 50)).results).toHaveLength(1);
      await db.run(sql`UPDATE messages SET body = '' WHERE owner = ${owner} AND key = 'm1'`);
      expect((await searchMessages(db, owner, q("corrected"), undefined, 50)).results).toHaveLength(0);
      await store(db, owner, [msg("bob@localhost", "m2", "to be deleted", 6)]);
      await deleteHistoryOf(db, owner);
      const [left] = await db.all<{ n: number }>(
        sql`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH '"deleted"'`,
      );
      expect(left?.n).toBe(0);
    });

    it("opens history around a message and pages newer from there", async () => {
      const counting = await make();
      const { db } = counting;
      const owner = `around-${crypto.randomUUID()}@localhost`;
      const peer = "bob@localhost";
      const keys = Array.from({ length: 100 }, (_, i) => `m${String(i).padStart(3, "0")}`);
      await store(db, owner, [
        ...keys.map((k, i) => msg(peer, k, `text ${i}`, 100 + Math.floor(i / 2))),
        msg("carol@localhost", "m050", "same key, other conversation", 10),
      ]);
      counting.reset();
      const mid = await historyAround(db, owner, peer, "m050", 25);
      expect(counting.queries()).toBeLessThanOrEqual(3);
      expect(mid?.messages.map((m) => m.key)).toEqual(keys.slice(25, 75));
      expect(mid).toMatchObject({ hasMore: true, hasNewer: true });
      const start = await historyAround(db, owner, peer, "m003", 25);
      expect(start?.messages.map((m) => m.key)).toEqual(keys.slice(0, 28));
      expect(start).toMatchObject({ hasMore: false, hasNewer: true });
      const end = await historyAround(db, owner, peer, "m099", 25);
      expect(end?.messages.map((m) => m.key)).toEqual(keys.slice(74));
      expect(end).toMatchObject({ hasMore: true, hasNewer: false });
      expect(await historyAround(db, owner, peer, "nope", 25)).toBeNull();
      expect(await historyAround(db, `x${owner}`, peer, "m050", 25)).toBeNull();
      const last = mid?.messages.at(-1);
      if (!last) throw new Error("no page");
      const next = await historyAfter(db, owner, peer, { ts: last.ts, key: last.key }, 50);
      expect(next.messages.map((m) => m.key)).toEqual(keys.slice(75));
      expect(next.hasNewer).toBe(false);
    });
  });
}
