// A minimal observable store around the pure reducer.
import { initialState, reduce } from "./state.ts";
import type { Action, AppState } from "./state.ts";

export type Listener = (state: AppState, prev: AppState) => void;

export class Store {
  #state: AppState;
  readonly #listeners = new Set<Listener>();

  constructor(state: AppState = initialState()) {
    this.#state = state;
  }

  get state(): AppState {
    return this.#state;
  }

  dispatch(action: Action): void {
    const prev = this.#state;
    const next = reduce(prev, action);
    if (next === prev) return;
    this.#state = next;
    for (const listener of this.#listeners) listener(next, prev);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
