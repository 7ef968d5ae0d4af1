// The signed-in session, without DOM: the store (core/state.ts's pure reducer stays the source of truth), the socket,
// the tab's OMEMO service, and the side effects of frames (history paging, request outcomes); read positions come from features/read. The UI
// reads it through signals: `state` mirrors the store, `cryptoVersion` follows the E2EE service, `openPeer` the URL.
import { batch, computed, signal, type ReadonlySignal } from "@preact/signals";
import { assertNever } from "../../../../src/protocol/index.ts";
import type { ClientFrame, HistoryCursor, ServerFrame } from "../../../../src/protocol/index.ts";
import { fetchMe, logout, socketUrl } from "../../core/api.ts";
import { Connection, type AuthCheck } from "../../core/connection.ts";
import { E2EEService } from "../../core/e2ee.ts";
import { connectionText, type LinkStatus } from "../../core/format.ts";
import { newRequestId } from "../../core/ids.ts";
import { oldestCursor } from "../../core/messages.ts";
import { chatHref, peerFromHash } from "../../core/route.ts";
import { canLoadNewer, canLoadOlder, needsInitialLoad } from "../../core/selectors.ts";
import { initialState, type AppState, type HistoryMode } from "../../core/state.ts";
import { Store } from "../../core/store.ts";
import { unreadAfter } from "../read/decide.ts";
import { newestCursor } from "../../core/window.ts";
import { SearchModel } from "../search/search.ts";
import { emitRoomAnswer } from "../rooms/answers.ts";

const HISTORY_TIMEOUT_MS = 30_000;
const BANNER_MS = 10_000;

/** Answers an ack/error for a request it sent; false when the requestId is not its own. */
export type Settler = (requestId: string, error: string | null) => boolean;

/** Answers a dialog reads itself (room search results, a room's affiliation lists). */
export type FrameListener = (
  frame: Extract<ServerFrame, { type: "room.search.results" | "room.affiliations" }>,
) => void;

/** A message to show (a search result opened): scrolled to, highlighted and focused once in the log. */
export interface Target {
  readonly peer: string;
  readonly key: string;
  /** Distinguishes opening the same result twice. */
  readonly seq: number;
}

/** What a history.load asks for beside its mode: the page before a cursor, after one, or around a message. */
type HistoryAsk =
  | { readonly mode: "older"; readonly before: HistoryCursor | null }
  | { readonly mode: "newer"; readonly after: HistoryCursor }
  | { readonly mode: "window"; readonly around: string | null };

export class Session {
  readonly jid: string;
  readonly e2ee: E2EEService;
  /** The app state, replaced (never mutated) on every change of the store. */
  readonly state: ReadonlySignal<AppState>;
  /** Bumped whenever what the E2EE service returns changes (plaintexts, trust, composer choices, notices). */
  readonly cryptoVersion: ReadonlySignal<number>;
  /** The conversation in the URL hash (#chat/<jid>), null for none. */
  readonly openPeer: ReadonlySignal<string | null>;
  /** The header's connection text ("" when online). */
  readonly connectionText: ReadonlySignal<string>;
  /** An error with no control to show it next to (shown for BANNER_MS). */
  readonly banner: ReadonlySignal<string | null>;
  /** Bumped to ask the composer for focus once it has rendered. */
  readonly composerFocus: ReadonlySignal<number>;
  /** The search panel (issue #7 §5). */
  readonly search: SearchModel;
  /** The message a chosen search result points at. */
  readonly target: ReadonlySignal<Target | null>;

  readonly #target = signal<Target | null>(null);
  readonly #store: Store;
  readonly #state = signal<AppState>(initialState());
  readonly #crypto = signal(0);
  readonly #openPeer = signal<string | null>(peerFromHash(location.hash));
  readonly #link = signal<LinkStatus>("stopped");
  readonly #banner = signal<string | null>(null);
  readonly #composerFocus = signal(0);
  readonly #conn: Connection;
  readonly #settlers = new Set<Settler>();
  readonly #onSignedOut: (message: string | null) => void;
  /** Window requests around a search result in flight (their failure is said, and the newest page loaded). */
  readonly #windowRequests = new Set<string>();
  #everOpened = false;
  #destroyed = false;
  #focusOnOpen = false;
  #bannerTimer: ReturnType<typeof setTimeout> | null = null;
  #unsubscribe: () => void = () => {};

  constructor(jid: string, onSignedOut: (message: string | null) => void) {
    this.jid = jid;
    this.#onSignedOut = onSignedOut;
    this.#store = new Store(initialState(jid));
    this.#state.value = this.#store.state;
    this.state = this.#state;
    this.cryptoVersion = this.#crypto;
    this.openPeer = this.#openPeer;
    this.banner = this.#banner;
    this.composerFocus = this.#composerFocus;
    this.connectionText = computed(() => {
      const s = this.#state.value;
      return connectionText(this.#link.value, this.#everOpened, s.connection, s.ready);
    });
    this.#conn = new Connection({
      url: socketUrl(location),
      onFrame: (frame) => this.#onFrame(frame),
      onStatus: (status) => {
        if (status === "open") this.#everOpened = true;
        this.#link.value = status;
      },
      checkAuth: async (): Promise<AuthCheck> => {
        const me = await fetchMe();
        return me.kind === "ok" ? "ok" : me.kind === "unauthorized" ? "unauthorized" : "unknown";
      },
      onUnauthorized: () => this.#teardown("Your session has ended. Please sign in again."),
    });
    // OMEMO lives in this tab (web/src/crypto, loaded lazily after the first snapshot); the object only relays.
    this.e2ee = new E2EEService({
      jid,
      send: this.send,
      onChange: () => {
        if (!this.#destroyed) this.#crypto.value = this.e2ee.version;
      },
      onError: (message) => this.showBanner(message),
    });
    this.search = new SearchModel({
      send: this.send,
      searchLocal: (query, before) => this.e2ee.searchPlaintexts(query, before),
    });
    this.target = this.#target;
    this.#settlers.add((requestId, error) => this.search.settle(requestId, error));
  }

  /** Connects; call once the UI is mounted. */
  start(): void {
    // Load the crypto chunk and open IndexedDB while the socket connects: a reopened chat then shows its
    // plaintexts as soon as its history page arrives.
    this.e2ee.warmUp();
    this.#unsubscribe = this.#store.subscribe((next) => {
      this.#state.value = next;
    });
    window.addEventListener("hashchange", this.#onHashChange);
    window.addEventListener("online", this.#onOnline);
    document.addEventListener("visibilitychange", this.#onVisible);
    this.#conn.start();
  }

  readonly send = (frame: ClientFrame): boolean => this.#conn.send(frame);

  /** Registers a component's handler for acks/errors of its own requests. */
  onSettle(settler: Settler): () => void {
    this.#settlers.add(settler);
    return () => this.#settlers.delete(settler);
  }

  showBanner(message: string): void {
    this.#banner.value = message;
    if (this.#bannerTimer !== null) clearTimeout(this.#bannerTimer);
    this.#bannerTimer = setTimeout(() => {
      this.#banner.value = null;
    }, BANNER_MS);
  }

  /** A conversation or contact link was activated (the hash change does the opening). */
  activate(peer: string): void {
    if (peer === this.#openPeer.value) this.#composerFocus.value++;
    else this.#focusOnOpen = true;
  }

  loadOlder(peer: string): void {
    const history = this.#store.state.histories.get(peer);
    if (history && canLoadOlder(history))
      this.#requestHistory(peer, { mode: "older", before: oldestCursor(history.messages) });
  }

  /** Scrolled to the bottom of a window that stops short of the newest message: the next newer page. */
  loadNewer(peer: string): void {
    const history = this.#store.state.histories.get(peer);
    const after = history && canLoadNewer(history) ? newestCursor(history.messages) : null;
    if (after) this.#requestHistory(peer, { mode: "newer", after });
  }

  /** "Jump to latest": the newest page replaces the window. */
  jumpToLatest(peer: string): void {
    this.#requestHistory(peer, { mode: "window", around: null });
  }

  /**
   * A search result was chosen: opens its conversation at that message (the page around it, unless it is already
   * loaded), which the log then scrolls to, highlights and focuses.
   */
  openAt(peer: string, key: string): void {
    const history = this.#store.state.histories.get(peer);
    const loaded = history?.messages.some((m) => m.key === key) === true && history.replacing === null;
    batch(() => {
      if (!loaded) this.#requestHistory(peer, { mode: "window", around: key });
      this.#target.value = { peer, key, seq: (this.#target.peek()?.seq ?? 0) + 1 };
    });
    this.#focusOnOpen = false;
    if (this.#openPeer.peek() !== peer) location.hash = chatHref(peer);
  }

  signOut(deleteHistory: boolean): void {
    this.#conn.stop();
    void logout(deleteHistory).then(() => this.#teardown(null));
  }

  #requestHistory(peer: string, ask: HistoryAsk): void {
    const requestId = newRequestId();
    const frame: ClientFrame =
      ask.mode === "older"
        ? { type: "history.load", requestId, peer, before: ask.before }
        : ask.mode === "newer"
          ? { type: "history.load", requestId, peer, before: null, after: ask.after }
          : { type: "history.load", requestId, peer, before: null, ...(ask.around ? { around: ask.around } : {}) };
    if (!this.send(frame)) return;
    const mode: HistoryMode = ask.mode;
    this.#store.dispatch({ kind: "history.requested", peer, requestId, mode });
    if (ask.mode === "window" && ask.around) this.#windowRequests.add(requestId);
    setTimeout(() => {
      const history = this.#store.state.histories.get(peer);
      if (history?.loading !== requestId && history?.loadingNewer !== requestId) return;
      this.#onFrame({ type: "error", code: "history-failed", message: "Loading messages timed out.", requestId });
    }, HISTORY_TIMEOUT_MS);
  }

  /**
   * The user has seen the conversation up to `key` (features/read decides when: tab looked at, message on screen).
   * The object moves the read position, sends the XEP-0333 marker and publishes XEP-0490; this tab counts ahead.
   */
  /** The participants list of `room` closed: the tab forgets them (issue #8 §3: only viewed rooms' are kept). */
  closeParticipants = (room: string): void => {
    this.#store.dispatch({ kind: "participants.closed", room });
  };

  markRead(peer: string, key: string, ts: number): boolean {
    if (!this.send({ type: "conversation.read", peer, key })) return false;
    const messages = this.#store.state.histories.get(peer)?.messages ?? [];
    const current = this.#store.state.conversations.get(peer)?.unread ?? 0;
    this.#store.dispatch({ kind: "read", peer, ts, unread: unreadAfter(messages, ts, current) });
    return true;
  }

  /** A window around a message could not be loaded (deleted since, say): the newest page instead, and why. */
  #windowFailed(requestId: string): boolean {
    if (!this.#windowRequests.delete(requestId)) return false;
    const target = this.#target.peek();
    this.#target.value = null;
    this.showBanner("That message could not be found any more.");
    if (target) this.#ensureHistory(target.peer);
    return true;
  }

  #ensureHistory(peer: string): void {
    const state = this.#store.state;
    if (state.ready && needsInitialLoad(state.histories.get(peer)))
      this.#requestHistory(peer, { mode: "older", before: null });
  }

  #settle(requestId: string, error: string | null): boolean {
    for (const settler of this.#settlers) if (settler(requestId, error)) return true;
    return false;
  }

  #onFrame(frame: ServerFrame): void {
    if (this.#destroyed) return;
    // PEP answers go to the E2EE service only; it also sees messages before they are rendered.
    if (this.e2ee.handleFrame(frame)) return;
    batch(() => this.#applyFrame(frame));
  }

  #applyFrame(frame: ServerFrame): void {
    this.#store.dispatch({ kind: "frame", frame });
    const openPeer = this.#openPeer.value;
    switch (frame.type) {
      case "snapshot":
        if (openPeer !== null) {
          this.#ensureHistory(openPeer);
          if (this.e2ee.peer(openPeer).devices === null) this.e2ee.fetchDevices(openPeer);
        }
        break;
      case "message":
        if (frame.requestId !== undefined) {
          this.#settle(frame.requestId, null);
          // Sent from this tab while the log shows an older window: show the conversation's end, where it is.
          if (this.#store.state.histories.get(frame.message.peer)?.hasNewer === true) {
            this.jumpToLatest(frame.message.peer);
          }
        }
        break;
      case "ack":
        this.#settle(frame.requestId, null);
        break;
      case "room.created":
        // Only the tab that asked opens the new group chat or channel.
        if (this.#settle(frame.requestId, null)) location.hash = chatHref(frame.room);
        break;
      case "error":
        if (frame.requestId !== undefined && this.#windowFailed(frame.requestId)) break;
        if (frame.requestId === undefined || !this.#settle(frame.requestId, frame.message)) {
          this.showBanner(frame.message);
        }
        break;
      case "connection":
      case "presence":
      case "self.presence":
      case "roster":
      case "subscription.request":
      case "subscription.handled":
      case "receipt":
      case "message.update":
      case "conversation":
      case "conversations.page":
      case "typing":
      case "draft":
      case "pong":
      case "pep.items":
      case "pep.event":
      case "room":
      case "room.participants":
      case "room.reads":
      case "room.members":
      case "invitations":
      case "room.participants.delta":
        break;
      case "history":
        this.#windowRequests.delete(frame.requestId);
        break;
      case "search.results":
        this.search.handle(frame);
        break;
      case "history.progress":
        break;
      case "room.search.results":
      case "room.affiliations":
        emitRoomAnswer(frame);
        break;
      default:
        assertNever(frame);
    }
  }

  readonly #onHashChange = (): void => {
    const next = peerFromHash(location.hash);
    if (next === this.#openPeer.value) return;
    batch(() => {
      this.#openPeer.value = next;
      if (next !== null) {
        this.#ensureHistory(next);
        this.e2ee.fetchDevices(next);
        if (this.#focusOnOpen) this.#composerFocus.value++;
      }
      this.#focusOnOpen = false;
    });
  };

  readonly #onOnline = (): void => this.#conn.reconnectNow();

  readonly #onVisible = (): void => {
    if (document.visibilityState === "visible") this.#conn.reconnectNow();
  };

  #teardown(message: string | null): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#conn.stop();
    this.e2ee.destroy();
    this.search.destroy();
    this.#unsubscribe();
    window.removeEventListener("hashchange", this.#onHashChange);
    window.removeEventListener("online", this.#onOnline);
    document.removeEventListener("visibilitychange", this.#onVisible);
    if (this.#bannerTimer !== null) clearTimeout(this.#bannerTimer);
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    this.#onSignedOut(message);
  }
}
