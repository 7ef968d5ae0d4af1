import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signedInTab } from "./helpers.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";

describe("a presence flood", () => {
  it("is stored in bulk (within D1's 100 parameters) and reaches the tabs as one frame per flush", async () => {
    const { tab } = await signedInTab("leo");
    const stanzas = Array.from(
      { length: 5_000 },
      (_, i) =>
        `<presence xmlns="jabber:client" from="contact${i}@example.org/phone" to="leo@localhost"><show>away</show><status>s ${i} &lt;b&gt;</status></presence>`,
    );
    const stub = env.USER_SESSION.getByName("leo@localhost");
    await runInDurableObject(stub, async (instance: UserSession) => {
      // Presence is only kept for contacts (issue #6 §10): a roster of 5,000 logging in.
      await instance.seedRosterForTests(Array.from({ length: 5_000 }, (_, i) => `contact${i}@example.org`));
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

  it("from strangers, or from too many resources of one contact, keeps nothing (issue #6 §10)", async () => {
    const { tab } = await signedInTab("mia");
    const strangers = Array.from(
      { length: 500 },
      (_, i) => `<presence xmlns="jabber:client" from="stranger${i}@example.org/x" to="mia@localhost"/>`,
    );
    const resources = Array.from(
      { length: 100 },
      (_, i) => `<presence xmlns="jabber:client" from="friend@example.org/r${i}" to="mia@localhost"/>`,
    );
    const requests = Array.from(
      { length: 300 },
      (_, i) => `<presence xmlns="jabber:client" type="subscribe" from="asker${i}@example.org" to="mia@localhost"/>`,
    );
    const stub = env.USER_SESSION.getByName("mia@localhost");
    await runInDurableObject(stub, async (instance: UserSession) => {
      await instance.seedRosterForTests(["friend@example.org"]);
      await instance.receiveForTests([...strangers, ...resources, ...requests]);
    });
    const rows = await env.DB.prepare("SELECT jid, count(*) AS n FROM presences WHERE owner = ? GROUP BY jid")
      .bind("mia@localhost")
      .all<{ jid: string; n: number }>();
    expect(rows.results).toEqual([{ jid: "friend@example.org", n: 16 }]);
    tab.send({ type: "ping" });
    await tab.waitFor((f) => f.type === "pong");
    const updates = tab.frames.flatMap((f) => (f.type === "presence" ? f.updates : []));
    expect(updates.every((u) => u.jid === "friend@example.org")).toBe(true);
    expect(tab.frames.filter((f) => f.type === "subscription.request")).toHaveLength(100);
    tab.close();
  });
});
