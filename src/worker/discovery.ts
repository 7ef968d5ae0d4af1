// Which WebSocket endpoint serves a domain: the configured one for XMPP_DOMAIN, XEP-0156 host-meta for the
// other ALLOWED_DOMAINS, nothing for the rest.
import { HTTPException } from "hono/http-exception";
import { isWebSocketUrl, parseHostMetaJson, parseHostMetaXml } from "../xmpp/host-meta.ts";

export function allowedDomains(env: Pick<Env, "XMPP_DOMAIN" | "ALLOWED_DOMAINS">): Set<string> {
  const out = new Set<string>([env.XMPP_DOMAIN.toLowerCase()]);
  for (const d of env.ALLOWED_DOMAINS.split(",")) if (d.trim()) out.add(d.trim().toLowerCase());
  return out;
}

export async function resolveService(
  env: Pick<Env, "XMPP_DOMAIN" | "ALLOWED_DOMAINS" | "XMPP_WEBSOCKET_URL">,
  domain: string,
  fetcher: typeof fetch = fetch,
): Promise<string> {
  if (domain === env.XMPP_DOMAIN.toLowerCase()) return env.XMPP_WEBSOCKET_URL;
  if (!allowedDomains(env).has(domain)) {
    throw new HTTPException(403, { message: `This server only signs in accounts of ${env.XMPP_DOMAIN}.` });
  }
  // XEP-0156 §3: JSON first, then the XRD document.
  for (const [path, parse] of [
    ["/.well-known/host-meta.json", parseHostMetaJson],
    ["/.well-known/host-meta", parseHostMetaXml],
  ] as const) {
    try {
      const res = await fetcher(`https://${domain}${path}`, { redirect: "error", signal: AbortSignal.timeout(5_000) });
      if (!res.ok) continue;
      const url = parse(await res.text());
      // Only wss: from discovery: a ws: endpoint would send the password in clear (XEP-0156 §5).
      if (url && isWebSocketUrl(url) && url.startsWith("wss:")) return url;
    } catch {
      // unreachable or malformed: try the next document
    }
  }
  throw new HTTPException(502, { message: `No XMPP WebSocket endpoint found for ${domain}.` });
}
