// Token buckets for tab frames (issue #6 §6): a tab, or all tabs of a user together, cannot make the object flood
// the XMPP server. Refusals are logged sampled, so a flood cannot flood the log either.

export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly capacity: number,
    readonly perSecond: number,
    now = Date.now(),
  ) {
    this.#tokens = capacity;
    this.#last = now;
  }

  /** Takes one token; false when none is left (the caller refuses the work). */
  take(now = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.perSecond);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Frames one tab may send: 20 a second on average, bursts of 50 (a reload's history and key fetches fit). */
export const TAB_RATE = { capacity: 50, perSecond: 20 } as const;
/** Frames all tabs of one user may send together. */
export const USER_RATE = { capacity: 100, perSecond: 40 } as const;

/** Logs at most one line per `everyMs`, with how many events it stands for. */
export class SampledLog {
  #count = 0;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly everyMs: number,
    private readonly write: (line: string) => void,
  ) {}

  note(what: string, now = Date.now()): void {
    this.#count++;
    if (now - this.#lastAt < this.everyMs) return;
    this.write(`${what} (${this.#count} since the last line)`);
    this.#count = 0;
    this.#lastAt = now;
  }
}

/** A counting semaphore: at most `limit` jobs at once, the others wait in order; a full queue refuses. */
export class Limiter {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly limit: number,
    readonly maxWaiting: number,
  ) {}

  get inFlight(): number {
    return this.#running;
  }

  /** Runs `job` when a slot is free; throws LimiterFull when too many already wait. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) {
      if (this.#waiting.length >= this.maxWaiting) throw new LimiterFull();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

export class LimiterFull extends Error {
  override readonly name = "LimiterFull";
  constructor() {
    super("too many requests are waiting");
  }
}
