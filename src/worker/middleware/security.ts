import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";

/** No inline script or style anywhere; the app only talks to its own origin (issue #2 §4). */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // Responses from the assets binding or a WebSocket upgrade have immutable headers: copy when needed.
  if (c.res.status === 101) return;
  const res = new Response(c.res.body, c.res);
  res.headers.set("Content-Security-Policy", CSP);
  res.headers.set("X-Content-Type-Options", "nosniff");
  res.headers.set("Referrer-Policy", "no-referrer");
  res.headers.set("X-Frame-Options", "DENY");
  res.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  c.res = res;
});
