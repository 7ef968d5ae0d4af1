// The search box ("Search messages", a contract: issue #7's accessible names) and the results that replace the
// conversation list while a search is shown: grouped by conversation, each a button with who wrote it, when, and
// the snippet with its matches as <mark> elements (text nodes only: snippets are remote text). Keyboard: Ctrl+K or
// "/" (outside a text field) focuses the box, Arrow Down/Up move through the results, Enter opens one, Escape
// clears the search and returns to the conversation list.
import { useEffect, useRef } from "preact/hooks";
import type { SearchResult } from "../../../../src/protocol/index.ts";
import { formatTime } from "../../core/format.ts";
import { displayName } from "../../core/selectors.ts";
import type { AppState } from "../../core/state.ts";
import { Alert } from "../../ui/alert.tsx";
import { groupResults, mergeSources, segments, statusText } from "./results.ts";
import type { SearchModel } from "./search.ts";

const RESULT = "button.search-hit";

function isoTime(ts: number): string | undefined {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A typing context: "/" typed there is text, not the shortcut. */
function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return (
    el.isContentEditable ||
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el instanceof HTMLInputElement && !["button", "checkbox", "radio", "submit", "reset"].includes(el.type))
  );
}

/** Moves focus by `delta` among the results (from the box, Down goes to the first). */
function moveFocus(root: HTMLElement, from: Element | null, delta: number): boolean {
  const items = [...root.querySelectorAll<HTMLElement>(RESULT)];
  if (items.length === 0) return false;
  const at = from instanceof HTMLElement ? items.indexOf(from) : -1;
  const next = at < 0 ? (delta > 0 ? 0 : -1) : at + delta;
  const item = items[Math.max(0, Math.min(items.length - 1, next))];
  if (!item || next < 0) return false;
  item.focus();
  return true;
}

/** Frames to wait for a revealed sidebar to render (a hash change, then the re-render). */
const REVEAL_FRAMES = 20;

/** Focuses the box once it is displayed (at phone width the sidebar shows only after the chat closed). */
function focusWhenShown(input: { current: HTMLInputElement | null }, frames: number): void {
  const el = input.current;
  if (el && el.getClientRects().length > 0) {
    el.focus();
    el.select();
  } else if (frames > 0) requestAnimationFrame(() => focusWhenShown(input, frames - 1));
}

export interface SearchBoxProps {
  search: SearchModel;
  /** Before the shortcut focuses the box: the list must be on screen (at phone width, the chat hides it). */
  reveal(): void;
}

export function SearchBox({ search, reveal }: SearchBoxProps) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      const ctrlK = (ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === "k";
      const slash = ev.key === "/" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !isTextField(ev.target);
      if (!ctrlK && !slash) return;
      ev.preventDefault();
      reveal();
      focusWhenShown(input, REVEAL_FRAMES);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [reveal]);

  return (
    <form
      role="search"
      class="search-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        search.submit();
      }}
    >
      <input
        ref={input}
        id="search-box"
        class="search-input"
        type="search"
        aria-label="Search messages"
        aria-keyshortcuts="Control+K /"
        placeholder="Search messages"
        autocomplete="off"
        spellcheck={false}
        maxLength={200}
        value={search.text.value}
        onInput={(ev) => search.input(ev.currentTarget.value)}
        onKeyDown={(ev) => {
          if (ev.key === "Escape" && search.text.value !== "") {
            ev.preventDefault();
            search.clear();
          } else if (ev.key === "ArrowDown") {
            const root = ev.currentTarget.closest(".sidebar");
            if (root instanceof HTMLElement && moveFocus(root, null, 1)) ev.preventDefault();
          }
        }}
      />
    </form>
  );
}

function Snippet({ result }: { result: SearchResult }) {
  return (
    <span class="hit-text">
      {segments(result.text, result.highlights).map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : s.text))}
    </span>
  );
}

export interface SearchResultsProps {
  search: SearchModel;
  state: AppState;
  /** The message currently opened from a result, to mark it. */
  current: { peer: string; key: string } | null;
  openAt(peer: string, key: string): void;
}

export function SearchResults({ search, state, current, openAt }: SearchResultsProps) {
  const view = search.view.value;
  const merged = mergeSources(view.sources);
  const groups = view.status === "done" ? groupResults(merged.results) : [];
  const status = view.status === "idle" ? "searching" : view.status;
  const now = Date.now();
  const back = (el: HTMLElement): void => {
    search.clear();
    el.closest(".sidebar")?.querySelector<HTMLInputElement>("#search-box")?.focus();
  };
  return (
    <section
      class="search-results"
      aria-labelledby="search-heading"
      onKeyDown={(ev) => {
        const root = ev.currentTarget;
        if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
          if (moveFocus(root, document.activeElement, ev.key === "ArrowDown" ? 1 : -1)) ev.preventDefault();
        } else if (ev.key === "Escape") {
          ev.preventDefault();
          back(root);
        }
      }}
    >
      <h2 id="search-heading">Search results</h2>
      <p class="search-status" role="status">
        {statusText(status, merged.results.length, groups.length)}
      </p>
      <Alert message={view.status === "failed" ? view.error : null} />
      {groups.map((g) => {
        const name = displayName(state, g.peer);
        const id = `search-group-${g.peer}`;
        return (
          <div class="search-group" key={g.peer}>
            <h3 class="search-peer" id={id}>
              {name}
            </h3>
            <ul aria-labelledby={id}>
              {g.results.map((r) => (
                <li key={r.key}>
                  <button
                    type="button"
                    class="search-hit"
                    aria-current={current?.peer === r.peer && current.key === r.key ? "true" : undefined}
                    onClick={() => openAt(r.peer, r.key)}
                  >
                    <span class="hit-meta">
                      <span class="hit-who">{r.direction === "out" ? "You" : name}</span>
                      <time class="hit-time" dateTime={isoTime(r.ts)}>
                        {formatTime(r.ts, now)}
                      </time>
                    </span>
                    <Snippet result={r} />
                  </button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      {view.status === "done" && merged.hasMore && (
        <button type="button" class="more" disabled={view.loadingMore} onClick={() => search.loadMore()}>
          {view.loadingMore ? "Loading more results…" : "Load more results"}
        </button>
      )}
    </section>
  );
}
