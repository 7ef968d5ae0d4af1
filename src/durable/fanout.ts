// Every event goes to every attached tab. Tabs are hibernatable WebSockets (the object may sleep between
// frames), so the list always comes from the runtime, never from a field.
import type { OutgoingFrame } from "../protocol/index.ts";

export class Tabs {
  constructor(private readonly ctx: DurableObjectState) {}

  get count(): number {
    return this.ctx.getWebSockets().length;
  }

  send(ws: WebSocket, frame: OutgoingFrame): void {
    sendQuietly(ws, JSON.stringify(frame));
  }

  broadcast(frame: OutgoingFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.ctx.getWebSockets()) sendQuietly(ws, text);
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
  }
}

/**
 * Sends one frame. Swallows only the error thrown for a socket that is closing or closed: that tab is gone
 * and the runtime will deliver its close event; the other tabs must still get the frame.
 */
function sendQuietly(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // closing or closed socket
  }
}
