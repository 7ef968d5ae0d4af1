import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isMessage, login, openTab, peer } from "./helpers.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";

describe("the shared session", () => {
  it("fans a message out to every tab, once, and stores it", async () => {
    const alice = await login("alice");
    expect(alice.status).toBe(200);
    const tab1 = await openTab(alice.cookie);
    const tab2 = await openTab(alice.cookie);
    await tab1.waitFor((f) => f.type === "snapshot");
    await tab2.waitFor((f) => f.type === "snapshot");
    const bob = await peer("bob");
    const body = `hello ${crypto.randomUUID()}`;
    await bob.send("alice@localhost", body);
    const [m1, m2] = await Promise.all([tab1.waitFor(isMessage(body)), tab2.waitFor(isMessage(body))]);
    expect(m1.message.peer).toBe("bob@localhost");
    expect(m1.message.direction).toBe("in");
    expect(m2.message.key).toBe(m1.message.key);
    expect(m1.conversation.unread).toBeGreaterThan(0);

    // Alice answers from tab 2: tab 1 sees it too, with the request id only meaningful to tab 2.
    tab2.send({ type: "message.send", requestId: "r1", to: "bob@localhost", body: "hi bob" });
    const echoed = await tab1.waitFor(isMessage("hi bob"));
    expect(echoed.message.direction).toBe("out");
    expect(echoed.requestId).toBe("r1");

    // Persistence is batched (≤ 1 s); reading history flushes first.
    tab1.send({ type: "history.load", requestId: "h1", peer: "bob@localhost", before: null });
    const page = await tab1.waitFor((f) => f.type === "history" && f.requestId === "h1");
    expect(page.type === "history" && page.messages.map((m) => m.body)).toEqual(
      expect.arrayContaining([body, "hi bob"]),
    );
    const count = tab1.frames.filter(isMessage(body)).length;
    expect(count).toBe(1);
    tab1.close();
    tab2.close();
    await bob.close();
  });

  it("after an eviction, a message sent meanwhile arrives exactly once", async () => {
    const grace = await login("grace");
    expect(grace.status).toBe(200);
    const stub = env.USER_SESSION.getByName("grace@localhost");
    const tab = await openTab(grace.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    tab.close();
    // "Close the socket, evict the object": the XMPP socket drops as on a network failure (the server keeps
    // the stream resumable), then the instance and its memory go; storage stays.
    await runInDurableObject(stub, async (instance: UserSession) => {
      await instance.dropConnectionForTests();
    });
    await evictDurableObject(stub, { webSockets: "close" });

    const heidi = await peer("heidi");
    const body = `while you were away ${crypto.randomUUID()}`;
    await heidi.send("grace@localhost", body);

    // A new tab wakes the object: it resumes (XEP-0198) or logs in again and catches up (XEP-0313).
    const tab2 = await openTab(grace.cookie);
    const got = await tab2.waitFor(isMessage(body), 20_000);
    expect(got.message.peer).toBe("heidi@localhost");
    await runInDurableObject(stub, async (instance: UserSession) => {
      await instance.settleForTests();
    });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE owner = ? AND body = ?")
      .bind("grace@localhost", body)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
    // Give any duplicate (resent stanza + archive copy) the chance to show up, then count frames.
    tab2.send({ type: "ping" });
    await tab2.waitFor((f) => f.type === "pong");
    expect(tab2.frames.filter(isMessage(body)).length).toBe(1);
    tab2.close();
    await heidi.close();
  });

  it("when the stream cannot be resumed, logs in again and catches up from the archive, exactly once", async () => {
    const carol = await login("carol");
    expect(carol.status).toBe(200);
    const stub = env.USER_SESSION.getByName("carol@localhost");
    const tab = await openTab(carol.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const dave = await peer("dave");
    const first = `before ${crypto.randomUUID()}`;
    await dave.send("carol@localhost", first);
    await tab.waitFor(isMessage(first));
    tab.close();
    await runInDurableObject(stub, async (instance: UserSession, state) => {
      await instance.dropConnectionForTests();
      // The server forgot the stream (hibernation timeout, server restart): resumption will fail.
      await state.storage.put("sm", { id: "gone", inbound: 0, outbound: 0, jid: "carol@localhost/gone" });
    });
    await evictDurableObject(stub, { webSockets: "close" });

    const missed = `missed ${crypto.randomUUID()}`;
    await dave.send("carol@localhost", missed);
    const tab2 = await openTab(carol.cookie);
    const got = await tab2.waitFor(isMessage(missed), 20_000);
    expect(got.message.peer).toBe("dave@localhost");
    await runInDurableObject(stub, async (instance: UserSession) => {
      await instance.settleForTests();
    });
    for (const body of [first, missed]) {
      const row = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE owner = ? AND body = ?")
        .bind("carol@localhost", body)
        .first<{ n: number }>();
      expect(row?.n).toBe(1);
    }
    tab2.send({ type: "ping" });
    await tab2.waitFor((f) => f.type === "pong");
    expect(tab2.frames.filter(isMessage(missed)).length).toBe(1);
    expect(tab2.frames.filter(isMessage(first)).length).toBe(0);
    tab2.close();
    await dave.close();
  });
});
