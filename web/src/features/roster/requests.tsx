// Pending subscription requests (RFC 6121 §3.1.3): Accept shares our presence with them (and asks for theirs),
// Refuse declines. Both buttons are disabled once the answer is sent; the object then drops the request.
import { useState } from "preact/hooks";
import type { ClientFrame } from "../../../../src/protocol/index.ts";

function Request({ jid, id, send }: { jid: string; id: string; send(frame: ClientFrame): boolean }) {
  const [answered, setAnswered] = useState(false);
  const answer = (accept: boolean): void => {
    if (send({ type: "subscription.answer", jid, accept })) setAnswered(true);
  };
  return (
    <li>
      <span id={id} class="request-jid">
        {jid}
      </span>
      <span class="request-actions">
        <button type="button" class="primary" aria-describedby={id} disabled={answered} onClick={() => answer(true)}>
          Accept
        </button>
        <button type="button" aria-describedby={id} disabled={answered} onClick={() => answer(false)}>
          Refuse
        </button>
      </span>
    </li>
  );
}

export function Requests({ requests, send }: { requests: readonly string[]; send(frame: ClientFrame): boolean }) {
  return (
    <section class="requests" aria-labelledby="requests-heading" hidden={requests.length === 0}>
      <h2 id="requests-heading">Contact requests</h2>
      <ul class="request-list">
        {requests.map((jid, i) => (
          <Request key={jid} jid={jid} id={`request-${i}`} send={send} />
        ))}
      </ul>
    </section>
  );
}
