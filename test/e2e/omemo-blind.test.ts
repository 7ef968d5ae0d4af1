// OMEMO through Parley with an independent implementation (python-omemo, test/peers/omemo_peer.py): leo writes
// end-to-end encrypted to kim; kim's phone (another python device) decrypts; kim's Parley session relays and
// stores the OMEMO element as it is. Afterwards no plaintext is anywhere in D1 or the object's storage.
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { storedFiles } from "./app.ts";
import { e2eHarness } from "./harness.ts";
import { parseServerFrame, type ServerFrame } from "../../src/protocol/index.ts";

const e2e = e2eHarness({ chromium: false });

async function openTab(
  url: string,
  cookie: string,
): Promise<{ frames: ServerFrame[]; ws: WebSocket; next(pred: (f: ServerFrame) => boolean): Promise<ServerFrame> }> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/api/socket`, { headers: { Cookie: cookie, Origin: url } });
  const frames: ServerFrame[] = [];
  const waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  ws.on("message", (data) => {
    const frame = parseServerFrame(String(data));
    if (!frame) return;
    frames.push(frame);
    for (const w of waiters.splice(0)) {
      if (w.pred(frame)) w.resolve(frame);
      else waiters.push(w);
    }
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return {
    frames,
    ws,
    next: (pred) =>
      new Promise((resolve, reject) => {
        const seen = frames.find(pred);
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error("no such frame")), 20_000);
        waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      }),
  };
}

describe("the server is blind to OMEMO", () => {
  it("relays what an independent OMEMO client encrypted, and keeps no plaintext anywhere", async () => {
    const [leo, kimPhone] = await Promise.all([e2e.omemoPeer("leo@localhost"), e2e.omemoPeer("kim@localhost")]);
    const app = e2e.app;

    const res = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: "kim@localhost", password: "parley" }),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const tab = await openTab(app.url, cookie);
    await tab.next((f) => f.type === "snapshot" && f.connection === "online");

    const secret = `the eagle lands at dawn ${crypto.randomUUID()}`;
    const sent = await leo.command("send", { to: "kim@localhost", body: secret });
    expect(sent.recipients).toEqual(expect.arrayContaining([kimPhone.deviceId]));
    // The independent device decrypts it...
    const got = await kimPhone.waitFor((e) => e.event === "message" && e.body === secret);
    expect(got.event === "message" && got.from).toBe("leo@localhost");
    // ...and Parley's tab gets the OMEMO element, never the text.
    const frame = await tab.next(
      (f) => f.type === "message" && f.message.peer === "leo@localhost" && f.message.encrypted?.hasPayload === true,
    );
    if (frame.type !== "message") throw new Error("unreachable");
    expect(frame.message.body).toBe("");
    expect(frame.message.encrypted?.xml).toContain(`<key`);

    // Storage catches up (history reads flush first); then look at every byte the app has stored.
    tab.ws.send(JSON.stringify({ type: "history.load", requestId: "h", peer: "leo@localhost", before: null }));
    const page = await tab.next((f) => f.type === "history" && f.requestId === "h");
    expect(page.type === "history" && page.messages.some((m) => m.encrypted?.hasPayload)).toBe(true);
    tab.ws.close();
    await app.stop(); // SQLite files are complete once workerd is down
    const stored = storedFiles(app.stateDir).map((s) => s.bytes);
    expect(stored.length).toBeGreaterThan(0);
    const needle = Buffer.from("the eagle lands at dawn");
    expect(stored.filter((b) => b.includes(needle)).length).toBe(0);
    // Sanity: what was stored is the ciphertext (the element's payload is in D1).
    const payload = /<payload>([^<]+)<\/payload>/u.exec(frame.message.encrypted?.xml ?? "")?.[1] ?? "-";
    expect(stored.some((b) => b.includes(Buffer.from(payload)))).toBe(true);
  });
});
