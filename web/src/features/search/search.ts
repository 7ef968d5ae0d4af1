// The search panel's state (issue #7 §5), without DOM: what the user typed, the server's pages (search frames,
// answered by search.results) and this device's pages of encrypted messages (E2EEService.searchPlaintexts), merged
// by features/search/results.ts. Typing searches after a short pause; an answer to anything but the current
// search (older requestId or query) is dropped.
import { signal, type ReadonlySignal } from "@preact/signals";
import type { ClientFrame, SearchCursor, ServerFrame } from "../../../../src/protocol/index.ts";
import { MAX_QUERY_CHARS, parseQuery } from "../../../../src/protocol/search.ts";
import { newRequestId } from "../../core/ids.ts";
import type { LocalPage } from "./local.ts";
import { mergeSources, type SourcePages } from "./results.ts";

/** Typing searches once the user pauses this long. */
export const SEARCH_DEBOUNCE_MS = 250;

export interface SearchView {
  /** The query these results are for ("" when no search is shown). */
  readonly query: string;
  readonly status: "idle" | "searching" | "done" | "failed";
  readonly error: string | null;
  readonly sources: readonly [SourcePages, SourcePages];
  /** A "Load more results" is in flight. */
  readonly loadingMore: boolean;
}

export interface SearchDeps {
  send(frame: ClientFrame): boolean;
  /** This device's encrypted messages (never sent anywhere). */
  searchLocal(query: string, before?: SearchCursor): Promise<LocalPage>;
}

const NONE: SourcePages = { results: [], hasMore: false };
const IDLE: SearchView = { query: "", status: "idle", error: null, sources: [NONE, NONE], loadingMore: false };
const SERVER = 0;
const LOCAL = 1;

export class SearchModel {
  /** What is in the search box. */
  readonly text: ReadonlySignal<string>;
  readonly view: ReadonlySignal<SearchView>;

  readonly #deps: SearchDeps;
  readonly #text = signal("");
  readonly #view = signal<SearchView>(IDLE);
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The server request in flight for the current search, if any. */
  #serverRequest: string | null = null;
  /** Bumped by every new search: local answers of an older one are dropped. */
  #generation = 0;
  /** Sources still to answer the page in flight. */
  #waiting = new Set<number>();

  constructor(deps: SearchDeps) {
    this.#deps = deps;
    this.text = this.#text;
    this.view = this.#view;
  }

  /** The box changed: search after a pause (nothing searchable, or empty: back to the conversation list). */
  input(text: string): void {
    this.#text.value = text;
    this.#cancelTimer();
    if (text.trim() === "") {
      this.#reset();
      return;
    }
    this.#timer = setTimeout(() => this.submit(), SEARCH_DEBOUNCE_MS);
  }

  /** Enter: search now (unless these results are already shown or coming). */
  submit(): void {
    this.#cancelTimer();
    const query = this.#text.value.trim().slice(0, MAX_QUERY_CHARS);
    if (query === "") return;
    if (this.#view.value.query === query && this.#view.value.status !== "failed") return;
    this.#generation++;
    this.#serverRequest = null;
    this.#view.value = { ...IDLE, query, status: "searching" };
    if (parseQuery(query) === null) {
      // Only punctuation or emoji: nothing to search for (the server would answer no result too).
      this.#view.value = { ...this.#view.value, status: "done" };
      return;
    }
    this.#fetch([SERVER, LOCAL]);
  }

  /** Escape, or the box emptied. */
  clear(): void {
    this.#cancelTimer();
    this.#text.value = "";
    this.#reset();
  }

  loadMore(): void {
    const view = this.#view.value;
    if (view.status !== "done" || view.loadingMore) return;
    const { next } = mergeSources(view.sources);
    if (next.length === 0) return;
    this.#view.value = { ...view, loadingMore: true };
    this.#fetch(next);
  }

  /** A search.results frame: appended to the server's pages if it answers the current search. */
  handle(frame: Extract<ServerFrame, { type: "search.results" }>): void {
    if (frame.requestId !== this.#serverRequest || frame.query !== this.#view.value.query) return;
    this.#serverRequest = null;
    this.#arrived(SERVER, { results: frame.results, hasMore: frame.hasMore });
  }

  /** An error for a request: true when it was this model's (the search failed: said in the panel). */
  settle(requestId: string, error: string | null): boolean {
    if (requestId !== this.#serverRequest) return false;
    this.#serverRequest = null;
    this.#waiting.clear();
    this.#view.value = { ...this.#view.value, status: "failed", loadingMore: false, error: error ?? "Search failed." };
    return true;
  }

  destroy(): void {
    this.#cancelTimer();
    this.#generation++;
  }

  #fetch(which: readonly number[]): void {
    const view = this.#view.value;
    const generation = this.#generation;
    const query = view.query;
    for (const i of which) this.#waiting.add(i);
    for (const i of which) {
      const before = cursorOf(view.sources[i === SERVER ? SERVER : LOCAL]);
      if (i === SERVER) {
        const requestId = newRequestId();
        this.#serverRequest = requestId;
        if (!this.#deps.send({ type: "search", requestId, query, ...(before ? { before } : {}) })) {
          this.settle(requestId, "Not connected. Try again in a moment.");
          return;
        }
      } else {
        void this.#deps.searchLocal(query, before ?? undefined).then(
          (page) => {
            if (generation === this.#generation) this.#arrived(LOCAL, page);
          },
          // The plaintext cache could not be read (storage failure, device gone): this device adds no results.
          () => {
            if (generation === this.#generation) this.#arrived(LOCAL, { results: [], hasMore: false });
          },
        );
      }
    }
  }

  #arrived(source: number, page: { results: readonly SourcePages["results"][number][]; hasMore: boolean }): void {
    const view = this.#view.value;
    if (view.status === "failed" || view.status === "idle") return;
    const prev = view.sources[source === SERVER ? SERVER : LOCAL];
    const merged: SourcePages = { results: [...prev.results, ...page.results], hasMore: page.hasMore };
    const sources: [SourcePages, SourcePages] =
      source === SERVER ? [merged, view.sources[LOCAL]] : [view.sources[SERVER], merged];
    this.#waiting.delete(source);
    const settled = this.#waiting.size === 0;
    this.#view.value = {
      ...view,
      sources,
      status: settled ? "done" : view.status,
      loadingMore: settled ? false : view.loadingMore,
    };
  }

  #reset(): void {
    this.#generation++;
    this.#serverRequest = null;
    this.#waiting.clear();
    this.#view.value = IDLE;
  }

  #cancelTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function cursorOf(source: SourcePages): SearchCursor | null {
  const last = source.results.at(-1);
  return last ? { ts: last.ts, peer: last.peer, key: last.key } : null;
}
