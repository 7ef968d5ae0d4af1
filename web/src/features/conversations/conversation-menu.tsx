// A conversation's menu in the list (issue #7 §4): "Conversation actions" opens Pin/Unpin, Mute/Unmute and
// Hide/Unhide, each one `conversation.set` (the object keeps the flags and tells every tab); a room's menu also has
// when it notifies (issue #8 §1, XEP-0492 in its bookmark: every message, mentions only, never). WAI-ARIA APG menu
// button: Enter, Space or ArrowDown open it on the first item, arrows and Home/End move, Escape or Tab close it,
// and focus goes back to the button.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ClientFrame, Conversation, RoomView } from "../../../../src/protocol/index.ts";
import { newRequestId } from "../../core/ids.ts";
import { Icon } from "../../ui/icons.tsx";

export type ConversationFlag = "pinned" | "muted" | "hidden";

export type NotifySetting = NonNullable<RoomView["notify"]>;

export type MenuItem =
  | { readonly label: string; readonly flag: ConversationFlag; readonly value: boolean }
  /** A room's notification setting: a radio item, `checked` for the current one. */
  | { readonly label: string; readonly flag: "notify"; readonly value: NotifySetting; readonly checked: boolean };

const NOTIFY_LABELS: readonly [NotifySetting, string][] = [
  ["always", "Notify for every message"],
  ["on-mention", "Notify for mentions only"],
  ["never", "Never notify"],
];

/** A room's notification items; without a setting of its own a room notifies for every message. */
export function notifyItems(notify: RoomView["notify"]): MenuItem[] {
  return NOTIFY_LABELS.map(([value, label]) => ({
    label,
    flag: "notify",
    value,
    checked: (notify ?? "always") === value,
  }));
}

/** The menu's items for a conversation as it is now (pure). */
export function menuItems(c: Pick<Conversation, "pinned" | "muted" | "hidden">): MenuItem[] {
  return [
    c.pinned === true
      ? { label: "Unpin", flag: "pinned", value: false }
      : { label: "Pin", flag: "pinned", value: true },
    c.muted === true ? { label: "Unmute", flag: "muted", value: false } : { label: "Mute", flag: "muted", value: true },
    c.hidden === true
      ? { label: "Unhide", flag: "hidden", value: false }
      : { label: "Hide", flag: "hidden", value: true },
  ];
}

export interface ConversationMenuProps {
  conversation: Conversation;
  /** A room's notification setting (undefined: not a room). */
  notify?: RoomView["notify"] | undefined;
  /** The contact as shown: the menu is labelled with it. */
  name: string;
  send(frame: ClientFrame): boolean;
  /** After "Hide" the row goes away: where focus goes instead of the (gone) button. */
  onHidden(peer: string): void;
}

export function ConversationMenu({ conversation: c, name, send, onHidden, notify }: ConversationMenuProps) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const focusAt = useRef(0);
  // In a room the notification setting takes Mute's place (it is shared with the user's other clients).
  const items =
    notify === undefined ? menuItems(c) : [...menuItems(c).filter((i) => i.flag !== "muted"), ...notifyItems(notify)];
  const id = `conv-menu-${c.peer}`;

  const itemsOf = (): HTMLElement[] => [
    ...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem], [role=menuitemradio]") ?? []),
  ];
  const close = (refocus: boolean): void => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const openAt = (index: number): void => {
    focusAt.current = index;
    setOpen(true);
  };

  useEffect(() => {
    if (!open) return;
    const all = itemsOf();
    all.at(focusAt.current)?.focus();
    // A click anywhere else closes it (focus stays where the click put it).
    const outside = (ev: PointerEvent): void => {
      const target = ev.target;
      if (target instanceof Node && (menu.current?.contains(target) || button.current?.contains(target))) return;
      setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  const choose = (item: MenuItem): void => {
    if (item.flag === "notify") {
      send({ type: "room.notify", requestId: newRequestId(), room: c.peer, notify: item.value });
      // A room muted before it had a setting: the setting now says it all.
      if (item.value !== "never" && c.muted === true) send({ type: "conversation.set", peer: c.peer, muted: false });
      close(true);
      return;
    }
    const set: ClientFrame =
      item.flag === "pinned"
        ? { type: "conversation.set", peer: c.peer, pinned: item.value }
        : item.flag === "muted"
          ? { type: "conversation.set", peer: c.peer, muted: item.value }
          : { type: "conversation.set", peer: c.peer, hidden: item.value };
    send(set);
    if (item.flag === "hidden" && item.value) {
      setOpen(false);
      onHidden(c.peer);
    } else {
      close(true);
    }
  };

  const onMenuKey = (ev: KeyboardEvent): void => {
    const all = itemsOf();
    const at = all.findIndex((el) => el === document.activeElement);
    const move = (i: number): void => all.at((i + all.length) % all.length)?.focus();
    switch (ev.key) {
      case "ArrowDown":
        move(at + 1);
        break;
      case "ArrowUp":
        move(at - 1);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(all.length - 1);
        break;
      case "Escape":
        close(true);
        break;
      case "Tab":
        setOpen(false);
        return; // focus moves on as Tab would
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  };

  return (
    <div class="conv-actions">
      <button
        ref={button}
        type="button"
        class="conv-actions-button"
        aria-label="Conversation actions"
        title={`Conversation actions: ${name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={(ev) => {
          if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            ev.preventDefault();
            openAt(ev.key === "ArrowDown" ? 0 : -1);
          } else if (ev.key === "Escape" && open) {
            ev.preventDefault();
            close(true);
          }
        }}
      >
        <Icon name="more" />
      </button>
      {open && (
        <ul ref={menu} id={id} class="conv-menu" role="menu" aria-label={`Actions for ${name}`} onKeyDown={onMenuKey}>
          {items.map((item) => (
            <li key={`${item.flag}-${String(item.value)}`} role="none">
              {item.flag === "notify" ? (
                <button
                  type="button"
                  role="menuitemradio"
                  aria-checked={item.checked}
                  tabIndex={-1}
                  onClick={() => choose(item)}
                >
                  {item.label}
                </button>
              ) : (
                <button type="button" role="menuitem" tabIndex={-1} onClick={() => choose(item)}>
                  {item.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
