// The composer of the open conversation: the text (this tab's, or the object's draft from another tab while this
// one is not being typed in), Enter to send, the OMEMO switch with what will happen to the next message, and the
// refused encrypted send with "Send unencrypted" next to it.
import type { ReadonlySignal } from "@preact/signals";
import { useContext, useEffect, useRef } from "preact/hooks";
import { MAX_BODY_CHARS, stripXmlIllegal, type ChatMessage } from "../../../../src/protocol/index.ts";
import { ComposeContext } from "../actions/compose-context.tsx";
import { ActionsContext } from "../actions/api.ts";
import type { DraftSync } from "../drafts/sync.ts";
import type { TypingNotifier } from "../typing/notifier.ts";
import { Alert } from "../../ui/alert.tsx";
import type { ChatCrypto } from "./crypto.ts";
import type { Sender } from "./sender.ts";
import { MENTION_LIST_ID, MentionList, useMentions } from "../rooms/mention-picker.tsx";
import { completeMention } from "../rooms/mentions.ts";

export interface ComposerProps {
  peer: string;
  /** The object's draft for `peer` (kept for every tab). */
  objectDraft: string | undefined;
  crypto: ChatCrypto;
  /** Changes whenever what `crypto` returns changes. */
  cryptoVersion: number;
  sender: Sender;
  typing: TypingNotifier;
  drafts: DraftSync;
  /** Bumped when the composer should take the focus. */
  focus: ReadonlySignal<number>;
  /** The contact's name (replies to them). */
  name: string;
  /** The message Up arrow edits (XEP-0308: the user's last one), if any. */
  lastOwn: ChatMessage | null;
  /** False in group chats and channels: no "Encrypt (OMEMO)" choice there (yet), only the line saying so. */
  encryptable?: boolean;
  /** In a group chat: the participants' names "@" completes, and the user's own (never offered). */
  nicks?: readonly string[] | undefined;
  ownNick?: string | undefined;
}

export function Composer(props: ComposerProps) {
  const { peer, objectDraft, crypto, sender, typing, drafts, focus, name, lastOwn } = props;
  const textarea = useRef<HTMLTextAreaElement>(null);
  const actions = useContext(ActionsContext);
  const mode = sender.mode(peer);
  const text = sender.text(peer, objectDraft ?? "");
  const view = sender.view(peer);
  const choice = crypto.composer(peer);
  /** The object's draft as last applied to this composer. */
  const shown = useRef({ peer, draft: objectDraft });
  const mention = useMentions(props.nicks, props.ownNick);
  const putText = (value: string, caret: number) => {
    text.value = value;
    const el = textarea.current;
    if (el) {
      el.value = value;
      el.setSelectionRange(caret, caret);
      el.focus();
    }
    typing.input(peer, value);
    if (mode?.kind !== "edit") drafts.edited(peer, stripXmlIllegal(value));
  };

  // Leaving the conversation: no "composing" stays up there, the waiting draft goes out now.
  useEffect(
    () => () => {
      typing.leave();
      drafts.flush();
      sender.leave(peer);
    },
    [peer, typing, drafts, sender],
  );

  // A draft written in another tab shows here, unless this tab is being typed in.
  useEffect(() => {
    if (shown.current.peer !== peer) {
      shown.current = { peer, draft: objectDraft };
      return;
    }
    if (objectDraft === shown.current.draft) return;
    shown.current = { peer, draft: objectDraft };
    if (document.activeElement !== textarea.current && !drafts.waiting && !sender.busy(peer)) {
      text.value = objectDraft ?? "";
    }
  }, [peer, objectDraft, text, drafts, sender]);

  const focusRequest = focus.value;
  useEffect(() => {
    if (focusRequest > 0) textarea.current?.focus();
  }, [focusRequest]);

  const encrypted = choice.encrypt === true;
  const cls = `composer${encrypted && !choice.warning ? " composer-encrypted" : ""}${choice.warning ? " composer-warning" : ""}`;
  return (
    <form
      class={cls}
      aria-busy={view.busy || undefined}
      onSubmit={(ev) => {
        ev.preventDefault();
        sender.submit(peer);
      }}
    >
      <ComposeContext
        mode={mode}
        name={name}
        cancel={() => {
          sender.cancelMode(peer);
          textarea.current?.focus();
        }}
      />
      <MentionList
        state={mention.open}
        choose={(nick) => {
          const el = textarea.current;
          if (!el) return;
          const done = completeMention(el.value, el.selectionStart, nick);
          mention.close();
          putText(done.text, done.caret);
        }}
      />
      <div class="composer-row">
        <textarea
          aria-autocomplete={props.nicks ? "list" : undefined}
          aria-controls={mention.open ? MENTION_LIST_ID : undefined}
          aria-activedescendant={mention.open ? `${MENTION_LIST_ID}-${mention.open.active}` : undefined}
          ref={textarea}
          id="composer-input"
          aria-label="Message"
          rows={1}
          maxLength={MAX_BODY_CHARS}
          placeholder={encrypted ? "Write an encrypted message…" : "Write a message…"}
          enterkeyhint="send"
          value={text.value}
          onInput={(ev) => {
            const value = ev.currentTarget.value;
            text.value = value;
            typing.input(peer, value);
            // A correction being written is no draft of a new message.
            if (mode?.kind !== "edit") drafts.edited(peer, stripXmlIllegal(value));
            mention.update(value, ev.currentTarget.selectionStart);
          }}
          onClick={(ev) => mention.update(ev.currentTarget.value, ev.currentTarget.selectionStart)}
          onBlur={() => mention.close()}
          onKeyDown={(ev) => {
            const el = ev.currentTarget;
            if (mention.key(ev, el.value, el.selectionStart, putText)) {
              ev.preventDefault();
              return;
            }
            if (ev.key === "Escape" && mode) {
              ev.preventDefault();
              sender.cancelMode(peer);
              return;
            }
            // XEP-0308 as in Conversations: Up in an empty composer edits the user's last message.
            if (ev.key === "ArrowUp" && ev.currentTarget.value === "" && !mode && lastOwn && actions) {
              ev.preventDefault();
              actions.edit(lastOwn);
              return;
            }
            if (ev.key === "Enter" && !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey && !ev.isComposing) {
              ev.preventDefault();
              sender.submit(peer);
            }
          }}
        />
        <button type="submit" class="primary" disabled={view.busy}>
          Send
        </button>
      </div>
      <div class="composer-crypto">
        <label class="encrypt-label" for="composer-encrypt" hidden={props.encryptable === false}>
          <input
            type="checkbox"
            id="composer-encrypt"
            class="encrypt-toggle"
            aria-describedby="composer-encrypt-status"
            checked={encrypted}
            indeterminate={choice.encrypt === null}
            onChange={(ev) => crypto.setEncrypt(peer, ev.currentTarget.checked)}
          />{" "}
          Encrypt (OMEMO)
        </label>
        <span id="composer-encrypt-status" class="encrypt-status">
          {choice.status}
        </span>
      </div>
      <div class="composer-block" hidden={view.block === null}>
        <p class="composer-block-text" role="alert">
          {view.block ?? ""}
        </p>
        {view.missing === null ? (
          <button
            type="button"
            class="send-plain"
            onClick={() => {
              sender.sendUnencrypted(peer);
              textarea.current?.focus();
            }}
          >
            Send unencrypted
          </button>
        ) : (
          <button
            type="button"
            class="send-without"
            onClick={() => {
              sender.sendWithout(peer);
              textarea.current?.focus();
            }}
          >
            Send without them
          </button>
        )}
      </div>
      <div class="feedback composer-feedback">
        <Alert message={view.error} />
      </div>
      <p class="composer-note" aria-live="polite">
        {view.note ?? ""}
      </p>
    </form>
  );
}
