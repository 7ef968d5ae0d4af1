// Issue #6 §14-15: outgoing messages survive an eviction; stream resumption after many stanzas both ways.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it, vi } from "vitest";
import { ensureGeneration } from "../../src/db/auth.ts";
import { hashToken, newToken } from "../../src/worker/middleware/session.ts";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../src/db/schema.ts";
import type { SmState } from "../../src/durable/xmpp-link.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";
import { isMessage, openTab, peer, signedInTab } from "./helpers.ts";

async function freeze(frozen: boolean): Promise<void> {
  const res = await fetch(`${inject("prosodyControl")}/proxy`, { method: "POST", body: JSON.stringify({ frozen }) });
  expect(res.status).toBe(204);
}

/** Signs `jid` in through the freezable proxy and returns a session cookie for it. */
async function signInThroughProxy(jid: string): Promise<string> {
  const stub = env.USER_SESSION.getByName(jid);
  const result = await stub.login({ jid, password: "parley", service: inject("prosodyProxyWs"), domain: "localhost" });
  expect(result.ok).toBe(true);
  const token = newToken();
  const db = drizzle(env.DB, { schema });
  const generation = await ensureGeneration(db, jid, Date.now(), false);
  await env.DB.prepare(
    "INSERT INTO sessions (token_hash, jid, created_at, expires_at, last_seen_at, generation) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(await hashToken(token), jid, Date.now(), Date.now() + 3600_000, Date.now(), generation)
    .run();
  return `parley_session=${token}`;
}

describe("outgoing messages survive an eviction (issue #6 §14)", () => {
  it("sent, never acknowledged (the network died), the object evicted: the peer gets it exactly once", async () => {
    const cookie = await signInThroughProxy("amy@localhost");
    const stub = env.USER_SESSION.getByName("amy@localhost");
    const ben = await peer("ben");
    const tab = await openTab(cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");

    await freeze(true);
    const body = `through a dead network ${crypto.randomUUID()}`;
    tab.send({ type: "message.send", requestId: "m1", to: "ben@localhost", body });
    await tab.waitFor(isMessage(body));
    // The stanza's bytes are gone; the connection itself then drops as on a network failure (thawed first, so
    // the WebSocket can close at all) and the instance is evicted before any <a/> could come back.
    await freeze(false);
    await runInDurableObject(stub, async (instance: UserSession) => {
      await instance.dropConnectionForTests();
    });
    await evictDurableObject(stub, { webSockets: "close" });
    expect(ben.bodies).not.toContain(body);

    // A new tab wakes the object: it resumes (or logs in again) and sends what the server never got.
    const tab2 = await openTab(cookie);
    await tab2.waitFor((f) => f.type === "connection" && f.state === "online", 20_000);
    await vi.waitFor(() => expect(ben.bodies).toContain(body), { timeout: 15_000 });
    await vi.waitFor(
      async () => {
        const left = await runInDurableObject(
          stub,
          async (_i: UserSession, state) => (await state.storage.list({ prefix: "out:" })).size,
        );
        expect(left).toBe(0); // acknowledged this time
      },
      { timeout: 10_000 },
    );
    expect(ben.bodies.filter((b) => b === body)).toHaveLength(1);
    tab2.close();
    await ben.close();
  });
});

describe("stream resumption after many stanzas both ways (issue #6 §15)", () => {
  it("resumes the same stream after 200 in and 120 out, then carries on", async () => {
    const { cookie: calCookie, tab } = await signedInTab("cal");
    const stub = env.USER_SESSION.getByName("cal@localhost");
    const deb = await peer("deb");
    const tag = crypto.randomUUID().slice(0, 8);
    for (let i = 0; i < 200; i++) await deb.send("cal@localhost", `in ${tag} ${i}`);
    await tab.waitFor(isMessage(`in ${tag} 199`), 20_000);
    for (let i = 0; i < 120; i++) {
      tab.send({ type: "message.send", requestId: `o${i}`, to: "deb@localhost", body: `out ${tag} ${i}` });
      // Stay under the tab's frame rate (20/s, bursts of 50).
      if (i % 40 === 39) await tab.waitFor(isMessage(`out ${tag} ${i}`), 10_000);
      if (i % 40 === 39) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    await vi.waitFor(() => expect(deb.bodies.filter((b) => b.startsWith(`out ${tag}`))).toHaveLength(120), {
      timeout: 20_000,
    });
    const before = await runInDurableObject(stub, async (instance: UserSession, state) => {
      await instance.dropConnectionForTests();
      return state.storage.get<SmState>("sm");
    });
    expect(before?.id).toBeTruthy();
    await evictDurableObject(stub, { webSockets: "close" });

    const tab2 = await openTab(calCookie);
    await tab2.waitFor((f) => f.type === "connection" && f.state === "online", 20_000);
    const after = await runInDurableObject(stub, async (_i: UserSession, state) => state.storage.get<SmState>("sm"));
    // The same stream: resumed, not a fresh login (Prosody refuses a resumption whose counters are off).
    expect(after?.id).toBe(before?.id);
    await deb.send("cal@localhost", `after ${tag}`);
    await tab2.waitFor(isMessage(`after ${tag}`), 10_000);
    tab2.send({ type: "message.send", requestId: "last", to: "deb@localhost", body: `reply ${tag}` });
    await vi.waitFor(() => expect(deb.bodies).toContain(`reply ${tag}`), { timeout: 10_000 });
    expect(deb.bodies.filter((b) => b.startsWith(`out ${tag}`))).toHaveLength(120);
    tab2.close();
    await deb.close();
  });
});
