// Group chats (issue #8) against a real Prosody: rooms made and spoken in by an independent XMPP client (the
// peer), joined, left and bookmarked by the object, followed when another client of the same account changes the
// bookmarks, and never left silently.
import { createRoom, newRoom } from "./rooms.ts";
import { env, runInDurableObject } from "cloudflare:test";
import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../src/protocol/index.ts";
import {
  buildBookmarkPublish,
  buildBookmarksFetch,
  parseBookmarksItems,
  type Bookmark,
} from "../../src/xmpp/bookmarks.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import { buildSetRole } from "../../src/xmpp/muc.ts";
import { goAway, isMessage, openTab, peer, readAll, signedInTab, until, type Peer, type Tab } from "./helpers.ts";
import type { TestUserSession } from "./test-worker.ts";

async function say(p: Peer, room: string, body: string): Promise<void> {
  await p.link.send(buildGroupchat(room, body, crypto.randomUUID()));
}

async function roundTrip(tab: Tab): Promise<void> {
  const before = tab.frames.length;
  tab.send({ type: "ping" });
  await tab.waitFor((f) => f.type === "pong" && tab.frames.indexOf(f) >= before);
}

const acked = (requestId: string) => (f: ServerFrame) => f.type === "ack" && f.requestId === requestId;

/** Polls an asynchronous `probe` until it gives a value. */
async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function bookmarksOf(p: Peer): Promise<Bookmark[]> {
  return parseBookmarksItems(await p.link.iq("get", buildBookmarksFetch()));
}

describe("group chats (XEP-0045) and bookmarks (XEP-0402)", () => {
  it("joins a peer's room, reads its archive and live messages, sends, leaves; the bookmark follows", async () => {
    const bo = await peer("muc-bo");
    const room = newRoom("r1");
    const atBo = await createRoom(bo, room, "bo");
    for (let i = 0; i < 3; i++) await say(bo, room, `before ${i}`);
    await bo.link.iq("get", xml("ping", { xmlns: "urn:xmpp:ping" }));

    const { tab } = await signedInTab("muc-ann");
    tab.send({ type: "room.join", requestId: "j1", room });
    await tab.waitFor(acked("j1"));
    const joined = await tab.waitForRoom((r) => r.room === room && r.state === "joined");
    expect(joined).toMatchObject({ nick: "muc-ann", kind: "channel", participants: 2, role: "participant" });

    // The room's archive (first join: the latest page), with the sender's nickname.
    const archived = await tab.waitFor(isMessage("before 2"));
    expect(archived.message.from?.nick).toBe("bo");
    expect(archived.message.direction).toBe("in");
    expect(archived.conversation.kind).toBe("room");

    await say(bo, room, "live one");
    const live = await tab.waitFor(isMessage("live one"));
    expect(live.message).toMatchObject({ peer: room, direction: "in", from: { nick: "bo" } });

    // Ours: reflected by the room once, stored as ours.
    tab.send({ type: "message.send", requestId: "s1", to: room, body: "hello room" });
    const mine = await tab.waitFor((f) => f.type === "message" && f.requestId === "s1");
    expect(mine.type === "message" && mine.message.direction).toBe("out");
    await until("bo got it", () => atBo.find((s) => s.getChildText("body") === "hello room"));
    await roundTrip(tab);
    expect(tab.frames.filter(isMessage("hello room"))).toHaveLength(1);

    tab.send({ type: "history.load", requestId: "h1", peer: room, before: null });
    const page = await tab.waitFor((f) => f.type === "history" && f.requestId === "h1");
    const bodies = page.type === "history" ? page.messages.map((m) => [m.body, m.from?.nick, m.direction]) : [];
    expect(bodies).toEqual([
      ["before 0", "bo", "in"],
      ["before 1", "bo", "in"],
      ["before 2", "bo", "in"],
      ["live one", "bo", "in"],
      ["hello room", "muc-ann", "out"],
    ]);

    // Joining added a bookmark with autojoin; leaving turns autojoin off and the room stays, "left".
    const phone = await peer("muc-ann");
    const mark = await poll("the bookmark", async () => (await bookmarksOf(phone)).find((b) => b.room === room));
    expect(mark).toMatchObject({ autojoin: true, nick: "muc-ann" });
    tab.send({ type: "room.leave", requestId: "l1", room });
    await tab.waitFor(acked("l1"));
    await tab.waitForRoom((r) => r.room === room && r.state === "left");
    await until("bo saw ann leave", () =>
      atBo.find((s) => s.name === "presence" && s.attrs.from === `${room}/muc-ann` && s.attrs.type === "unavailable"),
    );
    await poll("autojoin off", async () =>
      (await bookmarksOf(phone)).find((b) => b.room === room)?.autojoin === false ? true : undefined,
    );
    tab.close();
    await phone.close();
    await bo.close();
  });

  it("rejoins its autojoin rooms after the object restarts to a fresh login", async () => {
    const bo = await peer("muc-bo");
    const room = newRoom("r2");
    const atBo = await createRoom(bo, room, "bo");
    const { cookie, tab } = await signedInTab("muc-cy");
    tab.send({ type: "room.join", requestId: "j2", room, nick: "cy" });
    await tab.waitForRoom((r) => r.room === room && r.state === "joined" && r.autojoin);
    tab.close();
    const joins = () =>
      atBo.filter((s) => s.name === "presence" && s.attrs.from === `${room}/cy` && s.attrs.type === undefined).length;
    await until("cy in the room", () => (joins() >= 1 ? true : undefined));
    const before = joins();

    await goAway("muc-cy@localhost");
    const again = await openTab(cookie);
    const snapshot = await again.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    expect(snapshot.type === "snapshot" && snapshot.rooms?.some((r) => r.room === room)).toBe(true);
    const back = await again.waitForRoom((r) => r.room === room && r.state === "joined");
    expect(back).toMatchObject({ nick: "cy", autojoin: true });
    await until("cy back in the room", () => (joins() > before ? true : undefined));
    again.close();
    await bo.close();
  });

  it("follows bookmarks published by the user's other client: autojoin joins, autojoin off leaves", async () => {
    const bo = await peer("muc-bo");
    const room = newRoom("r3");
    await createRoom(bo, room, "bo");
    const { tab } = await signedInTab("muc-dee");
    const phone = await peer("muc-dee");
    const bookmark: Bookmark = { room, autojoin: true, nick: "dee-web", extensions: "<x xmlns='urn:example:kept'/>" };
    await phone.link.iq("set", buildBookmarkPublish(bookmark));
    const joined = await tab.waitForRoom((r) => r.room === room && r.state === "joined");
    expect(joined.nick).toBe("dee-web");

    await phone.link.iq("set", buildBookmarkPublish({ ...bookmark, autojoin: false }));
    await tab.waitForRoom((r) => r.room === room && r.state === "left" && !r.autojoin);
    // Our own publishes keep the other client's extension.
    tab.send({ type: "room.join", requestId: "j3", room });
    await tab.waitFor(acked("j3"));
    const mark = await poll("autojoin on again", async () =>
      (await bookmarksOf(phone)).find((b) => b.room === room && b.autojoin),
    );
    expect(mark.extensions).toContain("urn:example:kept");
    tab.close();
    await phone.close();
    await bo.close();
  });

  it("shows a kick with its reason, rejoins after a removal it did not ask for, answers self-pings", async () => {
    const bo = await peer("muc-bo");
    const room = newRoom("r4");
    await createRoom(bo, room, "bo");
    const { tab } = await signedInTab("muc-ann");
    tab.send({ type: "room.join", requestId: "j4", room, nick: "ann" });
    await tab.waitForRoom((r) => r.room === room && r.state === "joined");

    // XEP-0045 §8.2: a moderator kicks us: state "error" with the reason, not rejoined.
    await bo.link.iq("set", buildSetRole("ann", "none", "too loud"), room);
    const kicked = await tab.waitForRoom((r) => r.room === room && r.state === "error");
    expect(kicked.error).toBe("kicked: too loud");

    tab.send({ type: "room.join", requestId: "j5", room, nick: "ann" });
    await tab.waitFor(acked("j5"));
    const stub = env.USER_SESSION.getByName("muc-ann@localhost");
    // XEP-0410 §3: in the room, the self-ping answers: nothing changes.
    const frames = tab.rooms.length;
    await runInDurableObject(stub, (instance: TestUserSession) => instance.pingRoomsForTests());
    await roundTrip(tab);
    expect(tab.rooms.slice(frames).map((f) => f.room.state)).toEqual([]);

    // Out of the room without a reason (as when the server cleans up a ghost): back in at once.
    await runInDurableObject(stub, (instance: TestUserSession) =>
      instance.sendForTests(`<presence to='${room}/ann' type='unavailable'/>`),
    );
    const count = tab.rooms.length;
    await until("rejoined", () =>
      tab.rooms.slice(count).some((f) => f.room.room === room && f.room.state === "joined") ? true : undefined,
    );
    await say(bo, room, "still there?");
    await tab.waitFor(isMessage("still there?"));
    tab.close();
    await bo.close();
  });

  it("catches up a room after a restart; the hole its capped catch-up leaves is filled as the history is read", async () => {
    const bo = await peer("muc-bo");
    const room = newRoom("r5");
    await createRoom(bo, room, "bo");
    const { cookie, tab } = await signedInTab("muc-eli");
    tab.send({ type: "room.join", requestId: "j6", room, nick: "eli" });
    await tab.waitForRoom((r) => r.room === room && r.state === "joined");
    await say(bo, room, "m0");
    await tab.waitFor(isMessage("m0"));
    tab.close();
    const stub = env.USER_SESSION.getByName("muc-eli@localhost");
    await runInDurableObject(stub, (instance: TestUserSession) => instance.settleForTests());
    await goAway("muc-eli@localhost");

    // While the object is away: more than one catch-up page (this account's catch-up reads one, then jumps).
    const total = 250;
    for (let i = 1; i <= total; i++) await say(bo, room, `m${i}`);
    await bo.link.iq("get", xml("ping", { xmlns: "urn:xmpp:ping" }));

    const again = await openTab(cookie);
    await again.waitFor(isMessage(`m${total}`), 30_000);
    // One page after the last id seen (Prosody pages 50 at most), then the present: the middle is a hole.
    expect(again.frames.some(isMessage("m50"))).toBe(true);
    expect(again.frames.some(isMessage("m120"))).toBe(false);
    const bodies = await readAll(again, room);
    expect(again.frames.some((f) => f.type === "history.progress" && f.peer === room)).toBe(true);
    expect(bodies).toEqual(Array.from({ length: total + 1 }, (_, i) => `m${i}`));
    again.close();
    await bo.close();
  });
});
