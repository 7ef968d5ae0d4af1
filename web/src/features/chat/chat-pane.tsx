// The right pane: the open conversation's header, "Load older messages", the message log and the composer; or, with
// no conversation open, a hint. The sending state (features/chat/sender.ts), the typing notifier and the draft sync
// live as long as the pane, so a message in flight in one conversation survives switching to another. A log opened
// at a search result that stops short of the newest message has "Jump to latest" below it (issue #7 §5).
import type { ReadonlySignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { ChatMessage, ClientFrame } from "../../../../src/protocol/index.ts";
import { canLoadOlder, displayName } from "../../core/selectors.ts";
import type { AppState } from "../../core/state.ts";
import { DraftSync } from "../drafts/sync.ts";
import { TypingNotifier } from "../typing/notifier.ts";
import type { Settler, Target } from "../session/session.ts";
import { ChatHeader } from "./chat-header.tsx";
import { Composer } from "./composer.tsx";
import type { ChatCrypto } from "./crypto.ts";
import { RoomHeader } from "../rooms/room-header.tsx";
import { Sender } from "./sender.ts";
import { Timeline } from "./timeline.tsx";
import { ActionsContext } from "../actions/api.ts";
import { paneActions } from "../actions/pane-actions.ts";
import { lastEditable } from "../actions/text.ts";
import { newRequestId } from "../../core/ids.ts";

export interface ChatPaneProps {
  /** The signed-in account (its own device changes read "Your account …"). */
  ownJid: string;
  state: AppState;
  peer: string | null;
  crypto: ChatCrypto;
  cryptoVersion: number;
  send(frame: ClientFrame): boolean;
  /** Registers the handler of the answers to this pane's message.send frames. */
  onSettle(settler: Settler): () => void;
  loadOlder(peer: string): void;
  /** Reports reading up to a message (session.markRead). */
  markRead(peer: string, key: string, ts: number): boolean;
  /** Opens the conversation at a message (the page around it when it is not loaded). */
  openAt(peer: string, key: string): void;
  /** The newer page of a window that stops short of the newest message. */
  loadNewer(peer: string): void;
  jumpToLatest(peer: string): void;
  /** The message a chosen search result points at (in whichever conversation). */
  target: Target | null;
  back(): void;
  openDevices?(peer: string): void;
  /** A room's participants list closed (the tab drops it). */
  closeParticipants?(room: string): void;
  composerFocus: ReadonlySignal<number>;
  /** The current app state without subscribing (for the draft sync's comparisons). */
  peekState(): AppState;
}

function LogTop({ state, peer, loadOlder }: { state: AppState; peer: string; loadOlder(peer: string): void }) {
  const history = state.histories.get(peer);
  const loading = Boolean(history?.loading);
  const loadingFirst = history?.loading && history.hasMore === null;
  const noneYet = history?.hasMore === false && history.messages.length === 0;
  return (
    <div class="log-top">
      <button
        type="button"
        class="older"
        hidden={!canLoadOlder(history) && !(history?.loading && history.messages.length > 0)}
        disabled={loading}
        onClick={() => loadOlder(peer)}
      >
        {loading ? "Loading older messages…" : "Load older messages"}
      </button>
      {history?.filling !== undefined && (
        // Issue #7 §6: a hole in the history is being filled from the server's archive.
        <p class="log-progress" role="status">
          <progress aria-label="Loading missed messages" />{" "}
          {history.filling > 0 ? `${history.filling} missed messages loaded…` : "Loading missed messages…"}
        </p>
      )}
      <p class="log-note" aria-live="polite">
        {loadingFirst ? "Loading messages…" : noneYet ? "No messages yet. Say hello!" : ""}
      </p>
    </div>
  );
}

export function ChatPane(props: ChatPaneProps) {
  const { peer, state, crypto } = props;
  const openPeer = useRef(peer);
  openPeer.current = peer;
  const parts = useMemo(() => {
    const typing = new TypingNotifier({ send: props.send, visible: () => document.visibilityState === "visible" });
    // Drafts (issue #7 §4): the object keeps them for every tab (features/drafts).
    const drafts = new DraftSync({
      send: props.send,
      inClear: (p) => crypto.composer(p).encrypt === false,
      known: (p) => props.peekState().drafts.get(p),
    });
    const sender = new Sender({
      send: props.send,
      crypto,
      sent: (p) => {
        typing.sent();
        drafts.sent(p);
      },
    });
    // Message actions (issue #7 §2): one stable object, so the memoised messages never render for it.
    const actions = paneActions({
      self: props.ownJid,
      peer: () => openPeer.current,
      peekState: props.peekState,
      send: props.send,
      sender,
      crypto,
      openAt: props.openAt,
      focusComposer: () => document.getElementById("composer-input")?.focus(),
    });
    return { typing, sender, drafts, actions };
  }, []);
  useEffect(() => props.onSettle((id, error) => parts.sender.settle(id, error)), []);
  // "Read by" in a group chat (issue #8 §1): asked once per opening; changes come by themselves.
  const groupChat = peer !== null && state.rooms.get(peer)?.kind === "group" ? peer : null;
  const joinedGroup = groupChat !== null && state.rooms.get(groupChat)?.state === "joined";
  useEffect(() => {
    if (groupChat !== null && joinedGroup)
      props.send({ type: "room.reads", requestId: newRequestId(), room: groupChat });
  }, [groupChat, joinedGroup]);
  // The names "@" completes (issue #8 §1): the participants, asked once per opening of a joined room.
  const joinedRoom = peer !== null && state.rooms.get(peer)?.state === "joined" ? peer : null;
  useEffect(() => {
    if (joinedRoom !== null && !props.peekState().participants.has(joinedRoom)) {
      props.send({ type: "room.participants", requestId: newRequestId(), room: joinedRoom });
    }
  }, [joinedRoom]);

  if (peer === null) {
    return (
      <main class="chat">
        <div class="chat-empty">
          <p>Select a conversation or a contact to start chatting.</p>
        </div>
      </main>
    );
  }
  const history = state.histories.get(peer);
  const messages = history?.messages ?? EMPTY;
  const room = state.rooms.get(peer);
  return (
    <ActionsContext.Provider value={parts.actions}>
      <main class="chat">
        <div
          class="chat-body"
          onKeyDown={(ev) => {
            if (ev.key === "Escape" && !ev.defaultPrevented && window.matchMedia("(max-width: 719px)").matches) {
              props.back();
            }
          }}
        >
          {room ? (
            <RoomHeader
              room={room}
              name={displayName(state, peer)}
              back={props.back}
              send={props.send}
              participants={state.participants.get(peer)}
              onSettle={props.onSettle}
              closeParticipants={props.closeParticipants}
            />
          ) : (
            <ChatHeader state={state} peer={peer} back={props.back} openDevices={props.openDevices} />
          )}
          <LogTop state={state} peer={peer} loadOlder={props.loadOlder} />
          <Timeline
            key={`${peer}#${history?.window ?? 0}`}
            peer={peer}
            name={displayName(state, peer)}
            ownJid={props.ownJid}
            messages={messages}
            complete={history?.hasMore === false}
            crypto={crypto}
            cryptoVersion={props.cryptoVersion}
            loadOlder={props.loadOlder}
            conversation={state.conversations.get(peer)}
            markRead={props.markRead}
            hasNewer={history?.hasNewer === true}
            loadNewer={props.loadNewer}
            target={props.target?.peer === peer ? props.target : null}
            reads={room?.kind === "group" ? state.roomReads.get(peer) : undefined}
            events={room?.kind === "group" ? state.roomEvents.get(peer) : undefined}
            ownNick={room?.nick}
          />
          {history?.hasNewer === true && (
            <div class="log-bottom">
              <button type="button" class="jump-latest" onClick={() => props.jumpToLatest(peer)}>
                Jump to latest
              </button>
            </div>
          )}
          <Composer
            peer={peer}
            objectDraft={state.drafts.get(peer)}
            crypto={crypto}
            cryptoVersion={props.cryptoVersion}
            sender={parts.sender}
            typing={parts.typing}
            drafts={parts.drafts}
            focus={props.composerFocus}
            name={displayName(state, peer)}
            lastOwn={lastEditable(messages)}
            encryptable={room === undefined || room.kind === "group"}
            nicks={room ? roomNicks(state.participants.get(peer)?.list, messages) : undefined}
            ownNick={room?.nick}
          />
          <p class="actions-status" aria-live="polite">
            {parts.actions.status.value ?? ""}
          </p>
        </div>
      </main>
    </ActionsContext.Provider>
  );
}

const EMPTY: readonly never[] = [];

/** Whom "@" offers in a room: the participants the tab knows of, and the senders of the loaded messages. */
function roomNicks(
  participants: readonly { nick: string }[] | undefined,
  messages: readonly ChatMessage[],
): readonly string[] {
  const nicks = new Set((participants ?? []).map((p) => p.nick));
  for (const m of messages) if (m.from) nicks.add(m.from.nick);
  return [...nicks];
}
