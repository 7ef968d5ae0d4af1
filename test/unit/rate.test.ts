import { describe, expect, it } from "vitest";
import { Limiter, LimiterFull, SampledLog, TokenBucket } from "../../src/durable/rate.ts";

describe("TokenBucket", () => {
  it("allows a burst, then refills at its rate", () => {
    const bucket = new TokenBucket(5, 2, 0);
    expect(Array.from({ length: 7 }, () => bucket.take(0))).toEqual([true, true, true, true, true, false, false]);
    expect(bucket.take(400)).toBe(false); // 0.8 of a token
    expect(bucket.take(500)).toBe(true); // 1 token after half a second at 2/s
    expect(bucket.take(500)).toBe(false);
    expect(Array.from({ length: 6 }, () => bucket.take(60_000)).filter(Boolean)).toHaveLength(5); // capped
  });
});

describe("Limiter", () => {
  it("runs at most `limit` jobs at once, in order, and refuses when too many wait", async () => {
    const limiter = new Limiter(2, 2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const job = (n: number) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        order.push(n);
        running--;
      });
    const jobs = [job(1), job(2), job(3), job(4)];
    await expect(job(5)).rejects.toBeInstanceOf(LimiterFull);
    while (order.length < 4) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gates.shift()?.();
    }
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(limiter.inFlight).toBe(0);
  });
});

describe("SampledLog", () => {
  it("writes one line per interval, counting what it stands for", () => {
    const lines: string[] = [];
    const log = new SampledLog(1000, (l) => lines.push(l));
    for (let t = 0; t < 2500; t += 100) log.note("refused", t);
    expect(lines).toEqual([
      "refused (1 since the last line)",
      "refused (10 since the last line)",
      "refused (10 since the last line)",
    ]);
  });
});
