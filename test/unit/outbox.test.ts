import { describe, expect, it } from "vitest";
import { Outbox, OUTBOX_MAX_AGE_MS, type OutboxEntry, type OutboxStorage } from "../../src/durable/outbox.ts";

function memory(): OutboxStorage & { map: Map<string, OutboxEntry> } {
  const map = new Map<string, OutboxEntry>();
  return {
    map,
    put: async (key, value) => {
      map.set(key, value);
    },
    delete: async (key) => map.delete(key),
    list: async ({ prefix }) => new Map([...map].filter(([k]) => k.startsWith(prefix))),
  };
}

describe("Outbox (issue #6 §14)", () => {
  it("resends only what the server did not handle of the resumed stream", async () => {
    const storage = memory();
    const outbox = new Outbox(storage);
    for (const [id, seq] of [
      ["a", 3],
      ["b", 4],
      ["c", 5],
    ] as const) {
      await outbox.add(id, `<message id="${id}"/>`, 1000);
      await outbox.placed({ id, xml: `<message id="${id}"/>`, at: 1000 }, "s1", seq);
    }
    await outbox.add("d", `<message id="d"/>`, 1001); // stored, never placed: died before or while sending
    const resend = await outbox.toResend({ streamId: "s1", h: 4 }, new Set(), 2000);
    expect(resend.map((e) => e.id)).toEqual(["c", "d"]);
    expect([...storage.map.keys()].sort()).toEqual(["out:c", "out:d"]);
  });

  it("after a fresh login without a count, resends all; skips what the link still queues; gives up after a week", async () => {
    const outbox = new Outbox(memory());
    await outbox.add("old", "<message/>", 0);
    await outbox.add("x", "<message/>", OUTBOX_MAX_AGE_MS);
    await outbox.add("y", "<message/>", OUTBOX_MAX_AGE_MS);
    const resend = await outbox.toResend(null, new Set(["y"]), OUTBOX_MAX_AGE_MS + 10);
    expect(resend.map((e) => e.id)).toEqual(["x"]);
    expect((await outbox.entries()).map((e) => e.id).sort()).toEqual(["x", "y"]);
  });

  it("another stream's count says nothing about these messages", async () => {
    const outbox = new Outbox(memory());
    await outbox.add("a", "<message/>", 1);
    await outbox.placed({ id: "a", xml: "<message/>", at: 1 }, "old-stream", 1);
    expect((await outbox.toResend({ streamId: "new-stream", h: 10 }, new Set(), 2)).map((e) => e.id)).toEqual(["a"]);
  });
});
