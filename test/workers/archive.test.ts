import { describe, expect, it, vi } from "vitest";
import { login, openTab, peer } from "./helpers.ts";

describe("the server's archive (XEP-0313)", () => {
  it("brings what arrived before the first sign-in, once, despite offline delivery of the same messages", async () => {
    const leo = await peer("leo");
    const bodies = [1, 2, 3].map((i) => `earlier ${i} ${crypto.randomUUID()}`);
    for (const body of bodies) await leo.send("kim@localhost", body);
    await leo.close();

    const kim = await login("kim");
    expect(kim.status).toBe(200);
    const tab = await openTab(kim.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    tab.send({ type: "history.load", requestId: "h", peer: "leo@localhost", before: null });
    const page = await tab.waitFor((f) => f.type === "history" && f.requestId === "h");
    if (page.type !== "history") throw new Error("unreachable");
    const got = page.messages.map((m) => m.body).filter((b) => bodies.includes(b));
    expect(got).toEqual(bodies);
    const conv = await tab.waitFor(
      (f) => f.type === "snapshot" && f.conversations.some((c) => c.peer === "leo@localhost"),
    );
    expect(conv.type === "snapshot" && conv.conversations.find((c) => c.peer === "leo@localhost")?.unread).toBe(3);
    tab.close();
  });
});

describe("history older than storage", () => {
  it("pages back through storage, then through the server's archive, every message once and in order", async () => {
    // Nina reads on her phone while Oscar writes 130 messages: nothing is left offline, all is archived.
    const phone = await peer("nina");
    const oscar = await peer("oscar");
    const bodies = Array.from({ length: 130 }, (_, i) => `old ${String(i).padStart(3, "0")} ${crypto.randomUUID()}`);
    for (const body of bodies) await oscar.send("nina@localhost", body);
    await oscar.close();
    // The phone has them all before it signs off cleanly (acknowledged: nothing goes to offline storage).
    await vi.waitFor(() => expect(phone.bodies.filter((b) => bodies.includes(b))).toHaveLength(130), {
      timeout: 10_000,
    });
    await phone.close();

    const nina = await login("nina");
    expect(nina.status).toBe(200);
    const tab = await openTab(nina.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const seen: string[] = [];
    let before: { ts: number; key: string } | null = null;
    for (let i = 0; i < 20; i++) {
      tab.send({ type: "history.load", requestId: `p${i}`, peer: "oscar@localhost", before });
      const page = await tab.waitFor((f) => f.type === "history" && f.requestId === `p${i}`);
      if (page.type !== "history") throw new Error("unreachable");
      seen.unshift(...page.messages.map((m) => m.body));
      const first = page.messages[0];
      if (!page.hasMore || !first) break;
      before = { ts: first.ts, key: first.key };
    }
    // (Storage may outlive one test run; only this run's messages are compared.)
    const ours = seen.filter((b) => bodies.includes(b));
    const firstDiff = ours.findIndex((b, i) => b !== bodies[i]);
    expect(
      firstDiff === -1
        ? "in order"
        : `${firstDiff}: ${ours
            .slice(firstDiff, firstDiff + 3)
            .map((b) => b.slice(0, 7))
            .join(",")}`,
    ).toBe("in order");
    expect(ours).toHaveLength(bodies.length);
    expect(new Set(seen).size).toBe(seen.length);
    tab.close();
  });
});
