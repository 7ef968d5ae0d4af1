// The big room benchmark's page (bench/big-room-render.mjs builds it with Vite, apart from the app's bundle): the
// real "Participants" dialog (web/src/features/rooms/participants.tsx, VirtualList) fed by the real store and
// reducer (core/store.ts, core/state.ts), with an in-page stand-in for the object that answers its page requests
// from a sorted list of N participants (frames serialised and parsed, as over the socket, one macrotask each).
//   ours   what the object sends after a join: the room's count and one snapshot (first page), then the pages the
//          list asks for; then the list is scrolled from top to bottom;
//   naive  one frame per presence (N deltas of one participant, each its own macrotask, the list open).
// Long tasks come from the Long Tasks API; memory from performance.memory (Chromium, precise with its flag).
import "../../web/src/styles.css";
import { render } from "preact";
import type { ClientFrame, ParticipantView, RoomView, ServerFrame } from "../../src/protocol/index.ts";
import { compareParticipants, FIRST_PAGE, matchesQuery } from "../../src/protocol/participants.ts";
import { initialState } from "../../web/src/core/state.ts";
import { Store } from "../../web/src/core/store.ts";
import { ParticipantsDialog } from "../../web/src/features/rooms/participants.tsx";

const ROOM = "big@conference.localhost";
const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: "longtask", buffered: true });

function people(n: number): ParticipantView[] {
  const out: ParticipantView[] = [{ nick: "owner", role: "moderator", affiliation: "owner", show: "online" }];
  for (let i = 0; i < n - 1; i++) {
    out.push({ nick: `p${i}`, role: "participant", affiliation: "none", show: "online", occupantId: `id-${i}` });
  }
  return out.sort(compareParticipants);
}

function roomView(n: number): RoomView {
  return {
    room: ROOM,
    kind: "channel",
    nick: "me",
    state: "joined",
    participants: n,
    role: "participant",
    affiliation: "none",
    autojoin: true,
    notify: null,
  };
}

const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
const painted = (): Promise<number> =>
  new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()))));
const memory = (): number => Number(Reflect.get(Reflect.get(performance, "memory") ?? {}, "usedJSHeapSize") ?? 0);

async function until(done: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function run(variant: "ours" | "naive", n: number) {
  const all = people(n);
  const store = new Store(initialState("me@localhost"));
  const deliver = (frame: ServerFrame): void => {
    const parsed = JSON.parse(JSON.stringify(frame)) as ServerFrame; // what the socket does to every frame
    store.dispatch({ kind: "frame", frame: parsed });
  };
  store.dispatch({ kind: "frame", frame: { type: "room", room: roomView(variant === "ours" ? n : 0) } });
  let frames = 0;
  // The object: pages of the sorted list, one macrotask later.
  const send = (frame: ClientFrame): boolean => {
    if (frame.type !== "room.participants") return true;
    const query = frame.query ?? "";
    const matching = query === "" ? all : all.filter((p) => matchesQuery(p, query));
    const offset = frame.offset ?? 0;
    void nextTask().then(() => {
      frames++;
      deliver({
        type: "room.participants",
        requestId: frame.requestId,
        room: ROOM,
        participants: matching.slice(offset, offset + (frame.limit ?? 2_000)),
        total: all.length,
        ...(offset > 0 ? { offset } : {}),
      });
    });
    return true;
  };
  const root = document.getElementById("root");
  if (!root) throw new Error("no root");
  const draw = (): void =>
    render(
      <ParticipantsDialog
        room={ROOM}
        open={true}
        onClose={() => undefined}
        participants={store.state.participants.get(ROOM)}
        send={send}
      />,
      root,
    );
  store.subscribe(draw);
  const before = longTasks.length;
  const mem0 = memory();
  const t0 = performance.now();
  let firstPaint = 0;
  if (variant === "ours") {
    // Right after our self-presence: the count, then the snapshot (first page).
    frames++;
    deliver({
      type: "room.participants.delta",
      rooms: [{ room: ROOM, total: n, reset: true, added: all.slice(0, FIRST_PAGE), changed: [], removed: [] }],
    });
    draw();
    await until(() => document.querySelector('[role="listitem"]') !== null);
    firstPaint = (await painted()) - t0;
    await until(() => (store.state.participants.get(ROOM)?.list.length ?? 0) >= n);
  } else {
    draw();
    await until(() => store.state.participants.has(ROOM));
    // Then one frame per presence, as they come from the room (in Prosody's order, not the list's).
    const arrival = all.toReversed();
    for (const p of arrival) {
      frames++;
      deliver({
        type: "room.participants.delta",
        rooms: [{ room: ROOM, total: n, added: [p], changed: [], removed: [] }],
      });
      await nextTask();
    }
    await until(() => (store.state.participants.get(ROOM)?.list.length ?? 0) >= n);
    firstPaint = (await painted()) - t0;
  }
  const loaded = performance.now() - t0;
  const mem1 = memory();
  const joinTasks = longTasks.slice(before).map((t) => t.duration);
  // Scrolling the whole list, a screenful and a half per frame.
  const scroller = document.querySelector<HTMLElement>(".vlist");
  const scrollBefore = longTasks.length;
  const s0 = performance.now();
  if (scroller) {
    while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
      scroller.scrollTop += Math.max(200, scroller.clientHeight * 1.5);
      await painted();
    }
  }
  const scrollMs = performance.now() - s0;
  const scrollTasks = longTasks.slice(scrollBefore).map((t) => t.duration);
  const rows = document.querySelectorAll('[role="listitem"]').length;
  const lastRow = document.querySelector('[role="listitem"]:last-child')?.getAttribute("aria-posinset");
  render(null, root);
  return {
    variant,
    participants: n,
    frames,
    firstPaintMs: firstPaint,
    loadedMs: loaded,
    longTasks: joinTasks.length,
    longestTaskMs: Math.max(0, ...joinTasks),
    heapBytes: mem1 - mem0,
    heapTotal: mem1,
    scrollMs,
    scrollLongTasks: scrollTasks.length,
    scrollLongestMs: Math.max(0, ...scrollTasks),
    rowsInDom: rows,
    lastRow,
  };
}

Reflect.set(window, "parleyBigRoomBench", { run });
