// Issue #6: the review's probes against the Worker and the object, each with the refusal it should get.
import {
  SELF,
  createExecutionContext,
  createScheduledController,
  env,
  evictDurableObject,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, inject, it, vi } from "vitest";
import worker from "../../src/worker/index.ts";
import { LOGIN_LIMITS } from "../../src/worker/limits.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";
import { TAB_RATE } from "../../src/durable/rate.ts";
import { BASE, isMessage, login, openTab, peer, signedInTab } from "./helpers.ts";
import { hashToken } from "../../src/worker/middleware/session.ts";

const uniqueIp = (): string => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

function loginRequest(init: RequestInit & { address?: string; password?: string }): Request {
  const { address = "yuri@localhost", password = "parley", ...rest } = init;
  return new Request(`${BASE}/api/auth/login`, {
    method: "POST",
    body: JSON.stringify({ address, password }),
    ...rest,
  });
}

async function setPassword(user: string, password: string): Promise<void> {
  const res = await fetch(`${inject("prosodyControl")}/password`, {
    method: "POST",
    body: JSON.stringify({ user, password }),
  });
  expect(res.status).toBe(204);
}

describe("login CSRF (issue #6 §4)", () => {
  it("refuses a cross-site text/plain or form POST, and JSON from another origin", async () => {
    const ip = uniqueIp();
    const probes: RequestInit[] = [
      { headers: { "content-type": "text/plain", origin: "https://evil.example", "CF-Connecting-IP": ip } },
      {
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "cross-site",
          "CF-Connecting-IP": ip,
        },
      },
      { headers: { "content-type": "text/plain", "CF-Connecting-IP": ip } },
      { headers: { "content-type": "application/json", origin: "https://evil.example", "CF-Connecting-IP": ip } },
      { headers: { "content-type": "application/json", "sec-fetch-site": "same-site", "CF-Connecting-IP": ip } },
    ];
    for (const init of probes) {
      const res = await SELF.fetch(loginRequest(init));
      expect([403, 415]).toContain(res.status);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    // Our own page: same origin, JSON.
    const ok = await SELF.fetch(
      loginRequest({
        headers: {
          "content-type": "application/json",
          origin: new URL(BASE).origin,
          "sec-fetch-site": "same-origin",
          "CF-Connecting-IP": ip,
        },
      }),
    );
    expect(ok.status).toBe(200);
  });
});

describe("headers (issue #6 §12)", () => {
  it("API answers are never cached; a permissions policy everywhere; no HSTS on loopback http", async () => {
    const me = await SELF.fetch(`${BASE}/api/auth/me`);
    expect(me.status).toBe(401);
    expect(me.headers.get("cache-control")).toBe("no-store");
    expect(me.headers.get("permissions-policy")).toContain("camera=()");
    expect(me.headers.get("strict-transport-security")).toBeNull();
  });

  it("over https: HSTS, and the session cookie is Secure with the __Host- prefix", async () => {
    const res = await SELF.fetch(
      new Request("https://chat.example.net/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json", "CF-Connecting-IP": uniqueIp() },
        body: JSON.stringify({ address: "xena@localhost", password: "parley" }),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/u);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-parley_session=/u);
    expect(cookie).toMatch(/Secure/u);
    expect(cookie).toMatch(/Path=\//u);
    expect(cookie).not.toMatch(/Domain=/iu);
    // The prefixed cookie is the one read over https.
    const me = await SELF.fetch("https://chat.example.net/api/auth/me", {
      headers: { cookie: cookie.split(";")[0] ?? "" },
    });
    expect(await me.json()).toEqual({ jid: "xena@localhost" });
  });
});

describe("PARLEY_SECRET (issue #6 §11)", () => {
  it("missing or short: sign-in answers 503 before any object or connection, without internal text", async () => {
    for (const secret of ["", "short"]) {
      const res = await worker.fetch(
        loginRequest({ headers: { "content-type": "application/json" }, address: "zoe@localhost" }),
        { ...env, PARLEY_SECRET: secret },
        createExecutionContext(),
      );
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: "Sign-in is not available on this server right now." });
    }
    const stub = env.USER_SESSION.getByName("zoe@localhost");
    const kept = await runInDurableObject(stub, async (_i: UserSession, state) => (await state.storage.list()).size);
    expect(kept).toBe(0);
  });
});

describe("sign-in limits (issue #6 §3)", () => {
  it("100 parallel wrong guesses: at most the per-account limit reach the server, the rest wait", async () => {
    const ip = uniqueIp();
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () => login("wendy", "guess-wrong", ip).then((r) => r.status)),
    );
    const reached = statuses.filter((s) => s === 401).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(reached).toBeLessThanOrEqual(LOGIN_LIMITS.perAccount.max);
    expect(reached + limited).toBe(100);
    // After the failures, even the right password from another address waits (exponential delay per account).
    const res = await SELF.fetch(
      loginRequest({
        headers: { "content-type": "application/json", "CF-Connecting-IP": uniqueIp() },
        address: "wendy@localhost",
      }),
    );
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("caps attempts per address and new accounts (new objects) per address", async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.newAccountsPerIp.max + 2; i++) {
      statuses.push((await login(`nobody-${crypto.randomUUID().slice(0, 8)}`, "x", ip)).status);
    }
    expect(statuses.slice(0, LOGIN_LIMITS.newAccountsPerIp.max).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(LOGIN_LIMITS.newAccountsPerIp.max)).toEqual([429, 429]);
    // A refused address never got an object that kept anything.
    const stub = env.USER_SESSION.getByName("nobody@localhost");
    const kept = await runInDurableObject(stub, async (_i: UserSession, state) => (await state.storage.list()).size);
    expect(kept).toBe(0);
  });
});

describe("passwords changed on the server (issue #6 §1, §5)", () => {
  it("the old password no longer signs in while the link is up; the new one does and revokes older sessions", async () => {
    const { cookie: firstCookie } = await signedInTab("tina");
    await setPassword("tina", "tina-new-password");
    try {
      // The object is online with the old password cached: it must ask the server anyway.
      const old = await login("tina");
      expect(old.status).toBe(401);
      expect(old.cookie).toBe("");
      const fresh = await login("tina", "tina-new-password");
      expect(fresh.status).toBe(200);
      // The browser signed in with the old password is signed out.
      const me = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: firstCookie } });
      expect(me.status).toBe(401);
      const meFresh = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: fresh.cookie } });
      expect(meFresh.status).toBe(200);
    } finally {
      await setPassword("tina", "parley");
    }
  });

  it("a reconnect refused with not-authorized stops, forgets the password, voids sessions, closes tabs", async () => {
    const { cookie: umaCookie, tab } = await signedInTab("uma");
    const stub = env.USER_SESSION.getByName("uma@localhost");
    tab.close();
    await setPassword("uma", "uma-new-password");
    await runInDurableObject(stub, async (instance: UserSession, state) => {
      await instance.dropConnectionForTests();
      // The server forgot the stream: the object must log in again, with the stored (now wrong) password.
      await state.storage.put("sm", { id: "gone", inbound: 0, outbound: 0, jid: "uma@localhost/gone" });
    });
    await evictDurableObject(stub, { webSockets: "close" });
    const tab2 = await openTab(umaCookie);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      tab2.ws.addEventListener("close", (ev) => resolve({ code: ev.code, reason: ev.reason }));
    });
    expect(closed).toEqual({ code: 4001, reason: "signed out: password changed" });
    const me = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: umaCookie } });
    expect(me.status).toBe(401);
    const stored = await runInDurableObject(stub, async (_i: UserSession, state) => ({
      creds: await state.storage.get("creds"),
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored).toEqual({ creds: undefined, alarm: null });
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE jid = ?")
      .bind("uma@localhost")
      .first<{ n: number }>();
    expect(sessions?.n).toBe(0);
    await setPassword("uma", "parley");
  });
});

describe("identity is the bound JID (issue #6 §8)", () => {
  it("an address the server maps to another account is refused, never a second identity", async () => {
    // Prosody 0.12 (nodeprep) authenticates straße as strasse and binds strasse@localhost: refused with the
    // address to use. Prosody 13 refuses the name itself. Either way no session and no second object.
    const res = await login("straße@localhost");
    expect(res.cookie).toBe("");
    expect([401, 409, 502]).toContain(res.status);
    if (res.status === 409) {
      expect(res.body).toEqual({
        error: "This account's address is strasse@localhost. Sign in with that address.",
      });
    }
    const other = env.USER_SESSION.getByName("straße@localhost");
    const kept = await runInDurableObject(other, async (_i: UserSession, state) => (await state.storage.list()).size);
    expect(kept).toBe(0);
  });

  it("a fullwidth address signs in as the same account, not a second identity", async () => {
    const res = await login("ｖictor@localhost");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jid: "victor@localhost" });
    const me = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: res.cookie } });
    expect(await me.json()).toEqual({ jid: "victor@localhost" });
    const other = env.USER_SESSION.getByName("ｖictor@localhost");
    const kept = await runInDurableObject(other, async (_i: UserSession, state) => (await state.storage.list()).size);
    expect(kept).toBe(0);
  });
});

describe("a tab cannot flood the XMPP server (issue #6 §6)", () => {
  it("1,000 history.load frames for distinct peers: most refused, archive queries bounded, the link stays up", async () => {
    const { tab } = await signedInTab("xena");
    const started = Date.now();
    for (let i = 0; i < 1000; i++) {
      tab.send({ type: "history.load", requestId: `f${i}`, peer: `peer${i}@localhost`, before: null });
    }
    await vi.waitFor(
      () => {
        // Each request gets exactly one answer: its history page, or an error.
        const answered = tab.frames.filter((f) => f.type === "history" || f.type === "error").length;
        expect(answered).toBeGreaterThanOrEqual(1000);
      },
      { timeout: 30_000, interval: 200 },
    );
    const seconds = (Date.now() - started) / 1000;
    const histories = tab.frames.filter((f) => f.type === "history").length;
    const limited = tab.frames.filter((f) => f.type === "error" && f.code === "rate-limited").length;
    // The burst, plus what refilled while the frames went in (sending 1,000 frames takes a few seconds here).
    expect(histories).toBeLessThanOrEqual(TAB_RATE.capacity + Math.ceil(TAB_RATE.perSecond * seconds));
    expect(histories + limited).toBe(1000);
    expect(limited).toBeGreaterThan(500);
    expect(tab.frames.some((f) => f.type === "connection" && f.state !== "online")).toBe(false);
    // The link is still up: a message goes out and arrives.
    const yuri = await peer("yuri");
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the bucket refill a little
    tab.send({ type: "message.send", requestId: "after", to: "yuri@localhost", body: "still here" });
    await vi.waitFor(() => expect(yuri.bodies).toContain("still here"), { timeout: 10_000 });
    await yuri.close();
    tab.close();
  });
});

describe("sessions (issue #6 §12)", () => {
  it("end after two weeks unused, and the hourly cron purges expired rows and old counters", async () => {
    const res = await login("fay");
    expect(res.status).toBe(200);
    const tokenHash = await hashToken(res.cookie.split("=")[1] ?? "");
    const day = 24 * 3600_000;
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 15 * day, tokenHash)
      .run();
    const me = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: res.cookie } });
    expect(me.status).toBe(401);
    await env.DB.prepare("INSERT INTO rate_counters (key, window, count) VALUES ('old', ?, 1)")
      .bind(Date.now() - 2 * day)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const left = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM sessions WHERE token_hash = ?) AS s, (SELECT count(*) FROM rate_counters WHERE key = 'old') AS r",
    )
      .bind(tokenHash)
      .first<{ s: number; r: number }>();
    expect(left).toEqual({ s: 0, r: 0 });
  });

  it("sign-out can also delete the account's history on this deployment", async () => {
    const { cookie: eveCookie, tab } = await signedInTab("eve");
    const fay = await peer("fay");
    const body = `to be forgotten ${crypto.randomUUID()}`;
    await fay.send("eve@localhost", body);
    await tab.waitFor(isMessage(body));
    tab.send({ type: "history.load", requestId: "h", peer: "fay@localhost", before: null }); // flushes storage
    await tab.waitFor((f) => f.type === "history");
    const count = async (): Promise<number> =>
      (
        await env.DB.prepare(
          "SELECT (SELECT count(*) FROM messages WHERE owner = ?1) + (SELECT count(*) FROM conversations WHERE owner = ?1) AS n",
        )
          .bind("eve@localhost")
          .first<{ n: number }>()
      )?.n ?? -1;
    expect(await count()).toBeGreaterThan(0);
    const out = await SELF.fetch(`${BASE}/api/auth/logout`, {
      method: "POST",
      headers: { Cookie: eveCookie, "content-type": "application/json" },
      body: JSON.stringify({ deleteHistory: true }),
    });
    expect(out.status).toBe(204);
    expect(await count()).toBe(0);
    await fay.close();
  });
});

describe("what a tab hands over for XML (issue #6 §9)", () => {
  it("refuses a U+0001 item id and an element nested in <key>; the stream lives on", async () => {
    const { tab } = await signedInTab("eve");
    const NS = "eu.siacs.conversations.axolotl";
    tab.send({
      type: "pep.publish",
      requestId: "p1",
      node: `${NS}.devicelist`,
      itemId: "cur\u0001rent",
      payload: `<list xmlns="${NS}"><device id="1"/></list>`,
    });
    await tab.waitFor((f) => f.type === "error" && f.code === "bad-frame" && f.requestId === "p1");
    tab.send({
      type: "message.send-encrypted",
      requestId: "e1",
      to: "fay@localhost",
      encrypted: `<encrypted xmlns="${NS}"><header sid="1"><key rid="2">AAAA<body xmlns="jabber:client">clear</body></key><iv>AAAAAAAAAAAAAAAA</iv></header><payload>AAAA</payload></encrypted>`,
    });
    await tab.waitFor((f) => f.type === "error" && f.code === "bad-encrypted" && f.requestId === "e1");
    tab.send({ type: "message.send", requestId: "m1", to: "fay@localhost", body: "still connected" });
    await tab.waitFor(isMessage("still connected"));
    expect(tab.frames.some((f) => f.type === "connection" && f.state !== "online")).toBe(false);
    tab.close();
  });
});
