// OMEMO in group chats (issue #8 §2), the tab's part: a group chat (members-only and non-anonymous; the object
// checks that again at every send) is encrypted once for every device of every member (XEP-0384 v0.3 §5.6) and of
// our own other devices. The members are the room's owners, admins and members, offline ones too, never outcasts:
// the object reads them fresh for each message (room.members), so a removed member is never a recipient again.
// A member none of whose devices can be reached is named, and the message waits for the user's "Send without
// them"; it never goes out in clear on its own. No DOM.
import type { ClientFrame, ServerFrame } from "../../../src/protocol/index.ts";
import type { OmemoDevice } from "../crypto/device.ts";
import { E2EEError } from "../crypto/e2ee.ts";
import type { EncryptChoices } from "./encrypt-choices.ts";
import { newRequestId } from "./ids.ts";
import type { ComposerCrypto, E2EEStatus, EncryptedExtra, EncryptedSend } from "./omemo-policy.ts";
import { errorMessage as message } from "./omemo-policy.ts";

export interface GroupE2EEDeps {
  readonly jid: string;
  send(frame: ClientFrame): boolean;
  device(): Promise<OmemoDevice>;
  status(): { readonly status: E2EEStatus; readonly reason: string };
  /** The user's explicit per-conversation choices (shared with one-to-one chats, keyed by the room's address). */
  readonly choices: EncryptChoices;
  /** When OMEMO was first seen in the room (an encrypted message), or null. */
  omemoSince(room: string): number | null;
  /** An encrypted send of `body` went out as `requestId` (its echo is then known as ours). */
  sending(requestId: string, body: string): void;
  forget(requestId: string): void;
  markInUse(room: string, ts: number): void;
  timeoutMs?: number;
}

interface Pending {
  resolve(members: readonly string[]): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** "a, b and c" */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] ?? ""}`;
}

export class GroupE2EE {
  readonly #deps: GroupE2EEDeps;
  readonly #pending = new Map<string, Pending>();

  constructor(deps: GroupE2EEDeps) {
    this.#deps = deps;
  }

  /** room.members answers (and errors to our requests); true when the frame was ours. */
  handleFrame(frame: ServerFrame): boolean {
    if (frame.type !== "room.members" && frame.type !== "error") return false;
    const requestId = frame.requestId;
    const pending = requestId === undefined ? undefined : this.#pending.get(requestId);
    if (!pending || requestId === undefined) return false;
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    if (frame.type === "room.members") pending.resolve(frame.members);
    else pending.reject(new E2EEError(frame.message));
    return true;
  }

  /** The real addresses of the room's members (without ours), read by the object from the room now. */
  members(room: string): Promise<readonly string[]> {
    return new Promise((resolve, reject) => {
      const requestId = newRequestId();
      if (!this.#deps.send({ type: "room.members", requestId, room })) {
        reject(new E2EEError("Not connected."));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new E2EEError("No answer from the server."));
      }, this.#deps.timeoutMs ?? 20_000);
      this.#pending.set(requestId, { resolve, reject, timer });
    });
  }

  /** The effective choice: explicit, else "in use in this room", else decided at send time (null). */
  #choice(room: string): boolean | null {
    const explicit = this.#deps.choices.get(room);
    if (explicit !== undefined) return explicit;
    return this.#deps.omemoSince(room) !== null ? true : null;
  }

  composer(room: string): ComposerCrypto {
    const encrypt = this.#choice(room);
    const explicit = this.#deps.choices.get(room) !== undefined;
    const { status, reason } = this.#deps.status();
    if (status === "unavailable") {
      return encrypt
        ? {
            encrypt,
            explicit,
            status: `Encryption is not available in this browser (${reason}): nothing will be sent.`,
            warning: true,
          }
        : {
            encrypt,
            explicit,
            status: `Not encrypted. Encryption is not available in this browser (${reason}).`,
            warning: false,
          };
    }
    if (encrypt === null) {
      return { encrypt, explicit, status: "Encrypted (OMEMO) when the members use it.", warning: false };
    }
    return encrypt
      ? { encrypt, explicit, status: "Encrypted (OMEMO) for every member of this group chat.", warning: false }
      : { encrypt, explicit, status: "Not encrypted.", warning: false };
  }

  /** In a room that is not a private group chat (any more): never encrypted; said so where OMEMO was in use. */
  notGroup(room: string): ComposerCrypto {
    const was = this.#deps.omemoSince(room) !== null || this.#deps.choices.get(room) === true;
    return {
      encrypt: false,
      explicit: false,
      status: was
        ? "Not encrypted: this is no longer a private group chat (members only, addresses visible)."
        : "Messages in channels are not end-to-end encrypted.",
      warning: was,
    };
  }

  /** Undecided: encrypted when any other member has an OMEMO device (a room of clients without OMEMO: clear). */
  async encryptFor(room: string): Promise<boolean> {
    const choice = this.#choice(room);
    if (choice !== null) return choice;
    try {
      const [device, members] = await Promise.all([this.#deps.device(), this.members(room)]);
      const lists = await Promise.all(members.map((m) => device.devices(m).catch(() => [] as readonly number[])));
      return lists.some((ids) => ids.length > 0);
    } catch {
      // Nothing known: try encrypting (which then fails visibly) rather than send clear.
      return true;
    }
  }

  /**
   * Encrypts for the members and sends. `without`: members the user agreed to leave out (their devices could not
   * be reached); any other unreachable member stops the send and is named.
   */
  async send(
    room: string,
    body: string,
    extra: EncryptedExtra = {},
    without: readonly string[] = [],
  ): Promise<EncryptedSend> {
    let device: OmemoDevice;
    try {
      device = await this.#deps.device();
    } catch (err) {
      return { ok: false, error: `Not sent: encryption is not available (${message(err)}).`, offerPlain: true };
    }
    let members: readonly string[];
    try {
      members = await this.members(room);
    } catch (err) {
      return { ok: false, error: `Not sent: ${message(err)}`, offerPlain: false };
    }
    let result: Awaited<ReturnType<OmemoDevice["encryptGroup"]>>;
    try {
      result = await device.encryptGroup(room, members, body);
    } catch (err) {
      return { ok: false, error: `Not sent: ${message(err)}`, offerPlain: true };
    }
    const missing = result.unreachable.map((u) => u.jid).filter((jid) => !without.includes(jid));
    if (missing.length > 0) {
      const who = listWords(missing);
      const verb = missing.length === 1 ? "has" : "have";
      return {
        ok: false,
        error: `Not sent: ${who} ${verb} no OMEMO device this message can be encrypted for. Send it without them?`,
        offerPlain: false,
        missing,
      };
    }
    if (!result.recipients.some((r) => r.jid !== this.#deps.jid)) {
      return {
        ok: false,
        error: "Not sent: no member of this group chat can read encrypted messages.",
        offerPlain: true,
      };
    }
    const requestId = newRequestId();
    this.#deps.sending(requestId, body);
    if (!this.#deps.send({ type: "message.send-encrypted", requestId, to: room, encrypted: result.xml, ...extra })) {
      this.#deps.forget(requestId);
      return {
        ok: false,
        error: "Not connected. Your message was not sent; try again in a moment.",
        offerPlain: false,
      };
    }
    this.#deps.markInUse(room, Date.now());
    return { ok: true, requestId, skipped: result.skipped };
  }

  close(): void {
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new E2EEError("signed out"));
    }
    this.#pending.clear();
  }
}
