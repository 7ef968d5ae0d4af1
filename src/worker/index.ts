// The Worker: the frontend, sign-in, and the tab sockets, each a Hono sub-app.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema.ts";
import type { AppEnv } from "./env.ts";
import { sameOriginWrites, securityHeaders } from "./middleware/security.ts";
import { purgeExpired } from "../db/auth.ts";
import { SESSION_IDLE_MS } from "./middleware/session.ts";
import { auth } from "./routes/auth.ts";
import { socket } from "./routes/socket.ts";

export { UserSession } from "../durable/user-session.ts";

export const app = new Hono<AppEnv>();

app.use("*", securityHeaders);
app.use("/api/*", async (c, next) => {
  c.set("db", drizzle(c.env.DB, { schema }));
  await next();
});
app.use("/api/*", sameOriginWrites);
app.route("/api/auth", auth);
app.route("/api/socket", socket);
app.all("/api/*", () => {
  throw new HTTPException(404, { message: "no such endpoint" });
});
app.get("*", (c) => c.env.ASSETS.fetch(c.req.raw));

app.onError((err, c) => {
  if (err instanceof HTTPException) {
    if (err.status >= 500) console.warn(`parley: ${c.req.method} ${c.req.path}: ${err.message}`);
    // An exception that carries its own response (429 with Retry-After, say) answers with it.
    if (err.res) return err.getResponse();
    return c.json({ error: err.message }, err.status);
  }
  console.error(`parley: ${c.req.method} ${c.req.path}`, err);
  return c.json({ error: "Something went wrong on our side." }, 500);
});

export default {
  fetch: app.fetch,
  /** The cron trigger (wrangler.toml): expired and idle sessions, old rate counters (issue #6 §12). */
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(purgeExpired(drizzle(env.DB, { schema }), Date.now(), SESSION_IDLE_MS));
  },
} satisfies ExportedHandler<Env>;
