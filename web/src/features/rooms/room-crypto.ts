// End-to-end encryption in rooms (issue #8 §2): only a group chat (members-only and non-anonymous: every member's
// real address is known) is encrypted, once for every device of every member (core/group-e2ee.ts). Channels and
// other rooms are never encrypted, and the composer says so; a group chat that becomes open or anonymous turns
// encryption off with a notice. One-to-one chats go to `base` unchanged.
import type { RoomView } from "../../../../src/protocol/index.ts";
import type { ComposerCrypto } from "../../core/e2ee.ts";
import type { GroupE2EE } from "../../core/group-e2ee.ts";
import type { ChatCrypto } from "../chat/crypto.ts";

/** `base` for one-to-one chats; for rooms (`roomOf` finds them), group chat encryption or none. */
export function withRooms(
  base: ChatCrypto,
  groups: GroupE2EE,
  roomOf: (peer: string) => Pick<RoomView, "kind"> | undefined,
): ChatCrypto {
  const kindOf = (peer: string): RoomView["kind"] | null => roomOf(peer)?.kind ?? null;
  const composer = (peer: string): ComposerCrypto => {
    const kind = kindOf(peer);
    if (kind === null) return base.composer(peer);
    return kind === "group" ? groups.composer(peer) : groups.notGroup(peer);
  };
  return {
    get version() {
      return base.version;
    },
    plaintext: (key) => base.plaintext(key),
    // The lock on a room message: the sending device and its trust (the timeline passes the real address).
    security: (key, peer, direction) => base.security(key, peer, direction),
    composer,
    setEncrypt: (peer, on) => {
      if (kindOf(peer) === null || kindOf(peer) === "group") base.setEncrypt(peer, on);
    },
    encryptFor: async (peer) => {
      const kind = kindOf(peer);
      if (kind === null) return base.encryptFor(peer);
      return kind === "group" ? groups.encryptFor(peer) : false;
    },
    sendEncrypted: (peer, body, extra, without) => {
      const kind = kindOf(peer);
      if (kind === null) return base.sendEncrypted(peer, body, extra);
      if (kind === "group") return groups.send(peer, body, extra, without);
      return Promise.resolve({
        ok: false,
        error: "Not sent: messages in channels cannot be end-to-end encrypted.",
        offerPlain: true,
      });
    },
    forgetSend: (requestId) => base.forgetSend(requestId),
    omemoSince: (peer) => base.omemoSince(peer),
    notices: (peer) => (kindOf(peer) === null ? base.notices(peer) : []),
  };
}
