// The storage side of holes in history (src/db/gaps.ts, issue #7 §6), on D1 and libSQL alike.
import { describe, expect, it } from "vitest";
import { lowerMessages, maxMessageId, newestUpTo, oldestAfter } from "../../src/db/gaps.ts";
import { flush, historyPage, listConversations } from "../../src/db/store.ts";
import type { CountingDb } from "./storage-suite.ts";

const message = (key: string, peer: string, ts: number) => ({
  key,
  peer,
  direction: "in" as const,
  body: `body ${key}`,
  ts,
  receipt: null,
  stanzaId: key,
  archiveId: null,
});

export function gapsSuite(make: () => Promise<CountingDb>): void {
  describe("holes in history (storage)", () => {
    it("separates what was stored before a hole by id, and finds its edges by time", async () => {
      const { db } = await make();
      const owner = `gaps-${crypto.randomUUID()}@localhost`;
      const peer = "bob@localhost";
      expect(await maxMessageId(db, owner)).toBe(0);
      const empty = { presences: [], receipts: [], conversations: [] };
      await flush(db, { owner, ...empty, messages: [message("a", peer, 1_000), message("b", peer, 2_000)] });
      const cutId = await maxMessageId(db, owner);
      expect(cutId).toBeGreaterThan(0);
      // After the hole: a newer message, and one whose time is below the last one before the hole.
      await flush(db, { owner, ...empty, messages: [message("c", peer, 5_000), message("d", peer, 1_500)] });
      expect(await newestUpTo(db, owner, peer, cutId)).toBe(2_000);
      expect(await newestUpTo(db, owner, "nobody@localhost", cutId)).toBeNull();
      expect(await oldestAfter(db, owner, peer, 2_000)).toBe(5_000);
      expect(await oldestAfter(db, owner, peer, null)).toBe(1_000);
      expect(await oldestAfter(db, owner, peer, 5_000)).toBeNull();
    });

    it("moves the messages below a point down, with the conversation's times among them", async () => {
      const { db } = await make();
      const owner = `lower-${crypto.randomUUID()}@localhost`;
      const peer = "bob@localhost";
      await flush(db, {
        owner,
        presences: [],
        receipts: [],
        messages: [message("a", peer, 1_000), message("b", peer, 2_000), message("c", peer, 3_000)],
        conversations: [{ peer, lastTs: 3_000, lastBody: "c", unreadDelta: 0 }],
      });
      await lowerMessages(db, owner, peer, 2_000, 500);
      const page = await historyPage(db, owner, peer, null, 10);
      expect(page.messages.map((m) => [m.key, m.ts])).toEqual([
        ["a", 500],
        ["b", 1_500],
        ["c", 3_000],
      ]);
      expect((await listConversations(db, owner, 5))[0]?.lastTs).toBe(3_000);
      await lowerMessages(db, owner, peer, 3_000, 100);
      expect((await listConversations(db, owner, 5))[0]?.lastTs).toBe(2_900);
    });
  });
}
