import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientFrame } from "../../src/protocol/index.ts";
import { PAUSE_MS, RESEND_MS, TypingNotifier } from "../src/features/typing/notifier.ts";

describe("TypingNotifier (XEP-0085)", () => {
  let sent: ClientFrame[];
  let visible: boolean;
  let notifier: TypingNotifier;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    visible = true;
    notifier = new TypingNotifier({ send: (f) => (sent.push(f), true), visible: () => visible, now: () => Date.now() });
  });
  afterEach(() => vi.useRealTimers());
  const states = () => sent.map((f) => (f.type === "chatstate" ? `${f.to}:${f.state}` : f.type));

  it("composing once per few seconds while typing, paused after a pause, active when emptied", () => {
    notifier.input("bob@x", "h");
    notifier.input("bob@x", "he");
    notifier.input("bob@x", "hel");
    expect(states()).toEqual(["bob@x:composing"]);
    vi.advanceTimersByTime(RESEND_MS - 1);
    notifier.input("bob@x", "hell");
    vi.advanceTimersByTime(1);
    notifier.input("bob@x", "hello");
    expect(states()).toEqual(["bob@x:composing", "bob@x:composing"]);
    vi.advanceTimersByTime(PAUSE_MS);
    expect(states().at(-1)).toBe("bob@x:paused");
    notifier.input("bob@x", "");
    expect(states().at(-1)).toBe("bob@x:active");
  });

  it("a sent message is active by itself; leaving a conversation while composing pauses there", () => {
    notifier.input("bob@x", "hi");
    notifier.sent();
    vi.advanceTimersByTime(PAUSE_MS * 2);
    expect(states()).toEqual(["bob@x:composing"]);
    notifier.input("bob@x", "more");
    notifier.input("carol@x", "x");
    expect(states()).toEqual(["bob@x:composing", "bob@x:composing", "bob@x:paused", "carol@x:composing"]);
  });

  it("a hidden tab tells nobody", () => {
    visible = false;
    notifier.input("bob@x", "secret");
    vi.advanceTimersByTime(PAUSE_MS);
    expect(sent).toEqual([]);
  });
});
