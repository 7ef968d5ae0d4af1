// "Group settings" of a group chat or channel, for its owners and admins (issue #8 §1): name and description
// (owners), members and admins (the room's affiliation lists, asked of the object when the dialog opens: add by
// address, remove), removing or banning a participant with a reason, and deleting the room (owners, confirmed
// first). Outcomes are said in words (./status-words.ts); remote text is rendered as text nodes only.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AffiliationItemView, ClientFrame, RoomView } from "../../../../src/protocol/index.ts";
import { parseBareJid } from "../../../../src/xmpp/jid.ts";
import { newRequestId } from "../../core/ids.ts";
import type { RoomParticipants } from "../../core/state.ts";
import { Alert } from "../../ui/alert.tsx";
import type { Settler } from "../session/session.ts";
import { onRoomAnswer } from "./answers.ts";
import { roomErrorWords, statusWords } from "./status-words.ts";

export interface GroupSettingsProps {
  room: RoomView;
  open: boolean;
  onClose(): void;
  send(frame: ClientFrame): boolean;
  onSettle(settler: Settler): () => void;
  participants: RoomParticipants | undefined;
}

/** Who may open the settings: owners and admins of a room we are in. */
export function canManage(room: RoomView): boolean {
  return room.state === "joined" && (room.affiliation === "owner" || room.affiliation === "admin");
}

function place(room: RoomView): string {
  return room.kind === "channel" ? "channel" : "group chat";
}

/** A refusal in words: the room's conditions as the user reads them. */
function failureWords(error: string): string {
  if (error === "forbidden" || error === "not-allowed") return "you are not allowed to do that here";
  if (error === "not-acceptable") return "the server does not accept that";
  return roomErrorWords(error);
}

export function GroupSettings({ room, open, onClose, send, onSettle, participants }: GroupSettingsProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const owner = room.affiliation === "owner";
  const [name, setName] = useState(room.name ?? "");
  const [description, setDescription] = useState(room.description ?? "");
  const [items, setItems] = useState<readonly AffiliationItemView[] | null>(null);
  const [memberAddress, setMemberAddress] = useState("");
  const [adminAddress, setAdminAddress] = useState("");
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Requests in flight: what to say when each is done. */
  const pending = useRef(new Map<string, (error: string | null) => void>());
  const listRequest = useRef<string | null>(null);

  const refresh = (): void => {
    const requestId = newRequestId();
    listRequest.current = requestId;
    send({ type: "room.affiliations", requestId, room: room.room });
  };

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      setName(room.name ?? "");
      setDescription(room.description ?? "");
      setSaid(null);
      setError(null);
      setConfirming(false);
      refresh();
      send({ type: "room.participants", requestId: newRequestId(), room: room.room });
    }
    if (!open && el.open) el.close();
  }, [open, room.room]);

  useEffect(
    () =>
      onRoomAnswer((frame) => {
        if (frame.type === "room.affiliations" && frame.requestId === listRequest.current) setItems(frame.items);
      }),
    [],
  );
  useEffect(
    () =>
      onSettle((requestId, err) => {
        const done = pending.current.get(requestId);
        if (!done) return false;
        pending.current.delete(requestId);
        done(err);
        return true;
      }),
    [],
  );

  /** Sends `frame`; `ok` says what happened when the room agreed. */
  const act = (frame: ClientFrame & { requestId: string }, ok: () => string, after?: () => void): void => {
    if (!send(frame)) {
      setError("Not connected. Try again in a moment.");
      return;
    }
    setError(null);
    setSaid("Working…");
    pending.current.set(frame.requestId, (err) => {
      if (err === null) {
        setSaid(ok());
        after?.();
      } else {
        setSaid(null);
        setError(`That did not work: ${failureWords(err)}.`);
      }
    });
  };

  const affiliate = (jid: string, affiliation: "admin" | "member" | "outcast" | "none", ok: () => string): void =>
    act(
      { type: "room.affiliate", requestId: newRequestId(), room: room.room, jid, affiliation, ...withReason(reason) },
      ok,
      refresh,
    );

  const add = (text: string, affiliation: "admin" | "member", clear: () => void): void => {
    const jid = parseBareJid(text);
    if (!jid) {
      setError("Enter an address, like name@example.org.");
      return;
    }
    affiliate(jid, affiliation, () => `${jid} is now ${affiliation === "admin" ? "an admin" : "a member"}.`);
    clear();
  };

  const members = (items ?? []).filter((i) => i.affiliation === "member");
  const admins = (items ?? []).filter((i) => i.affiliation === "admin" || i.affiliation === "owner");
  const present = (participants?.list ?? []).filter((p) => p.nick !== room.nick);
  const where = place(room);

  return (
    <dialog ref={dialog} class="settings-dialog" aria-labelledby="settings-title" onClose={onClose}>
      <h2 id="settings-title">Group settings</h2>
      <div class="settings-feedback">
        <p aria-live="polite" class="settings-said">
          {said ?? ""}
        </p>
        <Alert message={error} />
      </div>

      {owner && (
        <form
          class="settings-section"
          aria-labelledby="settings-about"
          onSubmit={(ev) => {
            ev.preventDefault();
            const n = name.trim();
            if (n === "") {
              setError(`Give the ${where} a name.`);
              return;
            }
            act(
              { type: "room.configure", requestId: newRequestId(), room: room.room, name: n, description },
              () => "Saved.",
            );
          }}
        >
          <h3 id="settings-about">Name and description</h3>
          <label for="settings-name">Name</label>
          <input
            id="settings-name"
            type="text"
            value={name}
            maxLength={256}
            onInput={(ev) => setName(ev.currentTarget.value)}
          />
          <label for="settings-description">Description</label>
          <textarea
            id="settings-description"
            rows={3}
            value={description}
            maxLength={2000}
            onInput={(ev) => setDescription(ev.currentTarget.value)}
          />
          <button type="submit">Save</button>
        </form>
      )}

      <section class="settings-section" aria-labelledby="settings-members">
        <h3 id="settings-members">Members</h3>
        <AddressList
          label="Members"
          items={items === null ? null : members}
          remove={(jid) => affiliate(jid, "none", () => `${jid} is no longer a member.`)}
        />
        <AddRow
          id="settings-member-address"
          label="Member address"
          button="Add member"
          value={memberAddress}
          onInput={setMemberAddress}
          onAdd={() => add(memberAddress, "member", () => setMemberAddress(""))}
        />
      </section>

      {owner && (
        <section class="settings-section" aria-labelledby="settings-admins">
          <h3 id="settings-admins">Admins and owners</h3>
          <AddressList
            label="Admins and owners"
            items={items === null ? null : admins}
            remove={(jid) => affiliate(jid, "member", () => `${jid} is no longer an admin.`)}
          />
          <AddRow
            id="settings-admin-address"
            label="Admin address"
            button="Add admin"
            value={adminAddress}
            onInput={setAdminAddress}
            onAdd={() => add(adminAddress, "admin", () => setAdminAddress(""))}
          />
        </section>
      )}

      <section class="settings-section" aria-labelledby="settings-people">
        <h3 id="settings-people">Participants</h3>
        <label for="settings-reason">Reason (optional)</label>
        <input
          id="settings-reason"
          type="text"
          value={reason}
          maxLength={1024}
          onInput={(ev) => setReason(ev.currentTarget.value)}
        />
        {present.length === 0 ? (
          <p class="settings-empty">Nobody else is here.</p>
        ) : (
          <ul class="settings-list" aria-label="Participants to manage">
            {present.slice(0, 200).map((p) => (
              <li key={p.occupantId ?? p.nick}>
                <span class="settings-item">{p.nick}</span>
                <button
                  type="button"
                  aria-label={`Remove ${p.nick}`}
                  onClick={() =>
                    act(
                      {
                        type: "room.kick",
                        requestId: newRequestId(),
                        room: room.room,
                        nick: p.nick,
                        ...withReason(reason),
                      },
                      () => statusWords([307], context(room, p.nick, reason)) ?? "Done.",
                    )
                  }
                >
                  Remove
                </button>
                <button
                  type="button"
                  aria-label={`Ban ${p.nick}`}
                  disabled={p.jid === undefined}
                  title={p.jid === undefined ? "Their address is not visible to you" : undefined}
                  onClick={() => {
                    if (p.jid)
                      affiliate(p.jid, "outcast", () => statusWords([301], context(room, p.nick, reason)) ?? "Done.");
                  }}
                >
                  Ban
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      {owner && (
        <section class="settings-section" aria-labelledby="settings-delete">
          <h3 id="settings-delete">Delete</h3>
          {confirming ? (
            <div class="settings-confirm" role="group" aria-label="Confirm deletion">
              <p>Delete this {where} for everyone? Its participants are removed and it cannot be undone.</p>
              <button
                type="button"
                class="danger"
                onClick={() =>
                  act(
                    { type: "room.destroy", requestId: newRequestId(), room: room.room, ...withReason(reason) },
                    () => `The ${where} was deleted.`,
                    () => dialog.current?.close(),
                  )
                }
              >
                Delete for everyone
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </div>
          ) : (
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              {room.kind === "channel" ? "Delete channel" : "Delete group chat"}
            </button>
          )}
        </section>
      )}

      <div class="dialog-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

function withReason(reason: string): { reason?: string } {
  const r = reason.trim();
  return r ? { reason: r } : {};
}

function context(room: RoomView, nick: string, reason: string) {
  const r = reason.trim();
  return { kind: room.kind, nick, self: false, ...(r ? { reason: r } : {}) };
}

function AddressList(props: {
  label: string;
  items: readonly AffiliationItemView[] | null;
  remove(jid: string): void;
}) {
  if (props.items === null) return <p class="settings-empty">Loading…</p>;
  if (props.items.length === 0) return <p class="settings-empty">None yet.</p>;
  return (
    <ul class="settings-list" aria-label={props.label}>
      {props.items.map((i) => (
        <li key={i.jid}>
          <span class="settings-item">
            {i.jid}
            {i.affiliation === "owner" ? " (owner)" : ""}
          </span>
          {i.affiliation !== "owner" && (
            <button type="button" aria-label={`Remove ${i.jid}`} onClick={() => props.remove(i.jid)}>
              Remove
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function AddRow(props: {
  id: string;
  label: string;
  button: string;
  value: string;
  onInput(value: string): void;
  onAdd(): void;
}) {
  return (
    <div class="settings-add">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        autocomplete="off"
        spellcheck={false}
        value={props.value}
        onInput={(ev) => props.onInput(ev.currentTarget.value)}
        onKeyDown={(ev) => {
          if (ev.key === "Enter") {
            ev.preventDefault();
            props.onAdd();
          }
        }}
      />
      <button type="button" onClick={props.onAdd}>
        {props.button}
      </button>
    </div>
  );
}
