import { describe, expect, it } from "vitest";
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
