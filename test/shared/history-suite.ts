// Pages with their related rows (issue #7 §7): reply targets, corrections, retractions, reactions and receipts
// in a fixed number of queries, on D1 and libSQL alike.
import { describe, expect, it } from "vitest";
import { historyPage, latestKeys, messagesByStanzaIds } from "../../src/db/history.ts";
import { flush, type FlushInput, type StoredAction, type StoredMessage } from "../../src/db/store.ts";
import type { CountingDb } from "./storage-suite.ts";

const PEER = "bob@localhost";

function message(i: number, extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    key: `k${String(i).padStart(4, "0")}`,
    peer: PEER,
    direction: i % 2 === 0 ? "out" : "in",
    body: `message ${i}`,
    ts: 10_000 + i,
    receipt: null,
    stanzaId: `s${i}`,
    archiveId: null,
    ...extra,
  };
}

const action = (a: Partial<StoredAction> & Pick<StoredAction, "target" | "kind">): StoredAction => ({
  peer: PEER,
  actor: "in",
  direction: "in",
  body: "",
  encrypted: null,
  ts: 20_000,
  ...a,
});

/** Stores `rows` for `owner` in one flush (nothing else in it). */
function store(db: CountingDb["db"], owner: string, rows: Partial<Omit<FlushInput, "owner">>): Promise<number> {
  return flush(db, { owner, presences: [], messages: [], receipts: [], conversations: [], ...rows });
}

export function historySuite(make: () => Promise<CountingDb>): void {
  describe("history pages with related rows", () => {
    it("knows each conversation's newest messages (within a second of its latest) after a restart", async () => {
      const { db } = await make();
      const owner = `latest-${crypto.randomUUID()}@localhost`;
      const at = (key: string, peer: string, ts: number) => message(0, { key, peer, ts, stanzaId: key });
      await store(db, owner, {
        messages: [
          at("b-old", PEER, 1_000),
          at("b-near", PEER, 9_200),
          at("b-last", PEER, 10_000),
          at("c-only", "carol@localhost", 50_000),
        ],
        conversations: [
          { peer: PEER, lastTs: 10_000, lastBody: "", unreadDelta: 0 },
          { peer: "carol@localhost", lastTs: 50_000, lastBody: "", unreadDelta: 0 },
        ],
      });
      expect((await latestKeys(db, owner)).toSorted()).toEqual(["b-last", "b-near", "c-only"]);
      expect(await latestKeys(db, `nobody-${crypto.randomUUID()}@localhost`)).toEqual([]);
    });

    it("brings replies, corrections, retractions, reactions and receipts in at most 3 queries at any page size", async () => {
      const counting = await make();
      const { db } = counting;
      const owner = `related-${crypto.randomUUID()}@localhost`;
      // 400 messages; every 5th replies to the one 3 before it (some targets fall outside a page), every 7th of
      // the peer's is corrected, every 11th of ours retracted, every 3rd has reactions from both sides.
      const messages = Array.from({ length: 400 }, (_, i) =>
        message(i, i % 5 === 0 && i > 3 ? { replyToId: `s${i - 3}` } : {}),
      );
      const actions: StoredAction[] = [];
      for (const m of messages) {
        const i = Number(m.key.slice(1));
        if (m.direction === "in" && i % 7 === 0) {
          actions.push(action({ target: `s${i}`, kind: "edit", actor: `e${i}`, body: `corrected ${i}` }));
        }
        if (m.direction === "out" && i % 11 === 0)
          actions.push(action({ target: `s${i}`, kind: "retract", actor: "out", direction: "out" }));
        if (i % 3 === 0) {
          actions.push(action({ target: `s${i}`, kind: "react", actor: PEER, body: JSON.stringify(["👍", "❤️"]) }));
          actions.push(
            action({ target: `s${i}`, kind: "react", actor: owner, direction: "out", body: JSON.stringify(["👍"]) }),
          );
        }
      }
      const receipts = messages
        .filter((m) => m.direction === "out")
        .map((m) => ({ peer: PEER, stanzaId: m.stanzaId ?? "", ts: 1 }));
      await store(db, owner, { messages, receipts, actions });

      const counts: number[] = [];
      for (const size of [10, 50, 200]) {
        counting.reset();
        const page = await historyPage(db, owner, PEER, null, size);
        counts.push(counting.queries());
        expect(page.messages).toHaveLength(size);
      }
      expect(Math.max(...counts)).toBeLessThanOrEqual(3);
      expect(new Set(counts).size).toBe(1);

      const page = await historyPage(db, owner, PEER, null, 200);
      const byKey = new Map(page.messages.map((m) => [m.key, m]));
      // A correction by the sender replaces the text (and the stored body, for search).
      expect(byKey.get("k0399")?.body).toBe("corrected 399"); // 399 = 7 * 57, odd: the peer's
      expect(byKey.get("k0399")?.edit?.key).toBe("e399");
      // A retraction by the sender: tombstone, no text, no reactions.
      expect(byKey.get("k0396")).toMatchObject({ retracted: true, body: "" }); // 396 = 11 * 36, even: ours
      expect(byKey.get("k0396")?.reactions).toBeUndefined();
      // Reactions aggregated per emoji, who reacted sorted.
      expect(byKey.get("k0393")?.reactions).toEqual([
        { emoji: "👍", from: [owner, PEER].toSorted() },
        { emoji: "❤️", from: [PEER] },
      ]);
      // Replies: the target's key, sender and current text — also when the target is outside the page.
      expect(byKey.get("k0395")?.replyTo).toEqual({ key: "k0392", direction: "out", body: "message 392" });
      const edge = await historyPage(db, owner, PEER, null, 10); // k0390..k0399: k0390 replies to k0387
      expect(edge.messages.find((m) => m.key === "k0390")?.replyTo).toEqual({
        key: "k0387",
        direction: "in",
        body: "message 387",
      });
      expect(byKey.get("k0398")?.receipt).toBe("received");
    });

    it("says where an encrypted reply target's own quote is, so a quote of it leaves that out", async () => {
      const { db } = await make();
      const owner = `quote-${crypto.randomUUID()}@localhost`;
      const enc = { namespace: "eu.siacs.conversations.axolotl" as const, xml: "<encrypted/>", hasPayload: true };
      await store(db, owner, {
        messages: [
          message(1, { body: "", encrypted: enc, replyToId: "s0", fallback: { start: 0, end: 9 } }),
          message(2, { body: "", encrypted: enc, replyToId: "s1" }),
        ],
      });
      const page = await historyPage(db, owner, PEER, null, 50);
      expect(page.messages.find((m) => m.key === "k0002")?.replyTo).toEqual({
        key: "k0001",
        direction: "in",
        body: "",
        fallback: { start: 0, end: 9 },
      });
    });

    it("honours corrections and retractions only from the message's sender, in any order of arrival", async () => {
      const { db } = await make();
      const owner = `order-${crypto.randomUUID()}@localhost`;
      // The actions come first (an archive page can bring them before the original)...
      await store(db, owner, {
        actions: [
          action({ target: "s1", kind: "edit", actor: "e-forged", direction: "out", body: "forged by us?" }),
          action({ target: "s1", kind: "retract", actor: "out", direction: "out" }),
          action({ target: "s2", kind: "edit", actor: "e2a", body: "second try", ts: 30_000 }),
          action({ target: "s2", kind: "edit", actor: "e2b", body: "first try", ts: 25_000 }),
        ],
      });
      // ...then the originals (both the peer's).
      await store(db, owner, {
        messages: [message(1), message(3, { stanzaId: "s2" })],
      });
      const page = await historyPage(db, owner, PEER, null, 50);
      expect(page.messages.map((m) => [m.key, m.body, m.retracted ?? false])).toEqual([
        ["k0001", "message 1", false],
        ["k0003", "second try", false],
      ]);
      // A replayed older set of reactions does not override a newer one.
      await store(db, owner, {
        actions: [action({ target: "s1", kind: "react", actor: PEER, body: JSON.stringify(["😂"]), ts: 50_000 })],
      });
      await store(db, owner, {
        actions: [action({ target: "s1", kind: "react", actor: PEER, body: JSON.stringify(["👍"]), ts: 40_000 })],
      });
      const [one] = await messagesByStanzaIds(db, owner, PEER, ["s1"]);
      expect(one?.reactions).toEqual([{ emoji: "😂", from: [PEER] }]);
      // The peer retracts: the text is gone from storage too.
      await store(db, owner, {
        actions: [action({ target: "s1", kind: "retract", actor: "in" })],
      });
      const [gone] = await messagesByStanzaIds(db, owner, PEER, ["s1"]);
      expect(gone).toMatchObject({ retracted: true, body: "" });
    });
  });
}
