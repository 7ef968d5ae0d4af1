// The storage contract, run on D1 inside workerd and on a libSQL file in Node: same queries, same answers.
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { flush, flushStatements, historyPage, listConversations, loadPresences } from "../../src/db/store.ts";
import type { PresenceDelta } from "../../src/protocol/index.ts";
import { loadRooms, type StoredRoom } from "../../src/db/rooms.ts";
import { gapsSuite } from "./gaps-suite.ts";
import { historySuite } from "./history-suite.ts";

export interface CountingDb {
  db: Db;
  /** Queries issued through drizzle since the last reset. */
  queries(): number;
  reset(): void;
}

function presences(n: number, prefix: string): PresenceDelta[] {
  return Array.from({ length: n }, (_, i) => ({
    jid: `${prefix}${i}@example.org`,
    resource: "phone",
    available: true,
    show: i % 3 === 0 ? "away" : "online",
    status: `status ${i} with "quotes" and ünïcode`,
    priority: i % 5,
  }));
}

export function storageSuite(make: () => Promise<CountingDb>): void {
  historySuite(make);
  gapsSuite(make);
  describe("storage", () => {
    it("stores rooms (one upsert per flush, the last version wins) and room messages with their sender", async () => {
      const { db } = await make();
      const owner = `rooms-${crypto.randomUUID()}@localhost`;
      const room = "tea@conference.localhost";
      const base: StoredRoom = {
        room,
        kind: "channel",
        name: "Tea",
        description: null,
        subject: null,
        nick: "me",
        autojoin: true,
        notify: "on-mention",
        extensions: "<x xmlns='urn:example'/>",
        password: null,
        features: {
          occupantIds: true,
          moderation: "urn:xmpp:message-moderate:0",
          stableIds: true,
          archived: true,
          membersOnly: false,
          nonAnonymous: false,
        },
        lastArchiveId: "a1",
      };
      const message = {
        key: "i:tea@conference.localhost:s1",
        peer: room,
        direction: "in" as const,
        body: "hi room",
        ts: 1_000,
        receipt: null,
        stanzaId: "s1",
        archiveId: "s1",
        from: { nick: "bo", occupantId: "occ-bo", jid: "bo@localhost" },
      };
      const input = {
        owner,
        presences: [],
        messages: [message],
        receipts: [],
        conversations: [{ peer: room, lastTs: 1_000, lastBody: "hi room", unreadDelta: 1, kind: "room" as const }],
        rooms: [base, { ...base, subject: "today", lastArchiveId: null }],
      };
      expect(flushStatements(input, 1).filter((q) => JSON.stringify(q).includes("INSERT INTO rooms"))).toHaveLength(1);
      await flush(db, input);
      const [stored] = await loadRooms(db, owner);
      // The later version wins, but a missing archive id keeps the stored one.
      expect(stored).toEqual({ ...base, subject: "today" });
      const page = await historyPage(db, owner, room, null, 10);
      expect(page.messages[0]?.from).toEqual({ nick: "bo", occupantId: "occ-bo", jid: "bo@localhost" });
      const [conversation] = await listConversations(db, owner, 10);
      expect(conversation).toMatchObject({ peer: room, kind: "room", unread: 1 });
    });

    it("stores a flood of 5,000 presences in a handful of statements, within 100 bound parameters each", async () => {
      const { db } = await make();
      const owner = `flood-${crypto.randomUUID()}@localhost`;
      const flood = presences(5_000, "c");
      const stmts = flushStatements({ owner, presences: flood, messages: [], receipts: [], conversations: [] }, 1);
      expect(stmts.length).toBeLessThanOrEqual(10);
      expect(await flush(db, { owner, presences: flood, messages: [], receipts: [], conversations: [] })).toBe(
        stmts.length,
      );
      const stored = await loadPresences(db, owner);
      expect(stored).toHaveLength(5_000);
      expect(stored.find((p) => p.jid === "c3@example.org")?.show).toBe("away");
      // Unavailable presences delete, in bulk too.
      const gone = flood.slice(0, 2_500).map((p) => ({ ...p, available: false }));
      await flush(db, { owner, presences: gone, messages: [], receipts: [], conversations: [] });
      expect(await loadPresences(db, owner)).toHaveLength(2_500);
    });

    it("dedupes messages by key and keeps conversations' unread counts and order", async () => {
      const { db } = await make();
      const owner = `dedupe-${crypto.randomUUID()}@localhost`;
      const m = (key: string, peer: string, ts: number, direction: "in" | "out" = "in") => ({
        key,
        peer,
        direction,
        body: `body ${key} <b>not html</b>`,
        ts,
        receipt: null,
        stanzaId: key,
        archiveId: null,
      });
      const input = {
        owner,
        presences: [],
        messages: [m("a", "bob@x", 1), m("b", "bob@x", 2), m("c", "carol@x", 3)],
        receipts: [],
        conversations: [
          { peer: "bob@x", lastTs: 2, lastBody: "body b", unreadDelta: 2 },
          { peer: "carol@x", lastTs: 3, lastBody: "body c", unreadDelta: 1 },
        ],
      };
      await flush(db, input);
      await flush(db, { ...input, conversations: [] }); // the same messages again: no duplicates
      const page = await historyPage(db, owner, "bob@x", null, 50);
      expect(page.messages.map((x) => x.key)).toEqual(["a", "b"]);
      expect(page.messages[0]?.body).toBe("body a <b>not html</b>");
      const convs = await listConversations(db, owner, 1000);
      expect(convs.map((c) => [c.peer, c.unread])).toEqual([
        ["carol@x", 1],
        ["bob@x", 2],
      ]);
      // Paged by keyset (lastTs desc, peer asc), as conversations.load asks (issue #6 §10).
      const first = await listConversations(db, owner, 1);
      expect(first.map((c) => c.peer)).toEqual(["carol@x"]);
      const next = await listConversations(db, owner, 5, { lastTs: 3, peer: "carol@x" });
      expect(next.map((c) => c.peer)).toEqual(["bob@x"]);
    });

    it("pages history by keyset and loads receipts in a fixed number of queries", async () => {
      const counting = await make();
      const { db } = counting;
      const owner = `history-${crypto.randomUUID()}@localhost`;
      const peer = "bob@localhost";
      const messages = Array.from({ length: 500 }, (_, i) => ({
        key: `k${String(i).padStart(4, "0")}`,
        peer,
        direction: (i % 2 === 0 ? "out" : "in") as "in" | "out",
        body: `message ${i}`,
        ts: 1_000 + Math.floor(i / 3), // equal timestamps: the key breaks ties
        receipt: null,
        stanzaId: `s${i}`,
        archiveId: null,
      }));
      const receipts = messages.filter((_, i) => i % 4 === 0).map((x) => ({ peer, stanzaId: x.stanzaId, ts: 5 }));
      await flush(db, { owner, presences: [], messages, receipts, conversations: [] });

      const counts: number[] = [];
      for (const size of [10, 50, 200]) {
        counting.reset();
        const page = await historyPage(db, owner, peer, null, size);
        counts.push(counting.queries());
        expect(page.messages).toHaveLength(size);
        expect(page.messages.at(-1)?.key).toBe("k0499");
        expect(page.messages.find((x) => x.key === "k0496")?.receipt).toBe("received");
        expect(page.messages.find((x) => x.key === "k0498")?.receipt).toBe("sent");
        expect(page.messages.find((x) => x.key === "k0499")?.receipt).toBeNull();
      }
      // The query count does not grow with the page size.
      expect(new Set(counts).size).toBe(1);
      expect(counts[0]).toBeLessThanOrEqual(2);

      // Walk the whole history backwards: every message exactly once, in order.
      const seen: string[] = [];
      let before: { ts: number; key: string } | null = null;
      for (;;) {
        const page = await historyPage(db, owner, peer, before, 50);
        seen.unshift(...page.messages.map((x) => x.key));
        const first = page.messages[0];
        if (!page.hasMore || !first) break;
        before = { ts: first.ts, key: first.key };
      }
      expect(seen).toEqual(messages.map((x) => x.key));
    });
  });
}
