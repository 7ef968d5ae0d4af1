// PEP (XEP-0163) for OMEMO over the object socket: pep.fetch / pep.publish frames out, pep.items / ack / error
// frames back, matched by requestId, with a timeout. The object relays; the browser owns the keys.
import type { ClientFrame } from "../../../src/protocol/index.ts";
import { PepError } from "../crypto/e2ee.ts";
import type { PepItem, PepTransport } from "../crypto/e2ee.ts";
import { newRequestId } from "./ids.ts";

interface PendingPep {
  resolve(items: readonly PepItem[]): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export class PepSocket {
  readonly #pending = new Map<string, PendingPep>();
  readonly #send: (frame: ClientFrame) => boolean;
  readonly #timeoutMs: number;
  #closed = false;

  readonly transport: PepTransport = {
    fetch: (jid, node) => this.#request({ type: "pep.fetch", requestId: newRequestId(), jid, node }),
    publish: async (node, itemId, payload) => {
      await this.#request({ type: "pep.publish", requestId: newRequestId(), node, itemId, payload });
    },
  };

  constructor(send: (frame: ClientFrame) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.#send = send;
    this.#timeoutMs = timeoutMs;
  }

  #request(frame: Extract<ClientFrame, { type: "pep.fetch" | "pep.publish" }>): Promise<readonly PepItem[]> {
    return new Promise((resolve, reject) => {
      if (this.#closed || !this.#send(frame)) {
        reject(new PepError("not connected", "not-connected"));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(frame.requestId);
        reject(new PepError("no answer from the server", "timeout"));
      }, this.#timeoutMs);
      this.#pending.set(frame.requestId, { resolve, reject, timer });
    });
  }

  /** An answer frame; false when `requestId` is not one of ours. */
  settle(requestId: string, outcome: { items: readonly PepItem[] } | { error: string }): boolean {
    const pending = this.#pending.get(requestId);
    if (!pending) return false;
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    if ("error" in outcome) pending.reject(new PepError(outcome.error));
    else pending.resolve(outcome.items);
    return true;
  }

  close(): void {
    this.#closed = true;
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new PepError("signed out", "not-connected"));
    }
    this.#pending.clear();
  }
}
