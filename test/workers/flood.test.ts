import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { login, openTab } from "./helpers.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";

describe("a presence flood", () => {
  it("is stored in bulk (within D1's 100 parameters) and reaches the tabs as one frame per flush", async () => {
    const leo = await login("leo");
    expect(leo.status).toBe(200);
    const tab = await openTab(leo.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const stanzas = Array.from(
      { length: 5_000 },
      (_, i) =>
        `<presence xmlns="jabber:client" from="contact${i}@example.org/phone" to="leo@localhost"><show>away</show><status>s ${i} &lt;b&gt;</status></presence>`,
    );
    const stub = env.USER_SESSION.getByName("leo@localhost");
    await runInDurableObject(stub, async (instance: UserSession) => {
      await instance.receiveForTests(stanzas);
    });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM presences WHERE owner = ?")
      .bind("leo@localhost")
      .first<{ n: number }>();
    expect(rows?.n).toBe(5_000);
    // Ping round trip: every frame sent before the pong has arrived.
    tab.send({ type: "ping" });
    await tab.waitFor((f) => f.type === "pong");
    const frames = tab.frames.filter((f) => f.type === "presence");
    const updates = frames.flatMap((f) => (f.type === "presence" ? f.updates : []));
    expect(updates).toHaveLength(5_000);
    // At most one frame per flush: flushes happen at 2,000 items or once a second.
    expect(frames.length).toBeLessThanOrEqual(3);
    expect(updates[42]).toMatchObject({ jid: "contact42@example.org", show: "away", status: "s 42 <b>" });
    tab.close();
  });
});
