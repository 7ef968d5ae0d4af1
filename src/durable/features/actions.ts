// What messages do to earlier messages (issue #7 §2): corrections (XEP-0308), retractions (XEP-0424) and
// reactions (XEP-0444), received (live, carbons, archive) or sent for a tab. Each is stored as an action on its
// target (db/schema.ts message_actions), so order of arrival does not matter; the target, re-read with all its
// actions, goes to every tab as a message.update. Only the sender's own corrections and retractions count (checked
// when reading, db/history.ts).
import type { Element } from "@xmpp/xml";
import { messagesByStanzaIds } from "../../db/history.ts";
import type { StoredAction } from "../../db/store.ts";
import { bare } from "../../xmpp/jid.ts";
import { buildReceipt, messageKey, parseMessage, type ParsedAction, type ParsedChat } from "../../xmpp/message.ts";
import { buildReactions } from "../../xmpp/reactions.ts";
import { buildRetraction } from "../../xmpp/retraction.ts";
import type { ChatFeature } from "./chat.ts";
import { logFailure, refuse, type Feature, type FeatureContext, type FrameHandlers } from "./context.ts";

/** Targets waiting to be re-read and pushed, at most this many (more are dropped: tabs re-read on reload). */
const MAX_PENDING_REFRESH = 1_000;

export class ActionsFeature implements Feature {
  /** peer -> ids of messages whose actions changed, pushed to the tabs in one read per peer. */
  readonly #pending = new Map<string, Set<string>>();
  #pendingCount = 0;
  #refreshing = false;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly chat: ChatFeature,
  ) {
    chat.actions = {
      edited: (sent, target) => this.#record({ kind: "edit", target, chat: sent }, true),
      describe: (peer, id) => this.#refresh(peer, id),
    };
  }

  readonly frames: Pick<FrameHandlers, "message.retract" | "message.react"> = {
    "message.retract": async (ws, frame) => {
      const target = await this.chat.find(frame.peer, frame.key);
      if (!target?.stanzaId || target.direction !== "out") {
        refuse(this.ctx.tabs, ws, "bad-frame", "Only your own messages can be deleted.", frame.requestId);
        return;
      }
      const stanza = buildRetraction(frame.peer, crypto.randomUUID(), target.stanzaId);
      if (!(await this.chat.transmit(ws, frame.requestId, stanza))) return;
      this.#record(this.#own("retract", frame.peer, target.stanzaId, []), true);
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    },
    "message.react": async (ws, frame) => {
      const target = await this.chat.find(frame.peer, frame.key);
      if (!target?.stanzaId) {
        refuse(this.ctx.tabs, ws, "bad-frame", "The message reacted to is not known.", frame.requestId);
        return;
      }
      const emojis = [...new Set(frame.emojis)];
      const stanza = buildReactions(frame.peer, crypto.randomUUID(), target.stanzaId, emojis);
      if (!(await this.chat.transmit(ws, frame.requestId, stanza))) return;
      this.#record(this.#own("react", frame.peer, target.stanzaId, emojis), true);
      this.ctx.tabs.send(ws, { type: "ack", requestId: frame.requestId });
    },
  };

  async onStanza(el: Element): Promise<boolean> {
    if (el.name !== "message") return false;
    const parsed = parseMessage(el, this.ctx.info.jid, Date.now());
    if (parsed.kind !== "action") return false;
    const { action } = parsed;
    if (action.kind === "edit") {
      const chat = action.chat;
      if (chat.archiveId) await this.chat.setLastArchiveId(chat.archiveId);
      if (chat.direction === "in" && chat.requestsReceipt && chat.id) {
        // XEP-0184 §5.2: a correction is a message like any other.
        await this.ctx
          .link()
          ?.send(buildReceipt(chat.from, chat.id))
          .catch(() => undefined);
      }
    } else if (action.archiveId) {
      await this.chat.setLastArchiveId(action.archiveId);
    }
    this.#record(action, true);
    return true;
  }

  /**
   * Stores an action; `live` ones (received now, sent now, or caught up after a login) reach the tabs as a
   * message.update of their target; older ones from the archive are only stored.
   */
  record(action: ParsedAction, live: boolean): void {
    this.#record(action, live);
  }

  #own(kind: "retract" | "react", peer: string, target: string, emojis: string[]): ParsedAction {
    const { jid } = this.ctx.info;
    return { kind, target, peer, direction: "out", from: jid, emojis, ts: Date.now(), archiveId: undefined };
  }

  #record(action: ParsedAction, live: boolean): void {
    const stored = toStored(action);
    if (stored) this.recordStored(stored, live);
  }

  /** A row made elsewhere (group chats, ./room-actions.ts, checked there), stored and pushed like the others. */
  recordStored(stored: StoredAction, live: boolean): void {
    this.ctx.store({ kind: "action", action: stored });
    if (stored.kind === "edit" && stored.encrypted === null)
      this.chat.rememberEdit(stored.peer, stored.target, stored.body);
    if (live) this.#refresh(stored.peer, stored.target);
  }

  /** Queues a re-read of a message and pushes it to the tabs, batched per peer (one read per peer and round). */
  #refresh(peer: string, id: string): void {
    if (this.#pendingCount >= MAX_PENDING_REFRESH) return;
    let ids = this.#pending.get(peer);
    if (!ids) {
      ids = new Set();
      this.#pending.set(peer, ids);
    }
    if (!ids.has(id)) {
      ids.add(id);
      this.#pendingCount++;
    }
    if (this.#refreshing) return;
    this.#refreshing = true;
    void this.#refreshAll();
  }

  async #refreshAll(): Promise<void> {
    while (this.#pending.size > 0) await this.#refreshRound();
    this.#refreshing = false;
  }

  async #refreshRound(): Promise<void> {
    // Let the stanzas already queued (a burst of reactions) join this round.
    await this.ctx.drained();
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#pendingCount = 0;
    try {
      await this.ctx.flush();
      for (const [peer, ids] of batch) {
        const updated = await messagesByStanzaIds(this.ctx.db, this.ctx.info.jid, peer, [...ids]);
        for (const message of updated) this.ctx.tabs.broadcast({ type: "message.update", message });
      }
    } catch (err) {
      // Storage failed: the actions stay queued in the flush buffer; tabs see them on their next page load.
      logFailure("message update", err);
    }
  }
}

/** The row an action becomes; null for an encrypted correction without a payload (nothing to show). */
function toStored(action: ParsedAction): StoredAction | null {
  if (action.kind === "edit") {
    const chat: ParsedChat = action.chat;
    if (chat.encrypted && !chat.encrypted.hasPayload) return null;
    return {
      peer: chat.peer,
      target: action.target,
      kind: "edit",
      actor: messageKey(chat),
      direction: chat.direction,
      body: chat.encrypted ? "" : chat.body,
      encrypted: chat.encrypted?.xml ?? null,
      ts: chat.ts,
    };
  }
  return {
    peer: action.peer,
    target: action.target,
    kind: action.kind,
    // One set of reactions per reactor (XEP-0444 §3: each message carries the sender's whole set); one
    // retraction per side.
    actor: action.kind === "react" ? bare(action.from) : action.direction,
    direction: action.direction,
    body: action.kind === "react" ? JSON.stringify(action.emojis) : "",
    encrypted: null,
    ts: action.ts,
  };
}
