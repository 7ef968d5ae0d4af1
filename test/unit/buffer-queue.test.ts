import { describe, it, expect, vi, afterEach, beforeEach } from "vitest";
import { FlushBuffer } from "../../src/durable/buffer.ts";
import { SerialQueue } from "../../src/durable/queue.ts";

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("FlushBuffer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(maxItems = 3, intervalMs = 1000, flushImpl?: (items: number[]) => Promise<void>) {
    const flushed: number[][] = [];
    const errors: { err: unknown; items: number[] }[] = [];
    const buffer = new FlushBuffer<number>({
      intervalMs,
      maxItems,
      flush: async (items) => {
        flushed.push([...items]);
        if (flushImpl) await flushImpl(items);
      },
      onError: (err, items) => errors.push({ err, items }),
    });
    return { buffer, flushed, errors };
  }

  it("flushes after intervalMs when below maxItems", async () => {
    const { buffer, flushed } = setup();
    buffer.push(1);
    buffer.push(2);
    expect(buffer.size).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(flushed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushed).toEqual([[1, 2]]);
    expect(buffer.size).toBe(0);
  });

  it("the interval starts at the first push, not the last", async () => {
    const { buffer, flushed } = setup(100);
    buffer.push(1);
    await vi.advanceTimersByTimeAsync(600);
    buffer.push(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(flushed).toEqual([[1, 2]]);
  });

  it("flushes immediately at maxItems, without waiting for the timer", async () => {
    const { buffer, flushed } = setup(3);
    buffer.push(1, 2);
    buffer.push(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([[1, 2, 3]]);
    // The pending timer was cancelled: nothing else happens later.
    await vi.advanceTimersByTimeAsync(5000);
    expect(flushed).toEqual([[1, 2, 3]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a push of more than maxItems at once flushes them all together", async () => {
    const { buffer, flushed } = setup(2);
    buffer.push(1, 2, 3, 4, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("does nothing for an empty flush", async () => {
    const { buffer, flushed } = setup();
    await buffer.flush();
    expect(flushed).toEqual([]);
  });

  it("an explicit flush() sends what waits and cancels the timer", async () => {
    const { buffer, flushed } = setup();
    buffer.push(7);
    await buffer.flush();
    expect(flushed).toEqual([[7]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("flushes never overlap and keep their order", async () => {
    const gates: Deferred[] = [];
    let active = 0;
    let maxActive = 0;
    const { buffer, flushed } = setup(2, 1000, async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      active -= 1;
    });
    buffer.push(1, 2); // flush #1 starts and blocks
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([[1, 2]]);
    buffer.push(3, 4); // flush #2 queued behind #1
    buffer.push(5); // waits for its timer
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([[1, 2]]);
    expect(active).toBe(1);

    gates[0]?.resolve();
    await vi.advanceTimersByTimeAsync(0);
    // #2 took everything that was waiting when it ran.
    expect(flushed).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    gates[1]?.resolve();
    await vi.advanceTimersByTimeAsync(2000);
    expect(flushed).toHaveLength(2);
    expect(maxActive).toBe(1);
  });

  it("a flush() resolves only after earlier flushes finished", async () => {
    const gate = deferred();
    let calls = 0;
    const { buffer } = setup(10, 1000, async () => {
      calls += 1;
      if (calls === 1) await gate.promise;
    });
    buffer.push(1);
    const first = buffer.flush();
    buffer.push(2);
    let secondDone = false;
    const second = buffer.flush().then(() => {
      secondDone = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(secondDone).toBe(false);
    gate.resolve();
    await first;
    await second;
    expect(secondDone).toBe(true);
  });

  it("onError receives the failed items, and later flushes still run", async () => {
    const boom = new Error("storage down");
    let fail = true;
    const { buffer, flushed, errors } = setup(2, 1000, async () => {
      if (fail) {
        fail = false;
        throw boom;
      }
    });
    buffer.push(1, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([{ err: boom, items: [1, 2] }]);
    buffer.push(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(flushed).toEqual([[1, 2], [3]]);
    expect(errors).toHaveLength(1);
    await expect(buffer.flush()).resolves.toBeUndefined();
  });
});

describe("SerialQueue", () => {
  it("runs jobs one after another in submission order", async () => {
    const log: string[] = [];
    const q = new SerialQueue(() => undefined);
    const slow = deferred();
    const a = q.push(async () => {
      log.push("a:start");
      await slow.promise;
      log.push("a:end");
      return "A";
    });
    const b = q.push(() => {
      log.push("b");
      return "B";
    });
    const c = q.push(async () => {
      log.push("c");
      return 3;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(["a:start"]);
    slow.resolve();
    expect(await a).toBe("A");
    expect(await b).toBe("B");
    expect(await c).toBe(3);
    expect(log).toEqual(["a:start", "a:end", "b", "c"]);
  });

  it("isolates errors: the failing job rejects, onError hears of it, later jobs still run", async () => {
    const errors: unknown[] = [];
    const q = new SerialQueue((err) => errors.push(err));
    const boom = new Error("boom");
    const failing = q.push(() => {
      throw boom;
    });
    const rejecting = q.push(() => Promise.reject(new Error("async boom")));
    const after = q.push(() => "still runs");
    await expect(failing).rejects.toBe(boom);
    await expect(rejecting).rejects.toThrow("async boom");
    await expect(after).resolves.toBe("still runs");
    await q.idle();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(boom);
  });

  it("idle() resolves once every job queued so far has finished", async () => {
    const q = new SerialQueue(() => undefined);
    const done: number[] = [];
    for (let i = 0; i < 5; i++) {
      q.push(async () => {
        await new Promise((r) => setTimeout(r, 1));
        done.push(i);
      });
    }
    await q.idle();
    expect(done).toEqual([0, 1, 2, 3, 4]);
  });

  it("idle() resolves on an empty queue and after a failure", async () => {
    const q = new SerialQueue(() => undefined);
    await expect(q.idle()).resolves.toBeUndefined();
    q.push(() => {
      throw new Error("x");
    }).catch(() => undefined);
    await expect(q.idle()).resolves.toBeUndefined();
  });
});
