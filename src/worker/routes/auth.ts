import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { createSession, deleteSessionsOf } from "../../db/store.ts";
import { parseBareJid, splitJid } from "../../xmpp/jid.ts";
import { resolveService } from "../discovery.ts";
import type { AppEnv } from "../env.ts";
import { hashToken, newToken, requireSession, SESSION_COOKIE } from "../middleware/session.ts";

const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

const LoginBody = z.object({
  address: z.string().max(3071),
  password: z.string().min(1).max(1024),
});

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

export const auth = new Hono<AppEnv>()
  .post("/login", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HTTPException(400, { message: "Send a JSON body with address and password." });
    }
    const parsed = LoginBody.safeParse(body);
    if (!parsed.success) throw new HTTPException(400, { message: "Enter your address and password." });
    const jid = parseBareJid(parsed.data.address);
    if (!jid) throw new HTTPException(400, { message: "That is not an XMPP address (name@domain)." });
    const { domain } = splitJid(jid);
    const service = await resolveService(c.env, domain);
    const stub = c.env.USER_SESSION.getByName(jid);
    const result = await stub.login({ jid, password: parsed.data.password, service, domain });
    if (!result.ok) {
      const status = result.condition === "not-authorized" ? 401 : result.condition === "internal" ? 500 : 502;
      throw new HTTPException(status, { message: result.message });
    }
    const token = newToken();
    await createSession(c.var.db, await hashToken(token), jid, Date.now(), SESSION_TTL_MS);
    const url = new URL(c.req.url);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      // Secure except on loopback http (local development and tests).
      secure: !(url.protocol === "http:" && isLoopback(url)),
      path: "/",
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.json({ jid });
  })
  .get("/me", requireSession, (c) => c.json({ jid: c.var.jid }))
  .post("/logout", requireSession, async (c) => {
    const jid = c.var.jid;
    await c.env.USER_SESSION.getByName(jid).logout();
    await deleteSessionsOf(c.var.db, jid);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });
