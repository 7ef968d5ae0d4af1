// requestIds for ClientFrames (1..64 chars). crypto.randomUUID needs a secure context, so no dependency on it.
let counter = 0;

export function newRequestId(): string {
  counter = (counter + 1) % 1_000_000;
  return `r${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
