// The open conversation's header: back (phone width), the contact's name, and under it their presence or, while
// they compose (XEP-0085), "… is typing" until TYPING_SHOWN_MS after their last "composing".
import { useEffect, useState } from "preact/hooks";
import { presenceText } from "../../core/format.ts";
import { bestPresence, displayName } from "../../core/selectors.ts";
import { TYPING_SHOWN_MS, type AppState } from "../../core/state.ts";
import { HeaderFrame } from "./header-frame.tsx";

export interface ChatHeaderProps {
  state: AppState;
  peer: string;
  back(): void;
  /** Opens the encryption devices panel for the conversation (absent: no Devices button). */
  openDevices?(peer: string): void;
}

export function ChatHeader({ state, peer, back, openDevices }: ChatHeaderProps) {
  const [, setTick] = useState(0);
  const name = displayName(state, peer);
  const contact = state.roster.get(peer);
  const p = contact ? bestPresence(contact) : null;
  const status = contact ? presenceText(p ? p.show : null, p ? p.status : "") : "Not in your contacts";
  const since = state.typing.get(peer);
  const left = since === undefined ? 0 : since + TYPING_SHOWN_MS - Date.now();
  // Hides "… is typing" once the composing notification is older than TYPING_SHOWN_MS (the contact went quiet).
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setTick((n) => n + 1), left + 50);
    return () => clearTimeout(timer);
  }, [since, left > 0]);
  return (
    <HeaderFrame
      name={name}
      subtitle={left > 0 ? `${name} is typing…` : name === peer ? status : `${peer} · ${status}`}
      back={back}
    >
      {openDevices && (
        <button type="button" class="devices-button" aria-haspopup="dialog" onClick={() => openDevices(peer)}>
          Devices
        </button>
      )}
    </HeaderFrame>
  );
}
