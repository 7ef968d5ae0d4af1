// Collects writes and flushes them at most once a second, or at once when `maxItems` are waiting
// (issue #2 §5). One flush = one storage batch and one presence frame to the tabs.

export interface FlushBufferOptions<T> {
  intervalMs: number;
  maxItems: number;
  flush(items: T[]): Promise<void>;
  onError(err: unknown, items: T[]): void;
}

export class FlushBuffer<T> {
  #items: T[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly options: FlushBufferOptions<T>) {}

  get size(): number {
    return this.#items.length;
  }

  push(...items: T[]): void {
    this.#items.push(...items);
    if (this.#items.length >= this.options.maxItems) {
      void this.flush();
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => void this.flush(), this.options.intervalMs);
    }
  }

  /** Flushes what is waiting; flushes never overlap, so storage sees them in order. */
  flush(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#running = this.#running.then(async () => {
      const items = this.#items;
      if (items.length === 0) return;
      this.#items = [];
      try {
        await this.options.flush(items);
      } catch (err) {
        this.options.onError(err, items);
      }
    });
    return this.#running;
  }
}
