import { SELF, env, runInDurableObject } from "cloudflare:test";
import type { TestUserSession as UserSession } from "./test-worker.ts";
import { describe, expect, it } from "vitest";
import { BASE, login, openTab } from "./helpers.ts";

describe("sign-in", () => {
  it("signs in with the right password and sets a strict, HttpOnly session cookie", async () => {
    const res = await SELF.fetch(`${BASE}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: "carol@localhost", password: "parley" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jid: "carol@localhost" });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^parley_session=[A-Za-z0-9_-]{43};/u);
    expect(cookie).toMatch(/HttpOnly/iu);
    expect(cookie).toMatch(/SameSite=Strict/iu);
    // Only the token's hash is stored.
    const token = cookie.split(";")[0]?.split("=")[1] ?? "";
    const rows = await env.DB.prepare("SELECT token_hash FROM sessions").all<{ token_hash: string }>();
    expect(rows.results.some((r) => r.token_hash === token)).toBe(false);
    const me = await SELF.fetch(`${BASE}/api/auth/me`, { headers: { Cookie: cookie.split(";")[0] ?? "" } });
    expect(await me.json()).toEqual({ jid: "carol@localhost" });
  });

  it("refuses a wrong password with a clear message and leaves nothing behind", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM sessions").first<{ n: number }>();
    const res = await login("dave", "wrong-password");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "Wrong address or password." });
    expect(res.cookie).toBe("");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM sessions").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("says so when the XMPP server cannot be reached, and keeps nothing", async () => {
    const stub = env.USER_SESSION.getByName("oscar@localhost");
    const result = await stub.login({
      jid: "oscar@localhost",
      password: "parley",
      service: "ws://127.0.0.1:9/xmpp-websocket",
      domain: "localhost",
    });
    expect(result).toEqual({
      ok: false,
      condition: "connection-failed",
      message: "The XMPP server cannot be reached right now.",
    });
    const kept = await runInDurableObject(stub, async (_i: UserSession, state) => (await state.storage.list()).size);
    expect(kept).toBe(0);
  });

  it("refuses other domains unless allowed", async () => {
    const res = await login("mallory@example.org");
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "This server only signs in accounts of localhost." });
  });

  it("refuses malformed bodies", async () => {
    const res = await SELF.fetch(`${BASE}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Send a JSON body with address and password." });
  });

  it("never lets one user's cookie reach another user's session", async () => {
    const alice = await login("erin");
    expect(alice.status).toBe(200);
    const res = await SELF.fetch(`${BASE}/api/socket?jid=frank@localhost`, {
      headers: { Upgrade: "websocket", Cookie: alice.cookie },
    });
    expect(res.status).toBe(403);
    const anon = await SELF.fetch(`${BASE}/api/socket`, { headers: { Upgrade: "websocket" } });
    expect(anon.status).toBe(401);
    // The object itself refuses a socket for an account it does not hold.
    const stub = env.USER_SESSION.getByName("frank@localhost");
    const direct = await stub.fetch("http://do/", {
      headers: { Upgrade: "websocket", "x-parley-jid": "erin@localhost" },
    });
    expect(direct.status).toBe(403);
    const tab = await openTab(alice.cookie);
    const snap = await tab.waitFor((f) => f.type === "snapshot");
    expect(snap.type === "snapshot" && snap.self.jid).toBe("erin@localhost");
    tab.close();
  });

  it("serves pages with a CSP that forbids inline script", async () => {
    const res = await SELF.fetch(`${BASE}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
  });
});
