import { describe, expect, it } from "vitest";
import { ReadStateFeature, type ReadStore } from "../../../src/durable/features/read-state.ts";
import type { ConversationFlags, MarkerRef, ReadCandidate } from "../../../src/db/read-state.ts";
import type { Conversation } from "../../../src/protocol/index.ts";
import { XMPPError } from "../../../src/xmpp/errors.ts";
import { MDS_NODE, NS_MDS } from "../../../src/xmpp/mds.ts";
import { NS_MARKERS } from "../../../src/xmpp/markers.ts";
import { NS_PUBSUB } from "../../../src/xmpp/pubsub.ts";
import { parseXml } from "../xml-helpers.ts";
import { harness } from "./fakes.ts";

const ME = "me@example.org";
const BOB = "bob@example.org";

interface Row extends ReadCandidate {
  peer: string;
  key: string;
}

/** The storage contract (tested on D1 and libSQL in test/shared/read-state-suite.ts), in memory. */
class MemoryStore implements ReadStore {
  readonly rows: Row[] = [];
  readonly conversations = new Map<string, Conversation>();

  add(peer: string, i: number, direction: "in" | "out", markable = false, archived = true): void {
    this.rows.push({
      peer,
      key: `k${i}`,
      direction,
      markable,
      stanzaId: `s${i}`,
      archiveId: archived ? `a${i}` : null,
      ts: i * 10,
    });
    const c = this.conversations.get(peer) ?? { peer, lastTs: 0, lastBody: "", unread: 0 };
    this.conversations.set(peer, {
      ...c,
      lastTs: i * 10,
      unread: c.unread + (direction === "in" && i * 10 > (c.readTs ?? 0) ? 1 : 0),
    });
  }

  async messageTs(peer: string, key: string) {
    return this.rows.find((r) => r.peer === peer && r.key === key)?.ts;
  }
  async messageTsByStanzaId(peer: string, id: string, direction: "in" | "out") {
    return this.rows.find((r) => r.peer === peer && r.stanzaId === id && r.direction === direction)?.ts;
  }
  async messagesByArchiveId(ids: readonly string[]) {
    return this.rows.flatMap((r) =>
      r.archiveId && ids.includes(r.archiveId) ? [{ peer: r.peer, archiveId: r.archiveId, ts: r.ts }] : [],
    );
  }
  async moveReadPositions(moves: readonly { peer: string; ts: number | null }[]) {
    const out: Conversation[] = [];
    for (const { peer, ts } of moves) {
      const c = this.conversations.get(peer);
      if (!c) continue;
      const target = ts ?? c.lastTs;
      if (target <= (c.readTs ?? 0) && !(ts === null && c.unread > 0)) continue;
      const readTs = Math.max(target, c.readTs ?? 0);
      const unread = this.rows.filter((r) => r.peer === peer && r.direction === "in" && r.ts > readTs).length;
      const next = { ...c, readTs, unread };
      this.conversations.set(peer, next);
      out.push(next);
    }
    return out;
  }
  async movePeerReadPosition(peer: string, id: string) {
    const ts = await this.messageTsByStanzaId(peer, id, "out");
    const c = this.conversations.get(peer);
    if (ts === undefined || !c || ts <= (c.peerReadTs ?? 0)) return null;
    const next = { ...c, peerReadTs: ts };
    this.conversations.set(peer, next);
    return next;
  }
  async movePeerReadPositions(moves: readonly { peer: string; ts: number }[]) {
    const out: Conversation[] = [];
    for (const { peer, ts } of moves) {
      const c = this.conversations.get(peer);
      if (!c || ts <= (c.peerReadTs ?? 0)) continue;
      const next = { ...c, peerReadTs: ts };
      this.conversations.set(peer, next);
      out.push(next);
    }
    return out;
  }
  async markedMessages(refs: readonly MarkerRef[]) {
    const best = new Map<string, { peer: string; direction: "in" | "out"; ts: number }>();
    for (const ref of refs) {
      for (const r of this.rows) {
        if (r.peer !== ref.peer || r.stanzaId !== ref.stanzaId || r.direction !== ref.direction) continue;
        const k = `${r.peer} ${r.direction}`;
        if ((best.get(k)?.ts ?? -1) < r.ts) best.set(k, { peer: r.peer, direction: r.direction, ts: r.ts });
      }
    }
    return [...best.values()];
  }
  async messagesUpTo(peer: string, ts: number, limit: number) {
    return this.rows
      .filter((r) => r.peer === peer && r.ts <= ts)
      .toSorted((a, b) => b.ts - a.ts)
      .slice(0, limit);
  }
  async setFlags(peer: string, flags: ConversationFlags) {
    const c = this.conversations.get(peer) ?? { peer, lastTs: 0, lastBody: "", unread: 0 };
    const next = { ...c };
    for (const k of ["pinned", "muted", "hidden"] as const) {
      const v = flags[k];
      if (v === true) next[k] = true;
      if (v === false) delete next[k];
    }
    this.conversations.set(peer, next);
    return next;
  }
}

function setup() {
  const h = harness(ME);
  const store = new MemoryStore();
  const feature = new ReadStateFeature(h.ctx, store);
  h.link.answer = () => parseXml("<pubsub/>");
  return { h, store, feature };
}

const mdsEvent = (from: string, peer: string, archiveId: string) =>
  parseXml(
    `<message from="${from}" to="${ME}/parley"><event xmlns="http://jabber.org/protocol/pubsub#event">` +
      `<items node="${MDS_NODE}"><item id="${peer}"><displayed xmlns="${NS_MDS}">` +
      `<stanza-id xmlns="urn:xmpp:sid:0" by="${ME}" id="${archiveId}"/></displayed></item></items></event></message>`,
  );

describe("ReadStateFeature: conversation.read (XEP-0333, XEP-0490)", () => {
  it("reads up to a message: unread recounted in every tab, one displayed marker, the position published", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in", true);
    store.add(BOB, 2, "in", true);
    store.add(BOB, 3, "in", false);
    store.add(BOB, 4, "in", true);
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "k3" });
    expect(h.broadcast).toEqual([
      { type: "conversation", conversation: expect.objectContaining({ readTs: 30, unread: 1 }) },
    ]);
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 30, unread: 1 });
    // The newest markable message read (s2; s3 did not ask), once.
    expect(h.link.sent.map((s) => s.getChild("displayed", NS_MARKERS)?.attrs.id)).toEqual(["s2"]);
    expect(h.link.sent[0]?.attrs).toMatchObject({ to: BOB, type: "chat" });
    // Published by the archive id of the newest message read.
    const publish = h.link.iqs[0]?.child.getChild("publish");
    expect(publish?.attrs.node).toBe(MDS_NODE);
    expect(publish?.getChild("item")?.attrs.id).toBe(BOB);
    expect(publish?.toString()).toContain('id="a3"');

    // Reading the same again: nothing moves, the asking tab alone gets the conversation, nothing goes out.
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "k2" });
    expect(h.broadcast).toHaveLength(1);
    expect(h.sent.map((s) => s.frame.type)).toEqual(["conversation"]);
    expect(h.link.sent).toHaveLength(1);

    // Everything: the newest markable one is marked, older ones never again.
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB });
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 40, unread: 0 });
    expect(h.link.sent.map((s) => s.getChild("displayed", NS_MARKERS)?.attrs.id)).toEqual(["s2", "s4"]);
    expect(h.link.iqs).toHaveLength(2);
  });

  it("sends nothing when offline (the read position is saved all the same), and announces it once back", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in", true);
    store.add(BOB, 2, "in", true);
    h.link.online = false;
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "k1" });
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB });
    expect(h.ctx.state.conversations.get(BOB)?.unread).toBe(0);
    expect(h.link.sent).toEqual([]);
    expect(h.link.iqs).toEqual([]);
    // The link is back: one marker for the newest markable message read, one MDS item; nothing more later.
    h.link.online = true;
    await feature.onOnline();
    expect(h.link.sent.map((m) => m.getChild("displayed", NS_MARKERS)?.attrs.id)).toEqual(["s2"]);
    expect(h.link.iqs.map((q) => q.child.getChild("publish")?.attrs.node)).toEqual([MDS_NODE]);
    await feature.onOnline();
    expect(h.link.sent).toHaveLength(1);
  });

  it("an unknown key reads nothing", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in", true);
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "nope" });
    expect(h.broadcast).toEqual([]);
    expect(h.link.sent).toEqual([]);
  });

  it("configures a node that refuses the publish-options, then publishes without options if that fails too", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in");
    store.add(BOB, 2, "in");
    let configureFails = false;
    h.link.answer = (_type, child) => {
      if (child.attrs.xmlns === NS_PUBSUB && child.getChild("publish-options")) {
        throw new XMPPError("conflict", undefined, "precondition-not-met");
      }
      if (configureFails && child.getChild("configure")) throw new XMPPError("forbidden");
      return parseXml("<pubsub/>");
    };
    configureFails = true;
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "k1" });
    expect(
      h.link.iqs.map((q) =>
        q.child.getChild("configure") ? "configure" : q.child.getChild("publish-options") ? "options" : "plain",
      ),
    ).toEqual(["options", "configure", "plain"]);
    // What worked is remembered.
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "k2" });
    expect(h.link.iqs).toHaveLength(4);
    expect(h.link.iqs[3]?.child.getChild("publish-options")).toBeUndefined();
  });
});

describe("ReadStateFeature: incoming markers and positions", () => {
  it("the contact's displayed marker moves their read position of our messages (only ours to them)", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "out");
    store.add(BOB, 2, "in");
    store.add("eve@example.org", 3, "out");
    const displayed = (from: string, id: string) =>
      parseXml(`<message from="${from}" type="chat"><displayed xmlns="${NS_MARKERS}" id="${id}"/></message>`);
    expect(await feature.onStanza(displayed(`${BOB}/phone`, "s1"))).toBe(false);
    expect(await feature.onStanza(displayed(`${BOB}/phone`, "s2"))).toBe(false); // theirs
    expect(await feature.onStanza(displayed(`${BOB}/phone`, "s3"))).toBe(false); // ours to eve
    expect(await feature.onStanza(displayed("eve@example.org/x", "s1"))).toBe(false); // eve cannot read bob's
    expect(h.broadcast).toEqual([
      { type: "conversation", conversation: expect.objectContaining({ peer: BOB, peerReadTs: 10 }) },
    ]);
  });

  it("our own displayed marker from another client (sent carbon) moves our read position", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in");
    store.add(BOB, 2, "in");
    const carbon = parseXml(
      `<message from="${ME}" to="${ME}/parley"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0">` +
        `<message from="${ME}/phone" to="${BOB}" type="chat"><displayed xmlns="${NS_MARKERS}" id="s1"/></message>` +
        `</forwarded></sent></message>`,
    );
    await feature.onStanza(carbon);
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 10, unread: 1 });
    expect(h.link.sent).toEqual([]); // the other client marked it already
  });

  it("a flood of markers is bounded", async () => {
    const { h, store, feature } = setup();
    for (let i = 1; i <= 100; i++) store.add(BOB, i, "out");
    for (let i = 1; i <= 100; i++) {
      await feature.onStanza(
        parseXml(`<message from="${BOB}/p" type="chat"><displayed xmlns="${NS_MARKERS}" id="s${i}"/></message>`),
      );
    }
    expect(h.broadcast.length).toBeLessThan(50);
  });

  it("an MDS notification of our own moves the read position forward only, in that conversation only", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in");
    store.add(BOB, 2, "in");
    store.add("carol@example.org", 3, "in");
    expect(await feature.onStanza(mdsEvent(ME, BOB, "a2"))).toBe(true);
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 20, unread: 0 });
    expect(await feature.onStanza(mdsEvent(ME, BOB, "a1"))).toBe(true); // backwards
    expect(await feature.onStanza(mdsEvent(ME, BOB, "a3"))).toBe(true); // carol's message, bob's item
    expect(await feature.onStanza(mdsEvent("eve@example.org", "carol@example.org", "a3"))).toBe(true);
    expect(await feature.onStanza(mdsEvent(ME, BOB, "unknown"))).toBe(true);
    expect(h.broadcast).toHaveLength(1);
    expect(store.conversations.get("carol@example.org")?.readTs).toBeUndefined();
  });

  it("fetches the positions after a fresh login; a missing node is no error", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in");
    store.add(BOB, 2, "in");
    h.link.answer = () =>
      parseXml(
        `<iq type="result"><pubsub xmlns="${NS_PUBSUB}"><items node="${MDS_NODE}"><item id="${BOB}">` +
          `<displayed xmlns="${NS_MDS}"><stanza-id xmlns="urn:xmpp:sid:0" by="${ME}" id="a1"/></displayed>` +
          `</item></items></pubsub></iq>`,
      );
    await feature.onLogin(h.link);
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 10, unread: 1 });
    h.link.answer = () => {
      throw new XMPPError("item-not-found");
    };
    await expect(feature.onLogin(h.link)).resolves.toBeUndefined();
  });
});

describe("ReadStateFeature: conversation.set", () => {
  it("pins, mutes and hides for every tab", async () => {
    const { h, feature } = setup();
    await feature.frames["conversation.set"](h.ws, { type: "conversation.set", peer: BOB, pinned: true, muted: true });
    await feature.frames["conversation.set"](h.ws, { type: "conversation.set", peer: BOB, muted: false, hidden: true });
    expect(h.broadcast.at(-1)).toEqual({
      type: "conversation",
      conversation: { peer: BOB, lastTs: 0, lastBody: "", unread: 0, pinned: true, hidden: true },
    });
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ pinned: true, hidden: true });
  });
});

describe("ReadStateFeature: markers from the archive, positions waiting for their message, reads kept across restarts", () => {
  it("applies archived markers with the live rules: the right sender, the right direction, forward only", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "out");
    store.add(BOB, 2, "in");
    store.add(BOB, 3, "out");
    store.add(BOB, 4, "in");
    store.add("eve@example.org", 5, "out");
    await feature.applyArchived([
      { peer: BOB, id: "s1", ours: false }, // bob read our s1
      { peer: BOB, id: "s3", ours: false }, // then our s3
      { peer: BOB, id: "s2", ours: false }, // s2 is bob's own message: no read of ours
      { peer: BOB, id: "s4", ours: true }, // another client of ours displayed bob's s4
      { peer: BOB, id: "s5", ours: false }, // s5 is ours to eve, not to bob
      { peer: BOB, id: "unknown", ours: true },
    ]);
    expect(store.conversations.get(BOB)).toMatchObject({ peerReadTs: 30, readTs: 40, unread: 0 });
    expect(store.conversations.get("eve@example.org")?.peerReadTs).toBeUndefined();
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ peerReadTs: 30, readTs: 40 });
    expect(h.broadcast).toHaveLength(2);
    // An older page's markers move nothing back.
    await feature.applyArchived([
      { peer: BOB, id: "s1", ours: false },
      { peer: BOB, id: "s2", ours: true },
    ]);
    expect(store.conversations.get(BOB)).toMatchObject({ peerReadTs: 30, readTs: 40 });
    expect(h.broadcast).toHaveLength(2);
    expect(h.link.sent).toEqual([]); // nothing is announced: these reads happened elsewhere
  });

  it("an MDS position whose message is not stored yet waits for it, one per conversation, and applies when stored", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in");
    store.add(BOB, 2, "in");
    await feature.onStanza(mdsEvent(ME, BOB, "a4")); // not stored yet
    await feature.onStanza(mdsEvent(ME, BOB, "a5")); // a newer item replaces it
    expect(h.broadcast).toEqual([]);
    expect([...h.storage.map.keys()].filter((k) => k.startsWith("mds-waiting:"))).toEqual([`mds-waiting:${BOB}`]);
    // Messages are stored (a catch-up page, a hole filled): a4 moves nothing any more, a5 does.
    store.add(BOB, 3, "in", false, false);
    store.add(BOB, 4, "in");
    await feature.stored([{ peer: BOB, archiveId: "a4", ts: 40 }]);
    expect(h.broadcast).toEqual([]);
    store.add(BOB, 5, "in");
    store.add(BOB, 6, "in");
    await feature.stored([
      { peer: BOB, archiveId: "a5", ts: 50 },
      { peer: BOB, archiveId: "a6", ts: 60 },
    ]);
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 50, unread: 1 });
    expect(h.storage.map.has(`mds-waiting:${BOB}`)).toBe(false);
    // A position naming a message of another conversation is no position: it does not wait.
    store.add("carol@example.org", 7, "in");
    await feature.onStanza(mdsEvent(ME, BOB, "a7"));
    expect(h.storage.map.has(`mds-waiting:${BOB}`)).toBe(false);
  });

  it("a waiting position survives a restart; a newer stored position makes it moot", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in");
    await feature.onStanza(mdsEvent(ME, BOB, "a3"));
    const again = new ReadStateFeature(h.ctx, store);
    await again.load();
    store.add(BOB, 2, "in");
    store.add(BOB, 3, "in");
    await again.stored([{ peer: BOB, archiveId: "a3", ts: 30 }]);
    expect(h.ctx.state.conversations.get(BOB)).toMatchObject({ readTs: 30, unread: 0 });

    await again.onStanza(mdsEvent(ME, BOB, "a9"));
    expect(h.storage.map.has(`mds-waiting:${BOB}`)).toBe(true);
    await again.onStanza(mdsEvent(ME, BOB, "a2")); // the current item names a stored message
    expect(h.storage.map.has(`mds-waiting:${BOB}`)).toBe(false);
  });

  it("a read made offline is announced after a restart (the marker and the MDS item), once", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in", true);
    store.add(BOB, 2, "in", true);
    store.add("carol@example.org", 3, "in", true);
    h.link.online = false;
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB, key: "k1" });
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB });
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: "carol@example.org" });
    // The object goes away before the link is back: a new one reads what the old one left in storage.
    const restarted = new ReadStateFeature(h.ctx, store);
    await restarted.load();
    h.link.online = true;
    await restarted.onOnline();
    expect(h.link.sent.map((m) => [m.attrs.to, m.getChild("displayed", NS_MARKERS)?.attrs.id])).toEqual([
      [BOB, "s2"],
      ["carol@example.org", "s3"],
    ]);
    expect(h.link.iqs.map((q) => q.child.getChild("publish")?.getChild("item")?.attrs.id)).toEqual([
      BOB,
      "carol@example.org",
    ]);
    expect([...h.storage.map.keys()].filter((k) => k.startsWith("unannounced:"))).toEqual([]);
    await restarted.onOnline();
    expect(h.link.sent).toHaveLength(2);
  });

  it("an announcement that fails again waits for the next connect", async () => {
    const { h, store, feature } = setup();
    store.add(BOB, 1, "in", true);
    h.link.online = false;
    await feature.frames["conversation.read"](h.ws, { type: "conversation.read", peer: BOB });
    h.link.online = true;
    h.link.failSend = true;
    await feature.onOnline();
    expect(h.storage.map.has(`unannounced:${BOB}`)).toBe(true);
    h.link.failSend = false;
    await feature.onOnline();
    expect(h.link.sent.map((m) => m.getChild("displayed", NS_MARKERS)?.attrs.id)).toEqual(["s1"]);
    expect(h.storage.map.has(`unannounced:${BOB}`)).toBe(false);
  });
});
