import { describe, expect, it } from "vitest";
import type { Db } from "../../../src/db/client.ts";
import { SearchFeature } from "../../../src/durable/features/search.ts";
import { harness } from "./fakes.ts";

describe("SearchFeature (issue #7 §5)", () => {
  it("answers a query with nothing searchable with no results, without reading storage", async () => {
    const h = harness();
    const search = new SearchFeature(h.ctx);
    await search.frames.search(h.ws, { type: "search", requestId: "q1", query: '"*" - ( :' });
    expect(h.sent.map((s) => s.frame)).toEqual([
      { type: "search.results", requestId: "q1", query: '"*" - ( :', results: [], hasMore: false },
    ]);
  });

  it("flushes before searching, reports a storage failure by its fixed word, and refuses a pile-up", async () => {
    const h = harness();
    const order: string[] = [];
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const db = {
      all: async () => {
        order.push("query");
        await gate;
        throw new Error("D1_ERROR: secret internals");
      },
    } as unknown as Db;
    const search = new SearchFeature({ ...h.ctx, db, flush: async () => void order.push("flush") });
    const running = Array.from({ length: 6 }, (_, i) =>
      search.frames.search(h.ws, { type: "search", requestId: `r${i}`, query: "hello" }),
    );
    // Two run, four wait; the seventh is refused at once.
    await search.frames.search(h.ws, { type: "search", requestId: "r6", query: "hello" });
    expect(h.sent.at(-1)?.frame).toMatchObject({ type: "error", code: "rate-limited", requestId: "r6" });
    release();
    await Promise.all(running);
    expect(order.indexOf("flush")).toBeLessThan(order.indexOf("query"));
    const errors = h.sent.map((s) => s.frame).filter((f) => f.type === "error" && f.code === "search-failed");
    expect(errors).toHaveLength(6);
    expect(JSON.stringify(errors)).not.toContain("secret");
  });
});
