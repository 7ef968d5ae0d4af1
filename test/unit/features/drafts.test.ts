import { describe, expect, it } from "vitest";
import { DraftsFeature, MAX_DRAFTS } from "../../../src/durable/features/drafts.ts";
import { harness } from "./fakes.ts";

describe("DraftsFeature (issue #7 §4)", () => {
  it("keeps a draft per conversation for every tab, clears it when empty, and survives a restart", async () => {
    const h = harness();
    const drafts = new DraftsFeature(h.ctx);
    await drafts.frames["draft.set"](h.ws, { type: "draft.set", peer: "bob@example.org", text: "half a thought" });
    await drafts.frames["draft.set"](h.ws, { type: "draft.set", peer: "bob@example.org", text: "half a thought" });
    expect(h.broadcast).toEqual([{ type: "draft", peer: "bob@example.org", text: "half a thought" }]);
    const restarted = new DraftsFeature({ ...harness().ctx, storage: h.storage });
    await restarted.load();
    expect(restarted.list()).toEqual([{ peer: "bob@example.org", text: "half a thought" }]);
    await drafts.set("bob@example.org", "  ");
    expect(h.broadcast.at(-1)).toEqual({ type: "draft", peer: "bob@example.org", text: "" });
    expect(h.storage.map.size).toBe(0);
  });

  it("keeps at most MAX_DRAFTS, dropping the oldest written", async () => {
    const h = harness();
    const drafts = new DraftsFeature(h.ctx);
    for (let i = 0; i <= MAX_DRAFTS; i++) await drafts.set(`p${i}@example.org`, "x");
    expect(drafts.list()).toHaveLength(MAX_DRAFTS);
    expect(drafts.list()[0]?.peer).toBe("p1@example.org");
    expect(h.storage.map.has("draft:p0@example.org")).toBe(false);
  });
});
