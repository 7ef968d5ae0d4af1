// The render benchmark's page (bench/render.mjs builds it with Vite, apart from the app's bundle): a 1,000-message
// conversation rendered in Chromium by the real chat pane (ChatPane -> Timeline -> memoised blocks of Messages), fed
// the real store and reducer (core/store.ts, core/state.ts) and a signal as features/session/session.ts does; it
// mounts the log in stages (the newest messages, then older ones chunk by chunk). For comparison: `whole`, the same
// pane mounting all 1,000 in its first render (as it did before the staging); and the naive way, the same message
// components, the whole log rebuilt from scratch per event.
// Everything is timed in the page; long tasks come from the Long Tasks API (PerformanceObserver "longtask").
import "../../web/src/styles.css";
import { signal, type ReadonlySignal } from "@preact/signals";
import { render } from "preact";
import type { ChatMessage } from "../../src/protocol/index.ts";
import type { ComposerCrypto, EncryptedSend, PlainView } from "../../web/src/core/e2ee.ts";
import { initialState, type AppState } from "../../web/src/core/state.ts";
import { Store } from "../../web/src/core/store.ts";
import { ActionsContext, type ActionsApi } from "../../web/src/features/actions/api.ts";
import { ChatPane } from "../../web/src/features/chat/chat-pane.tsx";
import type { ChatCrypto } from "../../web/src/features/chat/crypto.ts";
import { LogBlock, type LogRow } from "../../web/src/features/chat/log-block.tsx";
import type { MessageProps } from "../../web/src/features/chat/message.tsx";
import { MountPlanContext } from "../../web/src/features/timeline/use-staged-mount.ts";
import { BLOCK_MAX, STEP_BUDGET_MS, type MountPlan } from "../../web/src/features/timeline/stages.ts";
import { outgoingStatus } from "../../web/src/core/conversation-order.ts";
import { dayKey } from "../../web/src/features/timeline/days.ts";
import { timelineItems } from "../../web/src/features/timeline/items.ts";
import {
  EventSource,
  PEER,
  SELF,
  conversationMessages,
  eventKinds,
  historyPages,
  plaintextOf,
  snapshot,
  type EventKind,
} from "./fixtures.ts";

export type Variant = "ours" | "whole" | "naive";

export interface LongTask {
  readonly start: number;
  readonly duration: number;
}

export interface RenderRun {
  readonly variant: Variant;
  readonly messages: number;
  /** render() called -> the log laid out (synchronous part), and -> the next frame painted. */
  readonly firstRenderMs: number;
  readonly firstPaintMs: number;
  /** render() called -> every message mounted and painted (the last chunk of a staged mount). */
  readonly allMountedMs: number;
  /** Frames painted until every message was mounted (1 for all at once). */
  readonly mountFrames: number;
  /** performance.now() bounds of the phases, to attribute long tasks (and trace tasks) to them. */
  readonly mount: { readonly start: number; readonly end: number };
  readonly events: { readonly start: number; readonly end: number };
  /** Per event: the frame dispatched -> the DOM updated and laid out (the task's synchronous work). */
  readonly updates: readonly number[];
  readonly kinds: readonly EventKind[];
  readonly longTasks: readonly LongTask[];
  readonly domNodes: number;
  readonly articles: number;
  /** What the log shows at the end (both variants must agree). */
  readonly digest: string;
}

declare global {
  interface Window {
    parleyRenderBench?: { run(variant: Variant, events?: number): Promise<RenderRun> };
  }
}

const ENCRYPT_OFF: ComposerCrypto = { encrypt: false, explicit: false, status: "", warning: false };
const NOT_SENT: EncryptedSend = { ok: false, error: "not in the bench", offerPlain: false };

/** ChatCrypto with every encrypted message already decrypted (as the plaintext cache gives them). */
function fakeCrypto(): ChatCrypto {
  const plain = new Map<string, PlainView>();
  return {
    version: 1,
    plaintext(key) {
      let v = plain.get(key);
      if (v === undefined) {
        v = { kind: "text", text: plaintextOf(key), sender: 4242 };
        plain.set(key, v);
      }
      return v;
    },
    security: () => ({ deviceId: 4242, trust: "verified", self: false }),
    composer: () => ENCRYPT_OFF,
    setEncrypt: () => {},
    encryptFor: () => Promise.resolve(false),
    sendEncrypted: () => Promise.resolve(NOT_SENT),
    forgetSend: () => {},
    omemoSince: () => null,
    notices: () => [],
  };
}

/** The store with the conversation loaded the way the app loads it: a snapshot, then history pages. */
function loadedStore(messages: readonly ChatMessage[], peerReadTs: number): Store {
  const store = new Store(initialState(SELF));
  store.dispatch({ kind: "frame", frame: snapshot(messages, peerReadTs) });
  for (const { requestId, frame } of historyPages(messages)) {
    store.dispatch({ kind: "history.requested", peer: PEER, requestId });
    store.dispatch({ kind: "frame", frame });
  }
  return store;
}

function messagesOf(state: AppState): readonly ChatMessage[] {
  return state.histories.get(PEER)?.messages ?? [];
}

/** Mounting all messages in the first render, as the log did before it was staged (issue #7 §7). */
const WHOLE: MountPlan = { first: Number.POSITIVE_INFINITY, budgetMs: STEP_BUDGET_MS };

/** As ui/app.tsx: a component reading the session's state signal and giving it to the chat pane. */
function OursApp(props: { state: ReadonlySignal<AppState>; crypto: ChatCrypto; store: Store; plan: MountPlan | null }) {
  return (
    <MountPlanContext.Provider value={props.plan}>
      <OursPane {...props} />
    </MountPlanContext.Provider>
  );
}

function OursPane({ state, crypto, store }: { state: ReadonlySignal<AppState>; crypto: ChatCrypto; store: Store }) {
  return (
    <div class="app">
      <div class="panes has-chat">
        <div />
        <ChatPane
          ownJid={SELF}
          state={state.value}
          peer={PEER}
          crypto={crypto}
          cryptoVersion={crypto.version}
          send={SEND}
          onSettle={ON_SETTLE}
          loadOlder={NOOP}
          markRead={MARK_READ}
          loadNewer={NOOP}
          openAt={NOOP}
          jumpToLatest={NOOP}
          target={null}
          back={NOOP}
          composerFocus={FOCUS}
          peekState={() => store.state}
        />
      </div>
    </div>
  );
}
const NOOP = (): void => {};
const SEND = (): boolean => true;
/** As session.markRead: the read position moves on at once in the tab (the object's answer is not played). */
let markReadInto: Store | null = null;
const MARK_READ = (_peer: string, key: string, ts: number): boolean => {
  const store = markReadInto;
  if (!store) return false;
  const messages = messagesOf(store.state);
  const at = messages.findIndex((m) => m.key === key);
  const unread = messages.slice(at + 1).filter((m) => m.direction === "in").length;
  store.dispatch({ kind: "read", peer: PEER, ts, unread });
  return true;
};
const ON_SETTLE = (): (() => void) => NOOP;
const FOCUS = signal(0);

/**
 * The naive log: the same message components in the same blocks of rows (so the browser skips the same off-screen
 * work), the whole tree thrown away and rebuilt on every event.
 */
function NaiveLog({ state, crypto, actions }: { state: AppState; crypto: ChatCrypto; actions: ActionsApi }) {
  const conv = state.conversations.get(PEER);
  const rows = timelineItems(messagesOf(state), []).flatMap((item): LogRow[] => {
    if (item.kind === "day") return [item];
    if (item.kind !== "message") return [];
    const m = item.message;
    const props: MessageProps = {
      m,
      plain: m.encrypted ? crypto.plaintext(m.key) : undefined,
      editPlain: m.edit?.encrypted ? crypto.plaintext(m.edit.key) : undefined,
      quotePlain: m.replyTo?.key ? crypto.plaintext(m.replyTo.key) : undefined,
      sec: m.encrypted ? crypto.security(m.key, m.peer, m.direction) : null,
      clear: false,
      continued: item.continued,
      status: outgoingStatus(m, conv),
      peer: PEER,
      name: "Bob",
    };
    return [{ kind: "message", key: item.key, props }];
  });
  const blocks: LogRow[][] = [];
  for (let i = 0; i < rows.length; i += BLOCK_MAX) blocks.push(rows.slice(i, i + BLOCK_MAX));
  const today = dayKey(Date.now());
  return (
    <ActionsContext.Provider value={actions}>
      <div class="app">
        <div class="panes has-chat">
          <div />
          <main class="chat">
            <div class="chat-body">
              <div class="log" role="log" aria-label="Messages" tabIndex={0}>
                <div class="log-list">
                  {blocks.map((block) => (
                    <LogBlock rows={block} today={today} />
                  ))}
                </div>
              </div>
            </div>
          </main>
        </div>
      </div>
    </ActionsContext.Provider>
  );
}

function naiveActions(): ActionsApi {
  return {
    self: SELF,
    nameOf: (jid) => (jid === PEER ? "Bob" : jid),
    reply: NOOP,
    edit: NOOP,
    remove: NOOP,
    react: NOOP,
    canModerate: () => false,
    moderate: NOOP,
    copy: NOOP,
    jumpTo: NOOP,
  };
}

/** Resolves after the next frame was produced (a task posted from requestAnimationFrame runs after its paint). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(null);
    }),
  );
}

/** Runs `fn` in a task of its own (a message posted to the page), as a socket message or a click would be. */
function inTask<T>(fn: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      try {
        resolve(fn());
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    ch.port2.postMessage(null);
  });
}

/**
 * A conversation of 1,000 loaded messages is one the user has scrolled back through, page by page, in a running app:
 * its code has run and its date formats are made (the conversation list shows times). So before the measured mount,
 * the pane shows one page of the conversation once and goes away (the same for every variant).
 */
async function warmUp(root: HTMLElement, messages: readonly ChatMessage[], crypto: ChatCrypto): Promise<void> {
  const page = messages.slice(-50);
  const store = loadedStore(page, page.at(-1)?.ts ?? 0);
  render(<OursApp state={signal(store.state)} crypto={crypto} store={store} plan={WHOLE} />, root);
  await nextPaint();
  render(null, root);
  await nextPaint();
}

/** Whether every message of the store is mounted in the log (a staged mount is done). */
function allMounted(count: number): boolean {
  return (
    document.querySelector('.log[aria-busy="true"]') === null &&
    document.querySelectorAll(".log article").length >= count
  );
}

/** Lets queued microtasks (Preact's render queue) run, then forces style and layout of what they changed. */
async function rendered(): Promise<void> {
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  document.querySelector(".log")?.getBoundingClientRect();
}

/** The log is scrolled to its end (the newest message in view), as a conversation opens and follows new messages. */
function atBottom(): boolean {
  const log = document.querySelector(".log");
  return log !== null && log.scrollHeight - log.scrollTop - log.clientHeight < 2;
}

function logDigest(mounted: boolean): string {
  const articles = [...document.querySelectorAll(".log article")];
  const chips = document.querySelectorAll(".log .chip").length;
  const read = document.querySelectorAll('.log [aria-label="Read"]').length;
  const delivered = document.querySelectorAll('.log [aria-label="Delivered"]').length;
  const last = articles.at(-1)?.textContent?.slice(0, 40) ?? "";
  const where = (ok: boolean) => (ok ? "at the bottom" : "NOT at the bottom");
  return `${articles.length} articles, ${chips} chips, ${read} read, ${delivered} delivered, last "${last}", ${where(mounted)} once mounted, ${where(atBottom())} at the end`;
}

async function run(variant: Variant, events?: number): Promise<RenderRun> {
  const longTasks: LongTask[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ type: "longtask", buffered: true });

  const messages = conversationMessages(Date.now());
  const peerReadTs = messages[Math.floor(messages.length * 0.9)]?.ts ?? 0;
  const store = loadedStore(messages, peerReadTs);
  const crypto = fakeCrypto();
  const root = document.getElementById("root");
  if (!root) throw new Error("no #root");
  await warmUp(root, messages, crypto);
  await nextPaint();

  performance.mark("parley:mount:start");
  // The first render in a task of its own, so the trace has it as one (page.evaluate's own task is not a RunTask).
  const { mountStart, firstRenderMs } = await inTask(() => {
    const t0 = performance.now();
    if (variant === "ours" || variant === "whole") {
      // As features/session/session.ts: the store's listener sets the state signal; the app reads it.
      markReadInto = store;
      const state = signal(store.state);
      store.subscribe((next) => {
        state.value = next;
      });
      render(<OursApp state={state} crypto={crypto} store={store} plan={variant === "ours" ? null : WHOLE} />, root);
    } else {
      const actions = naiveActions();
      const redraw = () => {
        render(null, root);
        render(<NaiveLog state={store.state} crypto={crypto} actions={actions} />, root);
        // A naive log keeps itself at the bottom by hand.
        const log = root.querySelector(".log");
        if (log) log.scrollTop = log.scrollHeight;
      };
      store.subscribe(() => redraw());
      redraw();
    }
    root.querySelector(".log")?.getBoundingClientRect();
    return { mountStart: t0, firstRenderMs: performance.now() - t0 };
  });
  await nextPaint();
  const firstPaintMs = performance.now() - mountStart;
  // A staged mount goes on in tasks of its own: wait for its last chunk (and the frame after it).
  let mountFrames = 1;
  const total = messagesOf(store.state).length;
  while (!allMounted(total)) {
    await nextPaint();
    mountFrames++;
    if (performance.now() - mountStart > 60_000) throw new Error("the log was not all mounted within a minute");
  }
  await nextPaint();
  const allMountedMs = performance.now() - mountStart;
  const bottomOnceMounted = atBottom();
  performance.mark("parley:mount:end");
  const mountEnd = performance.now();
  // Let the passive effects (read tracking, measurements) of the first render run outside the event phase.
  await new Promise((resolve) => setTimeout(resolve, 600));
  await nextPaint();

  const all = eventKinds();
  const kinds = events === undefined ? all : all.slice(0, events);
  const source = new EventSource(peerReadTs);
  const updates: number[] = [];
  performance.mark("parley:events:start");
  const eventsStart = performance.now();
  for (const kind of kinds) {
    const frame = source.next(kind, messagesOf(store.state), store.state.conversations.get(PEER));
    if (frame === null) continue;
    // Each event is its own task, as a socket message is: dispatch, Preact's render (a microtask), layout.
    const t0 = performance.now();
    store.dispatch({ kind: "frame", frame });
    await rendered();
    updates.push(performance.now() - t0);
    await nextPaint();
  }
  await new Promise((resolve) => setTimeout(resolve, 600));
  performance.mark("parley:events:end");
  const eventsEnd = performance.now();
  observer.disconnect();
  return {
    variant,
    messages: messagesOf(store.state).length,
    firstRenderMs,
    firstPaintMs,
    allMountedMs,
    mountFrames,
    mount: { start: mountStart, end: mountEnd },
    events: { start: eventsStart, end: eventsEnd },
    updates,
    kinds,
    longTasks,
    domNodes: document.getElementsByTagName("*").length,
    articles: document.querySelectorAll(".log article").length,
    digest: logDigest(bottomOnceMounted),
  };
}

window.parleyRenderBench = { run };
