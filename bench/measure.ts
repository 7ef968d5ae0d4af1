// What the benchmark cases (storage-cases.ts, page-cases.ts, search-cases.ts) share: the interleaved timing loop
// and the digest that checks every method gave the same answer. Runs in Node and inside workerd (the D1 worker).

/** Rounds of one measurement: at least `min`, at most `max`, stopping once `budgetMs` is spent. */
export interface RunOpts {
  min: number;
  max: number;
  budgetMs: number;
}

/**
 * Times `methods` interleaved call by call: every round calls each once, the order rotating from round to round,
 * so drift and noise in the machine hit every method alike and no method always runs right after another.
 * Returns each method's per-call latencies in ms, in `methods` order.
 */
export async function interleaved<M>(
  methods: readonly M[],
  opts: RunOpts,
  call: (method: M) => Promise<unknown>,
): Promise<number[][]> {
  const samples = methods.map((): number[] => []);
  const start = performance.now();
  for (let round = 0; round < opts.max && (round < opts.min || performance.now() - start < opts.budgetMs); round++) {
    for (let i = 0; i < methods.length; i++) {
      const k = (i + round) % methods.length;
      const t0 = performance.now();
      await call(methods[k] as M);
      samples[k]?.push(performance.now() - t0);
    }
  }
  return samples;
}

/** The first 16 hex digits of the SHA-256 of `text`: compares answers across methods and backends. */
export async function sha(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(bytes)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 16);
}
