// The open chat lives in the URL hash (#chat/<jid>), so the browser's back button returns to the list.
const HASH_PREFIX = "#chat/";

export function chatHref(peer: string): string {
  return HASH_PREFIX + encodeURIComponent(peer);
}

export function peerFromHash(hash: string): string | null {
  if (!hash.startsWith(HASH_PREFIX)) return null;
  try {
    const peer = decodeURIComponent(hash.slice(HASH_PREFIX.length)).trim();
    return peer.length >= 3 ? peer : null;
  } catch {
    return null;
  }
}
