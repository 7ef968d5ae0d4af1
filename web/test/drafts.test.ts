import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientFrame } from "../../src/protocol/index.ts";
import { DRAFT_DELAY_MS, DraftSync } from "../src/features/drafts/sync.ts";

describe("DraftSync (issue #7 §4)", () => {
  let sent: ClientFrame[];
  let known: Map<string, string>;
  let clear: Set<string>;
  let sync: DraftSync;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    known = new Map();
    clear = new Set(["bob@x"]);
    sync = new DraftSync({
      send: (f) => (sent.push(f), true),
      inClear: (p) => clear.has(p),
      known: (p) => known.get(p),
    });
  });
  afterEach(() => vi.useRealTimers());

  it("sends the last edit a moment after the typing stops, or at once when flushed", () => {
    sync.edited("bob@x", "h");
    sync.edited("bob@x", "hi");
    expect(sync.waiting).toBe(true);
    vi.advanceTimersByTime(DRAFT_DELAY_MS);
    expect(sent).toEqual([{ type: "draft.set", peer: "bob@x", text: "hi" }]);
    expect(sync.waiting).toBe(false);
    known.set("bob@x", "hi");
    sync.edited("bob@x", "hi");
    sync.flush();
    expect(sent).toHaveLength(1); // the object has it already
  });

  it("never sends an encrypted conversation's draft, and clears one the object kept", () => {
    known.set("carol@x", "old clear draft");
    sync.edited("carol@x", "secret");
    sync.flush();
    expect(sent).toEqual([{ type: "draft.set", peer: "carol@x", text: "" }]);
  });

  it("switching conversations sends the previous one's draft first", () => {
    sync.edited("bob@x", "for bob");
    clear.add("dave@x");
    sync.edited("dave@x", "for dave");
    expect(sent).toEqual([{ type: "draft.set", peer: "bob@x", text: "for bob" }]);
  });
});
