// The signed-in app: wires the store, the socket and the three views together, and owns the side effects
// (history paging, read markers, composer/roster request outcomes, document.title).
import { assertNever } from "../../../src/protocol/index.ts";
import type { ClientFrame, HistoryCursor, ServerFrame } from "../../../src/protocol/index.ts";
import { fetchMe, logout, socketUrl } from "../core/api.ts";
import { Connection } from "../core/connection.ts";
import type { AuthCheck } from "../core/connection.ts";
import { E2EEService } from "../core/e2ee.ts";
import { connectionText } from "../core/format.ts";
import { newRequestId } from "../core/ids.ts";
import { chatHref, peerFromHash } from "../core/route.ts";
import { oldestCursor } from "../core/messages.ts";
import { canLoadOlder, documentTitle, needsInitialLoad, totalUnread } from "../core/selectors.ts";
import { initialState } from "../core/state.ts";
import { Store } from "../core/store.ts";
import { createChat } from "./chat.ts";
import { createDevicesPanel } from "./devices.ts";
import { h, showAlert } from "./dom.ts";
import { createHeader } from "./header.ts";
import { createSignOutDialog } from "./signout.ts";
import { createSidebar } from "./sidebar.ts";

export interface AppOptions {
  /** Called once the app has torn itself down after sign-out or an expired session. */
  onSignedOut(message: string | null): void;
}

const HISTORY_TIMEOUT_MS = 30_000;
const BANNER_MS = 10_000;

export function startApp(root: HTMLElement, jid: string, opts: AppOptions): void {
  const store = new Store(initialState(jid));
  let openPeer = peerFromHash(location.hash);
  let everOpened = false;
  let destroyed = false;
  let focusComposerAfterRender = false;
  let bannerTimer: ReturnType<typeof setTimeout> | null = null;

  const conn = new Connection({
    url: socketUrl(location),
    onFrame: (frame) => onFrame(frame),
    onStatus: (status) => {
      if (status === "open") everOpened = true;
      scheduleRender();
    },
    checkAuth: async (): Promise<AuthCheck> => {
      const me = await fetchMe();
      return me.kind === "ok" ? "ok" : me.kind === "unauthorized" ? "unauthorized" : "unknown";
    },
    onUnauthorized: () => teardown("Your session has ended. Please sign in again."),
  });
  const send = (frame: ClientFrame): boolean => conn.send(frame);
  // OMEMO lives in this tab (web/src/crypto, loaded lazily after the first snapshot); the object only relays.
  const e2ee = new E2EEService({
    jid,
    send,
    onChange: () => scheduleRender(),
    onError: (message) => showBanner(message),
  });
  // Load the crypto chunk and open IndexedDB while the socket connects: a reopened chat then shows its
  // plaintexts as soon as its history page arrives.
  e2ee.warmUp();

  const banner = h("div", { class: "banner" });
  const showBanner = (message: string): void => {
    showAlert(banner, message);
    if (bannerTimer !== null) clearTimeout(bannerTimer);
    bannerTimer = setTimeout(() => showAlert(banner, null), BANNER_MS);
  };

  const signOutDialog = createSignOutDialog((deleteHistory) => {
    conn.stop();
    void logout(deleteHistory).then(() => teardown(null));
  });
  const header = createHeader({ send, signOut: () => signOutDialog.open() });
  const sidebar = createSidebar({
    send,
    chatHref,
    onActivate: (peer) => {
      if (peer === openPeer) queueMicrotask(() => chat.focusComposer());
      else focusComposerAfterRender = true;
    },
  });
  const devicesPanel = createDevicesPanel(jid, e2ee);
  const chat = createChat({
    ownJid: jid,
    send,
    crypto: e2ee,
    openDevices: (peer) => devicesPanel.open(peer),
    loadOlder: (peer) => {
      const history = store.state.histories.get(peer);
      if (history && canLoadOlder(history)) requestHistory(peer, oldestCursor(history.messages));
    },
    back: () => {
      const peer = openPeer;
      location.hash = "";
      if (peer !== null) queueMicrotask(() => sidebar.focus(peer));
    },
  });
  const panes = h("div", { class: "panes" }, sidebar.el, chat.el);
  root.replaceChildren(h("div", { class: "app" }, header.el, banner, panes, devicesPanel.el, signOutDialog.el));

  function requestHistory(peer: string, before: HistoryCursor | null): void {
    const requestId = newRequestId();
    if (!send({ type: "history.load", requestId, peer, before })) return;
    store.dispatch({ kind: "history.requested", peer, requestId });
    setTimeout(() => {
      if (store.state.histories.get(peer)?.loading !== requestId) return;
      onFrame({ type: "error", code: "history-failed", message: "Loading messages timed out.", requestId });
    }, HISTORY_TIMEOUT_MS);
  }

  function markRead(peer: string): void {
    if (send({ type: "conversation.read", peer })) store.dispatch({ kind: "read", peer });
  }

  function ensureHistory(peer: string): void {
    if (store.state.ready && needsInitialLoad(store.state.histories.get(peer))) requestHistory(peer, null);
  }

  function onOpened(peer: string): void {
    markRead(peer);
    ensureHistory(peer);
    e2ee.fetchDevices(peer);
  }

  function onFrame(frame: ServerFrame): void {
    if (destroyed) return;
    // PEP answers go to the E2EE service only; it also sees messages before they are rendered.
    if (e2ee.handleFrame(frame)) return;
    store.dispatch({ kind: "frame", frame });
    switch (frame.type) {
      case "snapshot":
        if (openPeer !== null) {
          if ((store.state.conversations.get(openPeer)?.unread ?? 0) > 0) markRead(openPeer);
          ensureHistory(openPeer);
          if (e2ee.peer(openPeer).devices === null) e2ee.fetchDevices(openPeer);
        }
        break;
      case "message":
        if (frame.requestId !== undefined) chat.settleSend(frame.requestId, null);
        if (frame.message.direction === "in" && frame.message.peer === openPeer) markRead(openPeer);
        break;
      case "ack":
        sidebar.settle(frame.requestId, null);
        break;
      case "error":
        if (
          frame.requestId === undefined ||
          !(chat.settleSend(frame.requestId, frame.message) || sidebar.settle(frame.requestId, frame.message))
        ) {
          showBanner(frame.message);
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
      case "history":
      case "history.progress":
      case "pong":
      case "pep.items":
      case "pep.event":
        break;
      default:
        assertNever(frame);
    }
  }

  let renderQueued = false;
  function scheduleRender(): void {
    if (renderQueued || destroyed) return;
    renderQueued = true;
    queueMicrotask(render);
  }

  function render(): void {
    renderQueued = false;
    if (destroyed) return;
    const state = store.state;
    header.update(state, connectionText(conn.status, everOpened, state.connection, state.ready));
    sidebar.update(state, openPeer);
    chat.update(state, openPeer);
    panes.classList.toggle("has-chat", openPeer !== null);
    panes.toggleAttribute("aria-busy", !state.ready);
    document.title = documentTitle(totalUnread(state.conversations));
    if (focusComposerAfterRender && openPeer !== null) chat.focusComposer();
    focusComposerAfterRender = false;
  }

  const onHashChange = (): void => {
    const next = peerFromHash(location.hash);
    if (next === openPeer) return;
    openPeer = next;
    if (next !== null) onOpened(next);
    scheduleRender();
  };
  const onOnline = (): void => conn.reconnectNow();
  const onVisible = (): void => {
    if (document.visibilityState === "visible") conn.reconnectNow();
  };
  window.addEventListener("hashchange", onHashChange);
  window.addEventListener("online", onOnline);
  document.addEventListener("visibilitychange", onVisible);
  const unsubscribe = store.subscribe(scheduleRender);

  function teardown(message: string | null): void {
    if (destroyed) return;
    destroyed = true;
    conn.stop();
    e2ee.destroy();
    unsubscribe();
    window.removeEventListener("hashchange", onHashChange);
    window.removeEventListener("online", onOnline);
    document.removeEventListener("visibilitychange", onVisible);
    if (bannerTimer !== null) clearTimeout(bannerTimer);
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    opts.onSignedOut(message);
  }

  render();
  conn.start();
}
