/** Runs async jobs one after another, in submission order (stanza handling, sends on one connection). */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  push<T>(job: () => Promise<T> | T): Promise<T> {
    const run = this.#tail.then(job);
    this.#tail = run.then(
      () => undefined,
      (err: unknown) => this.#onError(err),
    );
    return run;
  }

  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }
}
