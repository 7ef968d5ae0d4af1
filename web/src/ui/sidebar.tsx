// The left pane: the search box and, while a search is shown, its results (features/search); else conversations
// (features/conversations), pending contact requests, the roster and "Add contact" (features/roster).
import type { ClientFrame } from "../../../src/protocol/index.ts";
import type { AppState } from "../core/state.ts";
import { ConversationList } from "../features/conversations/conversation-list.tsx";
import { AddContact } from "../features/roster/add-contact.tsx";
import { ContactList } from "../features/roster/contact-list.tsx";
import { Requests } from "../features/roster/requests.tsx";
import { NewConversation } from "../features/rooms/new-conversation.tsx";
import { Invitations, pendingInvitations } from "../features/rooms/invitations.tsx";
import { SearchBox, SearchResults } from "../features/search/search-panel.tsx";
import type { SearchModel } from "../features/search/search.ts";
import type { Settler, Target } from "../features/session/session.ts";

export interface SidebarProps {
  state: AppState;
  openPeer: string | null;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
  /** Called on activation of a conversation or contact link (the hash change does the opening). */
  onActivate(peer: string): void;
  search: SearchModel;
  /** The message the last chosen result points at. */
  target: Target | null;
  openAt(peer: string, key: string): void;
  /** Shows the sidebar (at phone width, an open chat hides it). */
  reveal(): void;
}

export function Sidebar(props: SidebarProps) {
  const { state, openPeer, send, onSettle, onActivate, search } = props;
  const searching = search.view.value.status !== "idle";
  return (
    <nav class="sidebar" aria-label="Conversations">
      <SearchBox search={search} reveal={props.reveal} />
      {searching ? (
        <SearchResults search={search} state={state} current={props.target} openAt={props.openAt} />
      ) : (
        <Lists state={state} openPeer={openPeer} send={send} onSettle={onSettle} onActivate={onActivate} />
      )}
    </nav>
  );
}

function Lists(props: Omit<SidebarProps, "search" | "target" | "openAt" | "reveal">) {
  const { state, openPeer, send, onSettle, onActivate } = props;
  return (
    <>
      <div class="conv-head">
        <h2 id="conv-heading" tabIndex={-1}>
          Conversations
        </h2>
        <NewConversation
          send={send}
          onSettle={onSettle}
          newChat={() => document.getElementById("add-contact-jid")?.focus()}
          contacts={state.roster}
        />
      </div>
      <ConversationList state={state} openPeer={openPeer} send={send} onSettle={onSettle} onActivate={onActivate} />
      <Invitations
        invitations={pendingInvitations(state.invitations, state.rooms)}
        roster={state.roster}
        send={send}
        onSettle={onSettle}
      />
      <Requests requests={state.requests} send={send} />
      <h2 id="contacts-heading">Contacts</h2>
      <ContactList state={state} openPeer={openPeer} onActivate={onActivate} />
      <AddContact roster={state.roster} send={send} onSettle={onSettle} />
    </>
  );
}

/** Moves focus to the conversation (or else contact) link of `peer` in the sidebar. */
export function focusSidebarLink(href: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>(".sidebar a[href]")) {
    if (a.getAttribute("href") === href) {
      a.focus();
      return;
    }
  }
}
