// The left pane: conversations (newest first), pending subscription requests, the roster, "Add contact".
import type { ClientFrame, Contact, Conversation } from "../../../src/protocol/index.ts";
import { formatTime, presenceText } from "../core/format.ts";
import { newRequestId } from "../core/ids.ts";
import { bestPresence, displayName, sortConversations, sortRoster } from "../core/selectors.ts";
import { conversationsCursor, type AppState } from "../core/state.ts";
import { h, reconcileChildren, setAttr, setText, showAlert } from "./dom.ts";

export interface SidebarDeps {
  send(frame: ClientFrame): boolean;
  chatHref(peer: string): string;
  /** Called on activation of a conversation or contact link (the hash change does the opening). */
  onActivate(peer: string): void;
}

export interface Sidebar {
  readonly el: HTMLElement;
  update(state: AppState, openPeer: string | null): void;
  /** Moves focus to the conversation (or contact) link of `peer`. */
  focus(peer: string): void;
  /** An ack/error for a request this pane sent; false when the requestId is not ours. */
  settle(requestId: string, error: string | null): boolean;
}

const PREVIEW_CHARS = 140;

function preview(body: string): string {
  const flat = body.replace(/\s+/gu, " ").trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

interface ConvRow {
  li: HTMLLIElement;
  a: HTMLAnchorElement;
  name: HTMLSpanElement;
  text: HTMLSpanElement;
  time: HTMLTimeElement;
  badge: HTMLSpanElement;
}

interface ContactRow {
  li: HTMLLIElement;
  a: HTMLAnchorElement;
  dot: HTMLSpanElement;
  name: HTMLSpanElement;
  status: HTMLSpanElement;
}

function dotClass(contact: Contact | undefined): string {
  const p = contact ? bestPresence(contact) : null;
  return `dot dot-${p ? p.show : "offline"}`;
}

export function createSidebar(deps: SidebarDeps): Sidebar {
  const convRows = new Map<string, ConvRow>();
  const contactRows = new Map<string, ContactRow>();
  const convList = h("ul", { class: "conv-list", "aria-labelledby": "conv-heading" });
  const convEmpty = h("p", { class: "empty" }, "No conversations yet.");
  // The snapshot carries the most recent conversations; older ones come a page at a time (issue #6 §10).
  const moreButton = h(
    "button",
    { type: "button", class: "more-conversations", hidden: true },
    "Show older conversations",
  );
  let pendingMore: string | null = null;
  let lastState: AppState | null = null;
  moreButton.addEventListener("click", () => {
    const cursor = lastState ? conversationsCursor(lastState.conversations) : null;
    if (pendingMore || !cursor) return;
    const requestId = newRequestId();
    if (!deps.send({ type: "conversations.load", requestId, before: cursor })) return;
    pendingMore = requestId;
    moreButton.disabled = true;
  });
  const requestList = h("ul", { class: "request-list" });
  const requests = h(
    "section",
    { class: "requests", "aria-labelledby": "requests-heading", hidden: true },
    h("h2", { id: "requests-heading" }, "Contact requests"),
    requestList,
  );
  const rosterList = h("ul", { class: "roster-list", "aria-labelledby": "contacts-heading" });
  const rosterEmpty = h("p", { class: "empty" }, "No contacts yet.");

  const addInput = h("input", {
    id: "add-contact-jid",
    type: "text",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    inputmode: "email",
    placeholder: "bob@example.org",
  });
  const addButton = h("button", { type: "submit" }, "Add contact");
  const addFeedback = h("div", { class: "feedback" });
  const addNote = h("p", { class: "note", "aria-live": "polite" });
  const addForm = h(
    "form",
    { class: "add-contact" },
    h("label", { for: "add-contact-jid" }, "Contact address"),
    h("div", { class: "inline-form" }, addInput, addButton),
    addFeedback,
    addNote,
  );
  let pendingAdd: { requestId: string; jid: string; timer: ReturnType<typeof setTimeout> } | null = null;

  const finishAdd = (error: string | null): void => {
    if (!pendingAdd) return;
    clearTimeout(pendingAdd.timer);
    const jid = pendingAdd.jid;
    pendingAdd = null;
    addButton.disabled = false;
    showAlert(addFeedback, error);
    if (error === null) {
      addInput.value = "";
      setText(addNote, `Asked ${jid} to share presence.`);
    }
  };

  addForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (pendingAdd) return;
    const jid = addInput.value.trim();
    setText(addNote, "");
    if (jid.length < 3 || /\s/u.test(jid)) {
      showAlert(addFeedback, "Enter an address like bob@example.org.");
      addInput.focus();
      return;
    }
    const requestId = newRequestId();
    if (!deps.send({ type: "roster.add", requestId, jid })) {
      showAlert(addFeedback, "Not connected. Try again in a moment.");
      return;
    }
    showAlert(addFeedback, null);
    addButton.disabled = true;
    const timer = setTimeout(() => finishAdd("No answer from the server. Try again."), 20_000);
    pendingAdd = { requestId, jid, timer };
  });

  const el = h(
    "nav",
    { class: "sidebar", "aria-label": "Conversations" },
    h("h2", { id: "conv-heading" }, "Conversations"),
    convList,
    convEmpty,
    moreButton,
    requests,
    h("h2", { id: "contacts-heading" }, "Contacts"),
    rosterList,
    rosterEmpty,
    addForm,
  );

  const link = (peer: string, cls: string): HTMLAnchorElement => {
    const a = h("a", { class: cls, href: deps.chatHref(peer) });
    a.addEventListener("click", () => deps.onActivate(peer));
    return a;
  };

  const convRow = (peer: string): ConvRow => {
    let row = convRows.get(peer);
    if (row) return row;
    const name = h("span", { class: "conv-name" });
    const text = h("span", { class: "conv-preview" });
    const time = h("time", { class: "conv-time" });
    const badge = h("span", { class: "badge", role: "img" });
    const a = link(peer, "conv");
    a.append(h("span", { class: "conv-main" }, name, text), h("span", { class: "conv-side" }, time, badge));
    row = { li: h("li", null, a), a, name, text, time, badge };
    convRows.set(peer, row);
    return row;
  };

  const contactRow = (jid: string): ContactRow => {
    let row = contactRows.get(jid);
    if (row) return row;
    const dot = h("span", { class: "dot", "aria-hidden": "true" });
    const name = h("span", { class: "contact-name" });
    const status = h("span", { class: "contact-status" });
    const a = link(jid, "contact");
    a.append(dot, h("span", { class: "contact-main" }, name, status));
    row = { li: h("li", null, a), a, dot, name, status };
    contactRows.set(jid, row);
    return row;
  };

  const renderConversations = (state: AppState, openPeer: string | null, now: number): void => {
    const convs: Conversation[] = sortConversations(state.conversations);
    for (const peer of convRows.keys()) if (!state.conversations.has(peer)) convRows.delete(peer);
    reconcileChildren(
      convList,
      convs.map((c) => {
        const row = convRow(c.peer);
        setText(row.name, displayName(state, c.peer));
        // Movim and Conversations show an unsent draft in the list, where the last message would be.
        const draft = c.peer === openPeer ? undefined : state.drafts.get(c.peer);
        setText(row.text, draft !== undefined ? `Draft: ${preview(draft)}` : preview(c.lastBody));
        row.text.classList.toggle("conv-draft", draft !== undefined);
        setText(row.time, c.lastTs > 0 ? formatTime(c.lastTs, now) : "");
        const unread = Math.max(0, c.unread);
        setText(row.badge, unread > 99 ? "99+" : String(unread));
        setAttr(row.badge, "aria-label", `${unread} unread`);
        row.badge.hidden = unread === 0;
        row.li.classList.toggle("has-unread", unread > 0);
        setAttr(row.a, "aria-current", c.peer === openPeer ? "page" : null);
        return row.li;
      }),
    );
    convEmpty.hidden = convs.length > 0 || !state.ready;
    lastState = state;
    moreButton.hidden = !state.moreConversations;
    if (pendingMore !== null) {
      pendingMore = null;
      moreButton.disabled = false;
    }
  };

  const renderRequests = (state: AppState): void => {
    requests.hidden = state.requests.length === 0;
    const items = state.requests.map((jid, i) => {
      const id = `request-${i}`;
      const accept = h("button", { type: "button", class: "primary", "aria-describedby": id }, "Accept");
      const refuse = h("button", { type: "button", "aria-describedby": id }, "Refuse");
      const answer = (value: boolean): void => {
        if (!deps.send({ type: "subscription.answer", jid, accept: value })) return;
        accept.disabled = true;
        refuse.disabled = true;
      };
      accept.addEventListener("click", () => answer(true));
      refuse.addEventListener("click", () => answer(false));
      return h(
        "li",
        null,
        h("span", { id, class: "request-jid" }, jid),
        h("span", { class: "request-actions" }, accept, refuse),
      );
    });
    // Rebuilt only when the list changes (see update), so focus on these buttons is rarely disturbed.
    requestList.replaceChildren(...items);
  };

  const renderRoster = (state: AppState, openPeer: string | null): void => {
    const contacts = sortRoster(state.roster);
    for (const jid of contactRows.keys()) if (!state.roster.has(jid)) contactRows.delete(jid);
    reconcileChildren(
      rosterList,
      contacts.map((c) => {
        const row = contactRow(c.jid);
        const p = bestPresence(c);
        row.dot.className = dotClass(c);
        setText(row.name, c.name.trim() || c.jid);
        const pending = c.ask && (c.subscription === "none" || c.subscription === "from") ? " (request pending)" : "";
        setText(row.status, presenceText(p ? p.show : null, p ? p.status : "") + pending);
        setAttr(row.a, "title", c.jid);
        setAttr(row.a, "aria-current", c.jid === openPeer ? "page" : null);
        return row.li;
      }),
    );
    rosterEmpty.hidden = contacts.length > 0 || !state.ready;
  };

  let last: { state: AppState; openPeer: string | null } | null = null;
  return {
    el,
    update(state, openPeer) {
      const now = Date.now();
      const peerChanged = last?.openPeer !== openPeer;
      if (
        !last ||
        peerChanged ||
        last.state.conversations !== state.conversations ||
        last.state.moreConversations !== state.moreConversations ||
        last.state.drafts !== state.drafts ||
        last.state.roster !== state.roster
      ) {
        renderConversations(state, openPeer, now);
      }
      if (!last || last.state.requests !== state.requests) renderRequests(state);
      if (!last || peerChanged || last.state.roster !== state.roster) renderRoster(state, openPeer);
      if (pendingAdd && state.roster.has(pendingAdd.jid)) finishAdd(null);
      last = { state, openPeer };
    },
    focus(peer) {
      (convRows.get(peer)?.a ?? contactRows.get(peer)?.a)?.focus();
    },
    settle(requestId, error) {
      if (pendingMore === requestId) {
        pendingMore = null;
        moreButton.disabled = false;
        return true;
      }
      if (pendingAdd?.requestId !== requestId) return false;
      finishAdd(error);
      return true;
    },
  };
}
