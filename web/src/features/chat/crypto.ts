// What the chat needs from end-to-end encryption (core/e2ee.ts's E2EEService implements it).
import type {
  ComposerCrypto,
  DeviceNotice,
  EncryptedExtra,
  EncryptedSend,
  MessageSecurity,
  PlainView,
} from "../../core/e2ee.ts";

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
  /** `without`: group chat members the user agreed to leave out of this message ("Send without them"). */
  sendEncrypted(
    peer: string,
    body: string,
    extra?: EncryptedExtra,
    without?: readonly string[],
  ): Promise<EncryptedSend>;
  forgetSend(requestId: string): void;
  /** Since when OMEMO is in use with `peer` (clear messages from then on are marked); null when never. */
  omemoSince(peer: string): number | null;
  /** Device changes to show in the conversation, oldest first. */
  notices(peer: string): readonly DeviceNotice[];
}
