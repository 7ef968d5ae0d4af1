import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { allowedDomains, resolveService } from "../../src/worker/discovery.ts";

const env = {
  XMPP_DOMAIN: "example.org",
  XMPP_WEBSOCKET_URL: "wss://xmpp.example.org/ws",
  ALLOWED_DOMAINS: "friends.net, Other.org ,",
};

function fetcher(routes: Record<string, { status?: number; body: string }>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    const route = routes[url];
    if (!route) return new Response("not found", { status: 404 });
    return new Response(route.body, { status: route.status ?? 200 });
  }) as typeof fetch;
}

describe("which WebSocket endpoint serves a domain (XEP-0156)", () => {
  it("uses the configured endpoint for the deployment's own domain", async () => {
    expect(await resolveService(env, "example.org", fetcher({}))).toBe("wss://xmpp.example.org/ws");
  });

  it("normalises the allowed list", () => {
    expect([...allowedDomains(env)]).toEqual(["example.org", "friends.net", "other.org"]);
  });

  it("refuses domains that are not allowed, with a clear message", async () => {
    const err = await resolveService(env, "evil.com", fetcher({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HTTPException);
    expect((err as HTTPException).status).toBe(403);
    expect((err as HTTPException).message).toBe("This server only signs in accounts of example.org.");
  });

  it("discovers an allowed domain through host-meta.json, then the XRD document", async () => {
    const json = JSON.stringify({
      links: [{ rel: "urn:xmpp:alt-connections:websocket", href: "wss://friends.net/xmpp" }],
    });
    expect(
      await resolveService(
        env,
        "friends.net",
        fetcher({ "https://friends.net/.well-known/host-meta.json": { body: json } }),
      ),
    ).toBe("wss://friends.net/xmpp");
    const xrd = `<?xml version='1.0'?><XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
      <Link rel="urn:xmpp:alt-connections:websocket" href="wss://other.org:5443/ws" /></XRD>`;
    expect(
      await resolveService(env, "other.org", fetcher({ "https://other.org/.well-known/host-meta": { body: xrd } })),
    ).toBe("wss://other.org:5443/ws");
  });

  it("never accepts a clear-text ws: endpoint from discovery, and says when there is none", async () => {
    const json = JSON.stringify({
      links: [{ rel: "urn:xmpp:alt-connections:websocket", href: "ws://friends.net/xmpp" }],
    });
    const err = await resolveService(
      env,
      "friends.net",
      fetcher({ "https://friends.net/.well-known/host-meta.json": { body: json } }),
    ).catch((e: unknown) => e);
    expect((err as HTTPException).status).toBe(502);
    expect((err as HTTPException).message).toBe("No XMPP WebSocket endpoint found for friends.net.");
  });
});
