// Storage of read positions and conversation flags (src/db/read-state.ts), on D1 and on libSQL alike.
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import {
  markedMessages,
  messagesByArchiveId,
  messagesUpTo,
  messageTs,
  messageTsByStanzaId,
  movePeerReadPosition,
  movePeerReadPositions,
  moveReadPositions,
  setConversationFlags,
} from "../../src/db/read-state.ts";
import { flush, flushStatements, listConversations, type StoredMessage } from "../../src/db/store.ts";

function message(peer: string, i: number, direction: "in" | "out", extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    key: `k${i}`,
    peer,
    direction,
    body: `m${i}`,
    ts: i * 10,
    receipt: direction === "out" ? "sent" : null,
    stanzaId: `s${i}`,
    archiveId: `a${i}`,
    ...extra,
  };
}

export function readStateSuite(make: () => Promise<Db>): void {
  describe("read positions and conversation flags", () => {
    it("moves our read position forward only, recounting unread from it (key transports do not count)", async () => {
      const db = await make();
      const owner = `rs-${crypto.randomUUID()}@localhost`;
      const peer = "bob@x";
      const keyTransport = { xml: '<encrypted xmlns="eu.siacs.conversations.axolotl"><header/></encrypted>' };
      const messages = [
        message(peer, 1, "in"),
        message(peer, 2, "out"),
        message(peer, 3, "in", { markable: true }),
        message(peer, 4, "in", {
          encrypted: { namespace: "eu.siacs.conversations.axolotl", xml: keyTransport.xml, hasPayload: false },
        }),
        message(peer, 5, "in", { archiveId: null }),
      ];
      await flush(db, {
        owner,
        presences: [],
        receipts: [],
        messages,
        conversations: [{ peer, lastTs: 50, lastBody: "m5", unreadDelta: 3 }],
      });
      expect(await messageTs(db, owner, peer, "k3")).toBe(30);
      expect(await messageTs(db, owner, peer, "nope")).toBeUndefined();
      expect(await messageTsByStanzaId(db, owner, peer, "s2", "out")).toBe(20);
      expect(await messageTsByStanzaId(db, owner, peer, "s2", "in")).toBeUndefined();
      expect(await messagesByArchiveId(db, owner, ["a3", "zz"])).toEqual([{ peer, archiveId: "a3", ts: 30 }]);

      const [read] = await moveReadPositions(db, owner, [{ peer, ts: 10 }]);
      expect(read).toMatchObject({ peer, readTs: 10, unread: 2 });
      // Backwards: nothing changes.
      expect(await moveReadPositions(db, owner, [{ peer, ts: 5 }])).toEqual([]);
      // Up to the last message (ts null): everything read.
      const [all] = await moveReadPositions(db, owner, [
        { peer, ts: null },
        { peer: "nobody@x", ts: 99 },
      ]);
      expect(all).toMatchObject({ readTs: 50, unread: 0 });
      expect((await listConversations(db, owner, 10))[0]).toMatchObject({ readTs: 50, unread: 0 });

      // The newest messages at or before a time, newest first.
      const upTo = await messagesUpTo(db, owner, peer, 30, 2);
      expect(upTo.map((m) => [m.ts, m.direction, m.stanzaId, m.archiveId, m.markable])).toEqual([
        [30, "in", "s3", "a3", true],
        [20, "out", "s2", "a2", false],
      ]);
    });

    it("moves the contact's read position only for our own messages to them", async () => {
      const db = await make();
      const owner = `rs-${crypto.randomUUID()}@localhost`;
      await flush(db, {
        owner,
        presences: [],
        receipts: [],
        messages: [message("bob@x", 1, "out"), message("bob@x", 2, "in"), message("carol@x", 3, "out")],
        conversations: [
          { peer: "bob@x", lastTs: 20, lastBody: "m2", unreadDelta: 1 },
          { peer: "carol@x", lastTs: 30, lastBody: "m3", unreadDelta: 0 },
        ],
      });
      expect(await movePeerReadPosition(db, owner, "bob@x", "s2")).toBeNull(); // theirs, not ours
      expect(await movePeerReadPosition(db, owner, "bob@x", "s3")).toBeNull(); // ours, but to carol
      expect(await movePeerReadPosition(db, owner, "bob@x", "unknown")).toBeNull();
      expect(await movePeerReadPosition(db, owner, "bob@x", "s1")).toMatchObject({ peer: "bob@x", peerReadTs: 10 });
      expect(await movePeerReadPosition(db, owner, "bob@x", "s1")).toBeNull(); // no move, no change
    });

    it("resolves a page of markers in one query and moves several contacts' read positions at once", async () => {
      const db = await make();
      const owner = `rs-${crypto.randomUUID()}@localhost`;
      await flush(db, {
        owner,
        presences: [],
        receipts: [],
        messages: [
          message("bob@x", 1, "out"),
          message("bob@x", 2, "in"),
          message("bob@x", 3, "out"),
          message("carol@x", 4, "out"),
        ],
        conversations: [
          { peer: "bob@x", lastTs: 30, lastBody: "m3", unreadDelta: 1 },
          { peer: "carol@x", lastTs: 40, lastBody: "m4", unreadDelta: 0 },
        ],
      });
      const found = await markedMessages(db, owner, [
        { peer: "bob@x", stanzaId: "s1", direction: "out" },
        { peer: "bob@x", stanzaId: "s3", direction: "out" },
        { peer: "bob@x", stanzaId: "s3", direction: "out" },
        { peer: "bob@x", stanzaId: "s2", direction: "out" }, // s2 is theirs
        { peer: "bob@x", stanzaId: "s2", direction: "in" },
        { peer: "bob@x", stanzaId: "s4", direction: "out" }, // s4 is to carol
        { peer: "carol@x", stanzaId: "nope", direction: "out" },
      ]);
      expect(found.toSorted((a, b) => a.ts - b.ts)).toEqual([
        { peer: "bob@x", direction: "in", ts: 20 },
        { peer: "bob@x", direction: "out", ts: 30 },
      ]);
      expect(await markedMessages(db, owner, [])).toEqual([]);
      const moved = await movePeerReadPositions(db, owner, [
        { peer: "bob@x", ts: 10 },
        { peer: "bob@x", ts: 30 },
        { peer: "carol@x", ts: 40 },
        { peer: "nobody@x", ts: 50 },
      ]);
      expect(moved.map((c) => [c.peer, c.peerReadTs]).toSorted()).toEqual([
        ["bob@x", 30],
        ["carol@x", 40],
      ]);
      // Forward only.
      expect(await movePeerReadPositions(db, owner, [{ peer: "bob@x", ts: 10 }])).toEqual([]);
    });

    it("pins, mutes and hides; a new message shows a hidden conversation again", async () => {
      const db = await make();
      const owner = `rs-${crypto.randomUUID()}@localhost`;
      expect(await setConversationFlags(db, owner, "bob@x", { pinned: true, hidden: true })).toEqual({
        peer: "bob@x",
        lastTs: 0,
        lastBody: "",
        unread: 0,
        pinned: true,
        hidden: true,
      });
      expect(await setConversationFlags(db, owner, "bob@x", { muted: true, pinned: undefined })).toMatchObject({
        pinned: true,
        muted: true,
        hidden: true,
      });
      expect(await setConversationFlags(db, owner, "bob@x", {})).toMatchObject({ muted: true });
      expect(await setConversationFlags(db, owner, "carol@x", {})).toBeNull();
      const input = {
        owner,
        presences: [],
        receipts: [],
        messages: [message("bob@x", 1, "in")],
        conversations: [{ peer: "bob@x", lastTs: 10, lastBody: "m1", unreadDelta: 1 }],
        unhide: ["bob@x"],
      };
      expect(flushStatements({ ...input, unhide: [] }, 1)).toHaveLength(2);
      await flush(db, input);
      const [bob] = await listConversations(db, owner, 10);
      expect(bob).toEqual({ peer: "bob@x", lastTs: 10, lastBody: "m1", unread: 1, pinned: true, muted: true });
    });
  });
}
