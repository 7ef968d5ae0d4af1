// The signed-in app: the header, the banner, the two panes (sidebar and chat) and the dialogs, all reading the
// session's signals (features/session/session.ts owns the store, the socket and the side effects).
import { signal, useComputed } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { chatHref } from "../core/route.ts";
import { documentTitle, totalUnread } from "../core/selectors.ts";
import { ChatPane } from "../features/chat/chat-pane.tsx";
import { DevicesDialog, type DevicesRequest } from "../features/omemo/devices.tsx";
import { Header } from "../features/session/header.tsx";
import type { Session, Settler } from "../features/session/session.ts";
import { SignOutDialog } from "../features/session/signout.tsx";
import { withRooms } from "../features/rooms/room-crypto.ts";
import { Alert } from "./alert.tsx";
import { focusSidebarLink, Sidebar } from "./sidebar.tsx";

export function App({ session }: { session: Session }) {
  // Stable for the session's lifetime: the memoised rows and the timeline compare their props by identity.
  const ui = useMemo(() => {
    const devices = signal<DevicesRequest | null>(null);
    return {
      signOut: signal(0),
      devices,
      onSettle: (settler: Settler) => session.onSettle(settler),
      activate: (peer: string) => session.activate(peer),
      loadOlder: (peer: string) => session.loadOlder(peer),
      markRead: (peer: string, key: string, ts: number) => session.markRead(peer, key, ts),
      loadNewer: (peer: string) => session.loadNewer(peer),
      jumpToLatest: (peer: string) => session.jumpToLatest(peer),
      openDevices: (peer: string) => {
        devices.value = { peer };
      },
      peekState: () => session.state.peek(),
      // Rooms are not encrypted (yet): the chat's crypto says so for them (features/rooms/room-crypto.ts).
      crypto: withRooms(session.e2ee, session.e2ee.groups, (peer) => session.state.peek().rooms.get(peer)),
      openAt: (peer: string, key: string) => session.openAt(peer, key),
      // At phone width an open chat hides the sidebar: the search shortcut shows it again.
      reveal: () => {
        if (window.matchMedia("(max-width: 719px)").matches && location.hash !== "") location.hash = "";
      },
    };
  }, [session]);
  const state = session.state.value;
  const openPeer = session.openPeer.value;
  const cryptoVersion = session.cryptoVersion.value;
  const unread = useComputed(() => totalUnread(session.state.value.conversations));

  useEffect(() => {
    document.title = documentTitle(unread.value);
  }, [unread.value]);
  useEffect(() => session.start(), [session]);

  const back = (): void => {
    const peer = openPeer;
    location.hash = "";
    if (peer === null) return;
    // Back to the search results it was opened from (issue #7 §5), else to the conversation's link.
    if (session.search.view.peek().status !== "idle") {
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('.sidebar .search-hit[aria-current="true"]')?.focus(),
      );
    } else queueMicrotask(() => focusSidebarLink(chatHref(peer)));
  };

  return (
    <div class="app">
      <Header
        state={state}
        connectionText={session.connectionText.value}
        send={session.send}
        signOut={() => ui.signOut.value++}
      />
      <div class="banner">
        <Alert message={session.banner.value} />
      </div>
      <div class={openPeer !== null ? "panes has-chat" : "panes"} aria-busy={!state.ready || undefined}>
        <Sidebar
          state={state}
          openPeer={openPeer}
          send={session.send}
          onSettle={ui.onSettle}
          onActivate={ui.activate}
          search={session.search}
          target={session.target.value}
          openAt={ui.openAt}
          reveal={ui.reveal}
        />
        <ChatPane
          ownJid={session.jid}
          state={state}
          peer={openPeer}
          crypto={ui.crypto}
          cryptoVersion={cryptoVersion}
          send={session.send}
          closeParticipants={session.closeParticipants}
          onSettle={ui.onSettle}
          loadOlder={ui.loadOlder}
          markRead={ui.markRead}
          loadNewer={ui.loadNewer}
          openAt={ui.openAt}
          jumpToLatest={ui.jumpToLatest}
          target={session.target.value}
          back={back}
          openDevices={openPeer !== null && state.rooms.has(openPeer) ? undefined : ui.openDevices}
          composerFocus={session.composerFocus}
          peekState={ui.peekState}
        />
      </div>
      <DevicesDialog ownJid={session.jid} crypto={session.e2ee} request={ui.devices} />
      <SignOutDialog open={ui.signOut} onConfirm={(deleteHistory) => session.signOut(deleteHistory)} />
    </div>
  );
}
