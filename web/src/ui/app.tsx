// The signed-in app: the header, the banner, the two panes (sidebar and chat) and the dialogs, all reading the
// session's signals (features/session/session.ts owns the store, the socket and the side effects).
import { signal, useComputed } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { chatHref } from "../core/route.ts";
import { documentTitle, totalUnread } from "../core/selectors.ts";
import { ChatPane } from "../features/chat/chat-pane.tsx";
import { DevicesDialog, type DevicesRequest } from "../features/omemo/devices.tsx";
import { Header } from "../features/session/header.tsx";
import type { Session } from "../features/session/session.ts";
import { SignOutDialog } from "../features/session/signout.tsx";
import { Alert } from "./alert.tsx";
import { focusSidebarLink, Sidebar } from "./sidebar.tsx";

export function App({ session }: { session: Session }) {
  const ui = useMemo(() => ({ signOut: signal(0), devices: signal<DevicesRequest | null>(null) }), [session]);
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
    if (peer !== null) queueMicrotask(() => focusSidebarLink(chatHref(peer)));
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
          onSettle={(s) => session.onSettle(s)}
          onActivate={(peer) => session.activate(peer)}
        />
        <ChatPane
          ownJid={session.jid}
          state={state}
          peer={openPeer}
          crypto={session.e2ee}
          cryptoVersion={cryptoVersion}
          send={session.send}
          onSettle={(s) => session.onSettle(s)}
          loadOlder={loadOlderOf(session)}
          back={back}
          openDevices={(peer) => {
            ui.devices.value = { peer };
          }}
          composerFocus={session.composerFocus}
          peekState={() => session.state.peek()}
        />
      </div>
      <DevicesDialog ownJid={session.jid} crypto={session.e2ee} request={ui.devices} />
      <SignOutDialog open={ui.signOut} onConfirm={(deleteHistory) => session.signOut(deleteHistory)} />
    </div>
  );
}

/** One function per session, so the memoised timeline is not rendered again for a new closure. */
const loadOlderFns = new WeakMap<Session, (peer: string) => void>();
function loadOlderOf(session: Session): (peer: string) => void {
  let fn = loadOlderFns.get(session);
  if (!fn) {
    fn = (peer) => session.loadOlder(peer);
    loadOlderFns.set(session, fn);
  }
  return fn;
}
