import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { clearFailures, createSession, deleteSessionsOf, recordFailure } from "../../db/auth.ts";
import { parseBareJid, splitJid } from "../../xmpp/jid.ts";
import { resolveService } from "../discovery.ts";
import type { AppEnv } from "../env.ts";
import { checkLoginLimits, clientIp } from "../limits.ts";
import { isSecureOrigin } from "../middleware/security.ts";
import { hashToken, newToken, requireSession, SESSION_TTL_MS, sessionCookieName } from "../middleware/session.ts";

/** The key that seals stored XMPP passwords; without a real one no credential may be stored (issue #6 §11). */
export const MIN_SECRET_LENGTH = 16;

const LoginBody = z.object({
  address: z.string().max(3071),
  password: z.string().min(1).max(1024),
});

const LogoutBody = z.object({ deleteHistory: z.boolean().optional() }).optional();

export const auth = new Hono<AppEnv>()
  .post("/login", async (c) => {
    // Before anything touches an object or the XMPP server: a deployment without its secret cannot keep a
    // session alive, so it must not start one.
    if ((c.env.PARLEY_SECRET ?? "").length < MIN_SECRET_LENGTH) {
      console.error("parley: PARLEY_SECRET is missing or shorter than 16 characters; sign-in is refused");
      throw new HTTPException(503, { message: "Sign-in is not available on this server right now." });
    }
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
    const db = c.var.db;
    await checkLoginLimits(db, clientIp(c.req.header("CF-Connecting-IP")), jid);
    const { domain } = splitJid(jid);
    const service = await resolveService(c.env, domain);
    const stub = c.env.USER_SESSION.getByName(jid);
    const result = await stub.login({ jid, password: parsed.data.password, service, domain });
    if (!result.ok) {
      if (result.condition === "not-authorized") await recordFailure(db, jid, Date.now());
      const status =
        result.condition === "not-authorized" || result.condition === "account-disabled"
          ? 401
          : result.condition === "jid-mismatch"
            ? 409
            : result.condition === "internal"
              ? 500
              : 502;
      throw new HTTPException(status, { message: result.message });
    }
    await clearFailures(db, jid);
    const token = newToken();
    await createSession(db, {
      tokenHash: await hashToken(token),
      jid,
      now: Date.now(),
      ttlMs: SESSION_TTL_MS,
      generation: result.generation,
    });
    setCookie(c, sessionCookieName(c), token, {
      httpOnly: true,
      sameSite: "Strict",
      // Secure (and __Host-) except on loopback http (local development and tests).
      secure: isSecureOrigin(new URL(c.req.url)),
      path: "/",
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.json({ jid });
  })
  .get("/me", requireSession, (c) => c.json({ jid: c.var.jid }))
  .post("/logout", requireSession, async (c) => {
    let body: unknown;
    try {
      const text = await c.req.text();
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new HTTPException(400, { message: "Send a JSON body." });
    }
    const parsed = LogoutBody.safeParse(body);
    if (!parsed.success) throw new HTTPException(400, { message: "deleteHistory must be true or false." });
    const jid = c.var.jid;
    await c.env.USER_SESSION.getByName(jid).logout({ deleteHistory: parsed.data?.deleteHistory === true });
    await deleteSessionsOf(c.var.db, jid);
    deleteCookie(c, sessionCookieName(c), { path: "/", secure: isSecureOrigin(new URL(c.req.url)) });
    return c.body(null, 204);
  });
