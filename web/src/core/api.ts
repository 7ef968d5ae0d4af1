// The HTTP half of the API (same origin): who am I, sign in, sign out.

export type MeResult = { kind: "ok"; jid: string } | { kind: "unauthorized" } | { kind: "error"; message: string };
export type LoginResult = { ok: true; jid: string } | { ok: false; error: string };

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

function field(value: unknown, name: string): string | null {
  if (typeof value !== "object" || value === null || !(name in value)) return null;
  const v: unknown = (value as Record<string, unknown>)[name];
  return typeof v === "string" ? v : null;
}

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };

export async function fetchMe(): Promise<MeResult> {
  let res: Response;
  try {
    res = await fetch("/api/auth/me", {
      credentials: "same-origin",
      headers: { accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    return { kind: "error", message: "Cannot reach the server." };
  }
  if (res.status === 401) return { kind: "unauthorized" };
  const jid = res.ok ? field(await readJson(res), "jid") : null;
  if (jid) return { kind: "ok", jid };
  return { kind: "error", message: `The server answered ${res.status}.` };
}

export async function login(address: string, password: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch("/api/auth/login", {
      method: "POST",
      credentials: "same-origin",
      headers: JSON_HEADERS,
      body: JSON.stringify({ address, password }),
    });
  } catch {
    return { ok: false, error: "Cannot reach the server. Check your connection and try again." };
  }
  const body = await readJson(res);
  const jid = field(body, "jid");
  if (res.ok && jid) return { ok: true, jid };
  const error = field(body, "error");
  return { ok: false, error: error?.trim() ? error : `Sign-in failed (HTTP ${res.status}).` };
}

/** Signs out everywhere; with `deleteHistory`, the deployment also deletes what it stored for the account. */
export async function logout(deleteHistory = false): Promise<void> {
  try {
    await fetch("/api/auth/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: JSON_HEADERS,
      body: JSON.stringify({ deleteHistory }),
    });
  } catch {
    // Signing out locally still happens; the cookie is HttpOnly so nothing else to clear here.
  }
}

/** ws:/wss: URL of the object socket for the current page. */
export function socketUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/api/socket`;
}
