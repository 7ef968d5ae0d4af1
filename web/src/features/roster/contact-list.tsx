// The roster: online contacts first (most available first), then by name; each a link to the conversation, with a
// presence dot, the presence text, and "(request pending)" while our subscription request waits.
import type { Contact } from "../../../../src/protocol/index.ts";
import { presenceText } from "../../core/format.ts";
import { chatHref } from "../../core/route.ts";
import { bestPresence, sortRoster } from "../../core/selectors.ts";
import type { AppState } from "../../core/state.ts";
import { memo, shallowEqual } from "../../ui/memo.ts";

interface RowProps {
  contact: Contact;
  current: boolean;
  onActivate(peer: string): void;
}

const ContactRow = memo(function ContactRow({ contact: c, current, onActivate }: RowProps) {
  const p = bestPresence(c);
  const pending = c.ask && (c.subscription === "none" || c.subscription === "from") ? " (request pending)" : "";
  return (
    <li>
      <a
        class="contact"
        href={chatHref(c.jid)}
        title={c.jid}
        aria-current={current ? "page" : undefined}
        onClick={() => onActivate(c.jid)}
      >
        <span class={`dot dot-${p ? p.show : "offline"}`} aria-hidden="true" />
        <span class="contact-main">
          <span class="contact-name">{c.name.trim() || c.jid}</span>
          <span class="contact-status">{presenceText(p ? p.show : null, p ? p.status : "") + pending}</span>
        </span>
      </a>
    </li>
  );
}, shallowEqual);

export function ContactList(props: { state: AppState; openPeer: string | null; onActivate(peer: string): void }) {
  const contacts = sortRoster(props.state.roster);
  return (
    <>
      <ul class="roster-list" aria-labelledby="contacts-heading">
        {contacts.map((c) => (
          <ContactRow key={c.jid} contact={c} current={c.jid === props.openPeer} onActivate={props.onActivate} />
        ))}
      </ul>
      <p class="empty" hidden={contacts.length > 0 || !props.state.ready}>
        No contacts yet.
      </p>
    </>
  );
}
