import { createMiddleware } from "hono/factory";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
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

/** Powerful features the app does not use are off for it and anything it could embed. */
export const PERMISSIONS_POLICY = [
  "camera=()",
  "microphone=()",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "bluetooth=()",
  "hid=()",
  "midi=()",
  "browsing-topics=()",
].join(", ");

export function isLoopbackHost(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}

/** Plain http only on loopback (local runs and tests); everywhere else the cookie is Secure and HSTS is sent. */
export function isSecureOrigin(url: URL): boolean {
  return !(url.protocol === "http:" && isLoopbackHost(url.hostname));
}

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
  res.headers.set("Permissions-Policy", PERMISSIONS_POLICY);
  const url = new URL(c.req.url);
  if (url.protocol === "https:" && !isLoopbackHost(url.hostname)) {
    res.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  }
  // Answers of the API are per user and often secret: never kept by a browser or a shared cache.
  if (url.pathname.startsWith("/api/")) res.headers.set("Cache-Control", "no-store");
  c.res = res;
});

const hostedCsrf = csrf();

/**
 * Login CSRF and friends (issue #6 §4): a state-changing API request must come from our own pages. Hono's csrf()
 * refuses cross-site form and text/plain posts; on top of it, a browser's Sec-Fetch-Site and Origin (when sent)
 * must say same-origin, and a body must be JSON, which no cross-site form can send without a CORS preflight we
 * never answer.
 */
export const sameOriginWrites = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    throw new HTTPException(403, { message: "Cross-site requests are not accepted." });
  }
  const origin = c.req.header("Origin");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) {
    throw new HTTPException(403, { message: "Cross-site requests are not accepted." });
  }
  const type = c.req.header("Content-Type");
  const length = c.req.header("Content-Length");
  const hasBody = (length !== undefined && length !== "0") || c.req.header("Transfer-Encoding") !== undefined;
  if ((hasBody || type !== undefined) && !/^application\/json\s*(;|$)/iu.test(type ?? "")) {
    throw new HTTPException(415, { message: "Send JSON (Content-Type: application/json)." });
  }
  return hostedCsrf(c, next);
});
