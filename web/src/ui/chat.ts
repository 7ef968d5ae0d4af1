// The right pane: peer heading, the message log (history paging, dedupe, receipts, device-change notices) and the
// composer, which never falls back to clear text on its own: a blocked encrypted send offers "Send unencrypted".
import { MAX_BODY_CHARS, stripXmlIllegal } from "../../../src/protocol/index.ts";
import type { ChatMessage, ClientFrame } from "../../../src/protocol/index.ts";
import type { ComposerCrypto, DeviceNotice, EncryptedSend, MessageSecurity, PlainView } from "../core/e2ee.ts";
import { presenceText } from "../core/format.ts";
import { newRequestId } from "../core/ids.ts";
import { bestPresence, canLoadOlder, displayName } from "../core/selectors.ts";
import type { AppState } from "../core/state.ts";
import { h, reconcileChildren, setText, showAlert } from "./dom.ts";
import { renderMessage, updateMessage } from "./message.ts";
import { renderNotice } from "./notice.ts";
import { TypingNotifier } from "../features/typing/notifier.ts";
import { DraftSync } from "../features/drafts/sync.ts";
import { continuesGroup } from "../features/timeline/days.ts";
import { DaySeparators } from "../features/timeline/separators.ts";
import { TYPING_SHOWN_MS } from "../core/state.ts";

/** What the chat pane needs from end-to-end encryption (core/e2ee.ts's E2EEService). */
export interface ChatCrypto {
  /** Bumped on every change of what the methods below return. */
  readonly version: number;
  plaintext(key: string): PlainView | undefined;
  /** Sending device and its trust, for the message's lock. */
  security(key: string, peer: string, direction: "in" | "out"): MessageSecurity | null;
  composer(peer: string): ComposerCrypto;
  setEncrypt(peer: string, on: boolean): void;
  /** The choice for a message sent now (waits for a device list still being fetched). */
  encryptFor(peer: string): Promise<boolean>;
  sendEncrypted(peer: string, body: string): Promise<EncryptedSend>;
  forgetSend(requestId: string): void;
  /** Since when OMEMO is in use with `peer` (clear messages from then on are marked); null when never. */
  omemoSince(peer: string): number | null;
  /** Device changes to show in the conversation, oldest first. */
  notices(peer: string): readonly DeviceNotice[];
}

export interface ChatDeps {
  /** The signed-in account (its own device changes read "Your account …"). */
  ownJid: string;
  send(frame: ClientFrame): boolean;
  crypto: ChatCrypto;
  loadOlder(peer: string): void;
  back(): void;
  /** Opens the encryption devices panel for the open conversation. */
  openDevices?(peer: string): void;
}

export interface ChatPane {
  readonly el: HTMLElement;
  update(state: AppState, openPeer: string | null): void;
  focusComposer(): void;
  /** A message/error frame answering a message.send of this tab; false when the requestId is not ours. */
  settleSend(requestId: string, error: string | null): boolean;
}

/** Within this many pixels of the top of the log, the next older page is requested. */
const TOP_THRESHOLD = 48;
const BOTTOM_STICKY = 64;
const SEND_TIMEOUT_MS = 30_000;

interface Pending {
  /** Null while the message is being encrypted (nothing has been sent yet). */
  requestId: string | null;
  /** The composer text that was sent (cleared on success only if the user has not edited it since). */
  raw: string;
  timer: ReturnType<typeof setTimeout> | null;
}

function sameSecurity(a: MessageSecurity | null, b: MessageSecurity | null): boolean {
  return a === b || (a !== null && b !== null && a.deviceId === b.deviceId && a.trust === b.trust && a.self === b.self);
}

export function createChat(deps: ChatDeps): ChatPane {
  const drafts = new Map<string, string>();
  const errors = new Map<string, string>();
  const pending = new Map<string, Pending>();
  const rows = new Map<
    string,
    { li: HTMLLIElement; msg: ChatMessage; plain: PlainView | undefined; sec: MessageSecurity | null; clear: boolean }
  >();
  /** Rendered notices by id, with what their text depends on (a fingerprint may be filled in later). */
  const noticeRows = new Map<string, { li: HTMLLIElement; name: string; notice: DeviceNotice }>();
  const notes = new Map<string, string>();
  /** Per conversation: why the last encrypted send was refused (with "Send unencrypted" next to it). */
  const blocks = new Map<string, string>();
  let peer: string | null = null;
  let rendered: readonly ChatMessage[] = [];
  let renderedCrypto = -1;

  const back = h("button", { type: "button", class: "back", "aria-label": "Back to conversations" }, "‹ Back");
  const devicesButton = h("button", { type: "button", class: "devices-button", "aria-haspopup": "dialog" }, "Devices");
  const title = h("h2", { id: "chat-title", class: "chat-title" });
  const subtitle = h("p", { class: "chat-subtitle", "aria-live": "polite" });
  const typing = new TypingNotifier({ send: deps.send, visible: () => document.visibilityState === "visible" });
  /** Hides "… is typing" once a composing notification is older than TYPING_SHOWN_MS (the contact went quiet). */
  let typingTimer: ReturnType<typeof setTimeout> | null = null;
  let lastState: AppState | null = null;
  /** The object's draft for the open conversation as last applied to the composer. */
  let shownDraft: string | undefined;
  const older = h("button", { type: "button", class: "older" }, "Load older messages");
  const note = h("p", { class: "log-note", "aria-live": "polite" });
  const log = h("ol", { class: "log", role: "log", "aria-label": "Messages", "aria-live": "polite", tabindex: 0 });
  const textarea = h("textarea", {
    id: "composer-input",
    "aria-label": "Message",
    rows: 1,
    maxlength: MAX_BODY_CHARS,
    placeholder: "Write a message…",
    enterkeyhint: "send",
  });
  const sendButton = h("button", { type: "submit", class: "primary" }, "Send");
  const feedback = h("div", { class: "feedback composer-feedback" });
  const encryptToggle = h("input", { type: "checkbox", id: "composer-encrypt", class: "encrypt-toggle" });
  const encryptStatus = h("span", { id: "composer-encrypt-status", class: "encrypt-status" });
  const sendNote = h("p", { class: "composer-note", "aria-live": "polite" });
  const blockText = h("p", { class: "composer-block-text", role: "alert" });
  const sendPlainButton = h("button", { type: "button", class: "send-plain" }, "Send unencrypted");
  const block = h("div", { class: "composer-block", hidden: true }, blockText, sendPlainButton);
  encryptToggle.setAttribute("aria-describedby", "composer-encrypt-status");
  const cryptoRow = h(
    "div",
    { class: "composer-crypto" },
    h("label", { class: "encrypt-label", for: "composer-encrypt" }, encryptToggle, " Encrypt (OMEMO)"),
    encryptStatus,
  );
  const composer = h(
    "form",
    { class: "composer" },
    h("div", { class: "composer-row" }, textarea, sendButton),
    cryptoRow,
    block,
    feedback,
    sendNote,
  );
  const conversation = h(
    "div",
    { class: "chat-body", hidden: true },
    h(
      "header",
      { class: "chat-header" },
      back,
      h("div", { class: "chat-heading" }, title, subtitle),
      deps.openDevices ? devicesButton : null,
    ),
    h("div", { class: "log-top" }, older, note),
    log,
    composer,
  );
  const empty = h(
    "div",
    { class: "chat-empty" },
    h("p", null, "Select a conversation or a contact to start chatting."),
  );
  const el = h("main", { class: "chat" }, empty, conversation);

  const setError = (p: string, message: string | null): void => {
    if (message) errors.set(p, message);
    else errors.delete(p);
    if (p === peer) showAlert(feedback, message);
  };

  const syncSendButton = (): void => {
    const busy = peer !== null && pending.has(peer);
    sendButton.disabled = busy;
    composer.toggleAttribute("aria-busy", busy);
  };

  const setBlock = (p: string, text: string | null): void => {
    if (text) blocks.set(p, text);
    else blocks.delete(p);
    if (p !== peer) return;
    block.hidden = !text;
    setText(blockText, text ?? "");
  };

  const setNote = (p: string, text: string | null): void => {
    if (text) notes.set(p, text);
    else notes.delete(p);
    if (p === peer) setText(sendNote, text ?? "");
  };

  /** `blocked`: the error is a refused encrypted send; "Send unencrypted" is offered next to it. */
  const finish = (p: string, error: string | null, blocked = false): void => {
    const entry = pending.get(p);
    if (!entry) return;
    if (entry.timer !== null) clearTimeout(entry.timer);
    if (error !== null && entry.requestId !== null) deps.crypto.forgetSend(entry.requestId);
    pending.delete(p);
    if (error === null) {
      if (p === peer && textarea.value === entry.raw) textarea.value = "";
      else if (drafts.get(p) === entry.raw) drafts.delete(p);
    }
    setError(p, blocked ? null : error);
    setBlock(p, blocked ? error : null);
    syncSendButton();
  };

  const submit = (): void => {
    if (peer === null || pending.has(peer)) return;
    const raw = textarea.value;
    const body = stripXmlIllegal(raw).trim();
    if (body === "") return;
    if (body.length > MAX_BODY_CHARS) {
      setError(peer, `Messages are limited to ${MAX_BODY_CHARS} characters.`);
      return;
    }
    const p = peer;
    setBlock(p, null);
    const choice = deps.crypto.composer(p).encrypt;
    if (choice === false) {
      sendPlain(p, raw, body);
      return;
    }
    // Encrypted (or not decided yet): nothing leaves the tab until the choice is known and encryption worked.
    pending.set(p, { requestId: null, raw, timer: null });
    setError(p, null);
    setNote(p, null);
    syncSendButton();
    void sendEncrypted(p, raw, body, choice === null);
  };

  // Drafts (issue #7 §4): the object keeps them for every tab (features/drafts).
  const draftSync = new DraftSync({
    send: deps.send,
    inClear: (p) => deps.crypto.composer(p).encrypt === false,
    known: (p) => lastState?.drafts.get(p),
  });
  textarea.addEventListener("input", () => {
    if (peer === null) return;
    typing.input(peer, textarea.value);
    draftSync.edited(peer, stripXmlIllegal(textarea.value));
  });

  const awaitAnswer = (p: string, requestId: string, raw: string): void => {
    const timer = setTimeout(
      () => finish(p, "No answer from the server. The message may not have been sent."),
      SEND_TIMEOUT_MS,
    );
    pending.set(p, { requestId, raw, timer });
  };

  const sendPlain = (p: string, raw: string, body: string): void => {
    const requestId = newRequestId();
    if (!deps.send({ type: "message.send", requestId, to: p, body })) {
      pending.delete(p);
      setError(p, "Not connected. Your message was not sent; try again in a moment.");
      syncSendButton();
      return;
    }
    awaitAnswer(p, requestId, raw);
    typing.sent();
    setError(p, null);
    setNote(p, null);
    syncSendButton();
  };

  const sendEncrypted = async (p: string, raw: string, body: string, undecided: boolean): Promise<void> => {
    if (undecided && !(await deps.crypto.encryptFor(p))) {
      sendPlain(p, raw, body);
      return;
    }
    const result = await deps.crypto.sendEncrypted(p, body);
    if (!result.ok) {
      finish(p, result.error, result.offerPlain);
      return;
    }
    if (pending.get(p)?.requestId !== null) return;
    awaitAnswer(p, result.requestId, raw);
    typing.sent();
    const missed = result.skipped.filter((d) => d.id !== 0);
    if (missed.length > 0) {
      const list = missed.map((d) => `${d.jid} device ${d.id} (${d.reason})`).join(", ");
      setNote(p, `Not encrypted for ${missed.length} device${missed.length === 1 ? "" : "s"}: ${list}.`);
    }
  };

  composer.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit();
  });
  textarea.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey && !ev.isComposing) {
      ev.preventDefault();
      submit();
    }
  });
  // The user's explicit choice for this one message: the composer's text goes out in clear.
  sendPlainButton.addEventListener("click", () => {
    if (peer === null || pending.has(peer)) return;
    const raw = textarea.value;
    const body = stripXmlIllegal(raw).trim();
    if (body === "" || body.length > MAX_BODY_CHARS) return;
    setBlock(peer, null);
    sendPlain(peer, raw, body);
    textarea.focus();
  });
  encryptToggle.addEventListener("change", () => {
    if (peer !== null) deps.crypto.setEncrypt(peer, encryptToggle.checked);
  });
  back.addEventListener("click", () => deps.back());
  devicesButton.addEventListener("click", () => {
    if (peer !== null) deps.openDevices?.(peer);
  });
  conversation.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !ev.defaultPrevented && window.matchMedia("(max-width: 719px)").matches) deps.back();
  });
  older.addEventListener("click", () => {
    if (peer !== null) deps.loadOlder(peer);
  });
  log.addEventListener(
    "scroll",
    () => {
      if (peer !== null && log.scrollTop <= TOP_THRESHOLD) deps.loadOlder(peer);
    },
    { passive: true },
  );

  const switchPeer = (next: string | null): void => {
    typing.leave();
    if (peer !== null) {
      if (textarea.value) drafts.set(peer, textarea.value);
      else drafts.delete(peer);
    }
    draftSync.flush();
    peer = next;
    rows.clear();
    daySeps.clear();
    noticeRows.clear();
    rendered = [];
    renderedCrypto = -1;
    log.replaceChildren();
    textarea.value = next === null ? "" : (drafts.get(next) ?? lastState?.drafts.get(next) ?? "");
    shownDraft = next === null ? undefined : lastState?.drafts.get(next);
    showAlert(feedback, next === null ? null : (errors.get(next) ?? null));
    setText(sendNote, next === null ? "" : (notes.get(next) ?? ""));
    const blocked = next === null ? undefined : blocks.get(next);
    block.hidden = blocked === undefined;
    setText(blockText, blocked ?? "");
    empty.hidden = next !== null;
    conversation.hidden = next === null;
    syncSendButton();
  };

  const renderComposerCrypto = (p: string): void => {
    const state = deps.crypto.composer(p);
    encryptToggle.checked = state.encrypt === true;
    encryptToggle.indeterminate = state.encrypt === null;
    setText(encryptStatus, state.status);
    composer.classList.toggle("composer-encrypted", state.encrypt === true && !state.warning);
    composer.classList.toggle("composer-warning", state.warning);
    const placeholder = state.encrypt === true ? "Write an encrypted message…" : "Write a message…";
    if (textarea.placeholder !== placeholder) textarea.placeholder = placeholder;
  };

  /** The notices within the loaded part of the history (all of them once the history is complete). */
  const noticeItems = (p: string, messages: readonly ChatMessage[], complete: boolean, name: string, now: number) => {
    const first = messages[0]?.ts;
    const live = new Set<string>();
    const items = deps.crypto
      .notices(p)
      .filter((n) => complete || first === undefined || n.ts >= first)
      .map((n) => {
        live.add(n.id);
        const row = noticeRows.get(n.id);
        const same =
          row && row.name === name && row.notice.fingerprint === n.fingerprint && row.notice.trust === n.trust;
        if (row && same) return { ts: n.ts, li: row.li };
        const li = renderNotice(n, name, n.jid === deps.ownJid, now);
        noticeRows.set(n.id, { li, name, notice: n });
        return { ts: n.ts, li };
      });
    for (const id of noticeRows.keys()) if (!live.has(id)) noticeRows.delete(id);
    return items;
  };

  const daySeps = new DaySeparators();

  const renderLog = (p: string, messages: readonly ChatMessage[], complete: boolean, name: string): void => {
    const version = deps.crypto.version;
    if (messages === rendered && version === renderedCrypto) return;
    renderedCrypto = version;
    const hadAny = rendered.length > 0;
    const prevFirst = rendered[0]?.key;
    const prevLast = rendered.at(-1)?.key;
    const fromBottom = log.scrollHeight - log.scrollTop;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < BOTTOM_STICKY;
    const now = Date.now();
    const live = new Set<string>();
    const since = deps.crypto.omemoSince(p);
    const items = messages.map((m) => {
      live.add(m.key);
      const plain = m.encrypted ? deps.crypto.plaintext(m.key) : undefined;
      const sec = m.encrypted ? deps.crypto.security(m.key, m.peer, m.direction) : null;
      const clear = !m.encrypted && since !== null && m.ts >= since;
      const row = rows.get(m.key);
      if (!row) {
        const li = renderMessage(m, now, plain, sec, clear);
        rows.set(m.key, { li, msg: m, plain, sec, clear });
        return li;
      }
      if (row.msg !== m || row.plain !== plain || !sameSecurity(row.sec, sec) || row.clear !== clear) {
        updateMessage(row.li, m, plain, sec, clear);
        row.msg = m;
        row.plain = plain;
        row.sec = sec;
        row.clear = clear;
      }
      return row.li;
    });
    for (const key of rows.keys()) if (!live.has(key)) rows.delete(key);
    // Notices go between the messages by time (a notice after a message of the same millisecond).
    const notices = noticeItems(p, messages, complete, name, now);
    const merged: HTMLLIElement[] = [];
    let next = 0;
    const noticesBefore = (ts: number): void => {
      for (const n of notices.slice(next)) {
        if (n.ts >= ts) break;
        merged.push(n.li);
        next++;
      }
    };
    messages.forEach((m, j) => {
      noticesBefore(m.ts);
      const prev = messages[j - 1];
      const sep = daySeps.before(m.ts, prev?.ts, now);
      if (sep) merged.push(sep);
      const li = items[j];
      if (!li) return;
      // Consecutive messages of one sender are one group (Signal, Conversations): tighter, no repeated header.
      li.classList.toggle("msg-continued", continuesGroup(prev, m));
      merged.push(li);
    });
    daySeps.prune();
    noticesBefore(Number.POSITIVE_INFINITY);
    reconcileChildren(log, merged);
    rendered = messages;
    const last = messages.at(-1);
    if (!hadAny || (last?.key !== prevLast && (atBottom || last?.direction === "out"))) {
      log.scrollTop = log.scrollHeight;
    } else if (messages[0]?.key !== prevFirst) {
      // Older page prepended: keep what the user was looking at in place.
      log.scrollTop = log.scrollHeight - fromBottom;
    } else if (atBottom) {
      // A message was decrypted (its text replaced a placeholder): stay at the bottom.
      log.scrollTop = log.scrollHeight;
    }
  };

  return {
    el,
    update(state, openPeer) {
      if (openPeer !== peer) switchPeer(openPeer);
      if (peer === null) return;
      const name = displayName(state, peer);
      setText(title, name);
      const contact = state.roster.get(peer);
      const p = contact ? bestPresence(contact) : null;
      const status = contact ? presenceText(p ? p.show : null, p ? p.status : "") : "Not in your contacts";
      const since = state.typing.get(peer);
      const left = since === undefined ? 0 : since + TYPING_SHOWN_MS - Date.now();
      setText(subtitle, left > 0 ? `${name} is typing…` : name === peer ? status : `${peer} · ${status}`);
      lastState = state;
      // A draft written in another tab shows here, unless this tab is being typed in.
      const objectDraft = state.drafts.get(peer);
      if (objectDraft !== shownDraft) {
        shownDraft = objectDraft;
        if (document.activeElement !== textarea && !draftSync.waiting && !pending.has(peer)) {
          textarea.value = objectDraft ?? "";
          if (objectDraft === undefined) drafts.delete(peer);
          else drafts.set(peer, objectDraft);
        }
      }
      if (typingTimer !== null) clearTimeout(typingTimer);
      typingTimer = left > 0 ? setTimeout(() => lastState && this.update(lastState, peer), left + 50) : null;
      const history = state.histories.get(peer);
      older.hidden = !canLoadOlder(history) && !(history?.loading && history.messages.length > 0);
      older.disabled = Boolean(history?.loading);
      setText(older, history?.loading ? "Loading older messages…" : "Load older messages");
      const loadingFirst = history?.loading && history.hasMore === null;
      const noneYet = history?.hasMore === false && history.messages.length === 0;
      setText(note, loadingFirst ? "Loading messages…" : noneYet ? "No messages yet. Say hello!" : "");
      renderComposerCrypto(peer);
      renderLog(peer, history?.messages ?? [], history?.hasMore === false, name);
    },
    focusComposer() {
      textarea.focus();
    },
    settleSend(requestId, error) {
      for (const [p, entry] of pending) {
        if (entry.requestId === requestId) {
          finish(p, error);
          return true;
        }
      }
      return false;
    },
  };
}
