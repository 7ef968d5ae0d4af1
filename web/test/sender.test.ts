// The composer's sending (features/chat/sender.ts) with a fake crypto: clear and encrypted sends, the answer that
// clears the composer, a refused encrypted send that offers "Send unencrypted", errors kept per conversation.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientFrame } from "../../src/protocol/index.ts";
import type { ComposerCrypto, EncryptedSend } from "../src/core/e2ee.ts";
import type { ChatCrypto } from "../src/features/chat/crypto.ts";
import { Sender } from "../src/features/chat/sender.ts";

const BOB = "bob@localhost";

function setup(encrypt: boolean | null, result: EncryptedSend = { ok: true, requestId: "enc-1", skipped: [] }) {
  const frames: ClientFrame[] = [];
  let connected = true;
  const composer: ComposerCrypto = { encrypt, explicit: false, status: "", warning: false };
  const crypto: ChatCrypto = {
    version: 0,
    plaintext: () => undefined,
    security: () => null,
    composer: () => composer,
    setEncrypt: () => {},
    encryptFor: () => Promise.resolve(encrypt === true),
    sendEncrypted: () => Promise.resolve(result),
    forgetSend: () => {},
    omemoSince: () => null,
    notices: () => [],
  };
  const sent = vi.fn();
  const sender = new Sender({
    send: (f) => {
      if (connected) frames.push(f);
      return connected;
    },
    crypto,
    sent,
  });
  return { sender, frames, sent, disconnect: () => (connected = false) };
}

const requestIdOf = (f: ClientFrame | undefined): string => (f && "requestId" in f ? String(f.requestId) : "");

describe("Sender", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends in clear, stays busy until the answer, then clears the composer", () => {
    const { sender, frames, sent } = setup(false);
    sender.text(BOB).value = "  hi bob ";
    sender.submit(BOB);
    expect(frames).toEqual([{ type: "message.send", requestId: expect.any(String), to: BOB, body: "hi bob" }]);
    expect(sent).toHaveBeenCalledOnce();
    expect(sender.view(BOB).busy).toBe(true);
    sender.submit(BOB);
    expect(frames).toHaveLength(1);
    expect(sender.settle(requestIdOf(frames[0]), null)).toBe(true);
    expect(sender.view(BOB)).toEqual({ busy: false, error: null, note: null, block: null, missing: null });
    expect(sender.text(BOB).value).toBe("");
  });

  it("keeps what was typed after sending, and an error per conversation", () => {
    const { sender, frames } = setup(false);
    sender.text(BOB).value = "first";
    sender.submit(BOB);
    sender.text(BOB).value = "second";
    sender.settle(requestIdOf(frames[0]), "Refused");
    expect(sender.text(BOB).value).toBe("second");
    expect(sender.view(BOB).error).toBe("Refused");
    expect(sender.view("carol@localhost").error).toBeNull();
    expect(sender.settle("unknown", null)).toBe(false);
  });

  it("says so when not connected, and when nobody answers", () => {
    const { sender, disconnect } = setup(false);
    disconnect();
    sender.text(BOB).value = "hi";
    sender.submit(BOB);
    expect(sender.view(BOB)).toMatchObject({ busy: false, error: expect.stringContaining("Not connected") });
    const other = setup(false);
    other.sender.text(BOB).value = "hi";
    other.sender.submit(BOB);
    vi.advanceTimersByTime(30_000);
    expect(other.sender.view(BOB)).toMatchObject({ busy: false, error: expect.stringContaining("No answer") });
  });

  it("sends encrypted through the crypto, and clears the composer on the answer", async () => {
    const { sender, frames } = setup(true);
    sender.text(BOB).value = "secret";
    sender.submit(BOB);
    expect(sender.view(BOB).busy).toBe(true);
    await vi.waitFor(() => expect(sender.settle("enc-1", null)).toBe(true));
    expect(frames).toEqual([]);
    expect(sender.text(BOB).value).toBe("");
  });

  it("never falls back to clear text: a refused encrypted send offers Send unencrypted", async () => {
    const { sender, frames } = setup(true, { ok: false, error: "No devices", offerPlain: true });
    sender.text(BOB).value = "secret";
    sender.submit(BOB);
    await vi.waitFor(() => expect(sender.view(BOB).block).toBe("No devices"));
    expect(frames).toEqual([]);
    expect(sender.view(BOB).error).toBeNull();
    sender.sendUnencrypted(BOB);
    expect(frames).toEqual([{ type: "message.send", requestId: expect.any(String), to: BOB, body: "secret" }]);
    expect(sender.view(BOB).block).toBeNull();
  });

  it("forgets an empty composer on leaving, so the object's draft shows next time", () => {
    const { sender } = setup(false);
    sender.text(BOB, "draft").value = "";
    sender.leave(BOB);
    expect(sender.text(BOB, "from the object").value).toBe("from the object");
    sender.text(BOB).value = "typed";
    sender.leave(BOB);
    expect(sender.text(BOB, "other").value).toBe("typed");
  });
});
