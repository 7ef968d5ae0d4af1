// Group chats are not end-to-end encrypted yet (OMEMO in group chats is issue #8 §2): in a room the composer says
// so and every message goes out as is, never through the one-to-one encryption (whose device lookups would be for
// the room's address). The object refuses encrypted sends to rooms as well.
import type { ComposerCrypto } from "../../core/e2ee.ts";
import type { ChatCrypto } from "../chat/crypto.ts";

const ROOM_COMPOSER: ComposerCrypto = {
  encrypt: false,
  explicit: false,
  status: "Messages in group chats and channels are not end-to-end encrypted.",
  warning: false,
};

/** `base` for one-to-one chats; for rooms (`isRoom`), no encryption and nothing from the contacts' devices. */
export function withRooms(base: ChatCrypto, isRoom: (peer: string) => boolean): ChatCrypto {
  return {
    get version() {
      return base.version;
    },
    plaintext: (key) => base.plaintext(key),
    security: (key, peer, direction) => (isRoom(peer) ? null : base.security(key, peer, direction)),
    composer: (peer) => (isRoom(peer) ? ROOM_COMPOSER : base.composer(peer)),
    setEncrypt: (peer, on) => {
      if (!isRoom(peer)) base.setEncrypt(peer, on);
    },
    encryptFor: async (peer) => (isRoom(peer) ? false : base.encryptFor(peer)),
    sendEncrypted: (peer, body, extra) =>
      isRoom(peer)
        ? Promise.resolve({ ok: false, error: "Not sent: group chats are not encrypted yet.", offerPlain: true })
        : base.sendEncrypted(peer, body, extra),
    forgetSend: (requestId) => base.forgetSend(requestId),
    omemoSince: (peer) => (isRoom(peer) ? null : base.omemoSince(peer)),
    notices: (peer) => (isRoom(peer) ? [] : base.notices(peer)),
  };
}
