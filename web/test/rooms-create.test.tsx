// Creating rooms and invitations in the tab (features/rooms/create-room.tsx, invite.tsx, invitations.tsx, and the
// state's invitations): the words, the contacts offered, remote text kept as text, the reducer.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import type { Contact, InvitationView, RoomView } from "../../src/protocol/index.ts";
import { applyFrame, initialState } from "../src/core/state.ts";
import {
  contactName,
  CreateChannelDialog,
  CreateGroupDialog,
  createErrorWords,
  offeredContacts,
} from "../src/features/rooms/create-room.tsx";
import { Invitations, invitationText, pendingInvitations } from "../src/features/rooms/invitations.tsx";
import { InviteDialog } from "../src/features/rooms/invite.tsx";
import { snapshot } from "./fixtures.ts";

const contact = (jid: string, name: string): Contact => ({
  jid,
  name,
  subscription: "both",
  ask: false,
  groups: [],
  presences: [],
});
const roster = new Map([
  ["zed@example.org", contact("zed@example.org", "Anna")],
  ["bo@example.org", contact("bo@example.org", "")],
]);
const none = () => () => undefined;

describe("creating rooms and invitations in the tab", () => {
  it("offers contacts by display name and says refusals in words", () => {
    expect(offeredContacts(roster).map(contactName)).toEqual(["Anna", "bo@example.org"]);
    expect(createErrorWords("conflict")).toBe("That address is taken. Choose another one.");
    expect(createErrorWords("Too many new group chats at once.")).toBe("Too many new group chats at once.");
    expect(createErrorWords("item-not-found")).toBe("Could not create it: it does not exist.");
  });

  it("renders the dialogs with the named fields (the accessible names are a contract)", () => {
    const group = render(
      <CreateGroupDialog open={true} onClose={() => undefined} send={() => true} onSettle={none} contacts={roster} />,
    );
    expect(group).toContain(">Group name</label>");
    expect(group).toMatch(/<input type="checkbox"[^>]*\/>Anna<\/label>/u);
    expect(group).toContain(">Create</button>");
    const channel = render(
      <CreateChannelDialog open={true} onClose={() => undefined} send={() => true} onSettle={none} />,
    );
    for (const label of ["Channel name", "Address", "Description"]) expect(channel).toContain(`>${label}</label>`);
    const invite = render(
      <InviteDialog
        room="r@c.org"
        name="Tea"
        open={true}
        onClose={() => undefined}
        send={() => true}
        onSettle={none}
      />,
    );
    expect(invite).toContain(">Address</label>");
    expect(invite).toContain(">Send invitation</button>");
  });

  it("shows invitations with Join and Decline, remote text as text", () => {
    const inv: InvitationView = { room: "tea@c.org", from: "zed@example.org", reason: "<b>come</b>", ts: 1 };
    expect(invitationText(inv, roster)).toBe("Anna invites you to tea@c.org");
    const html = render(<Invitations invitations={[inv]} roster={roster} send={() => true} onSettle={none} />);
    expect(html).toContain("&lt;b>come&lt;/b>");
    expect(html).not.toContain("<b>come</b>");
    expect(html).toContain(">Join</button>");
    expect(html).toContain(">Decline</button>");
    // An invitation to a room joined meanwhile (another way) is not asked about any more.
    const room: RoomView = {
      room: "tea@c.org",
      kind: "group",
      nick: "ann",
      state: "joined",
      participants: 2,
      role: "participant",
      affiliation: "member",
      autojoin: true,
      notify: null,
    };
    expect(pendingInvitations([inv], new Map())).toEqual([inv]);
    expect(pendingInvitations([inv], new Map([[room.room, room]]))).toEqual([]);
  });

  it("keeps the invitations the object sends (snapshot, then every change)", () => {
    const inv: InvitationView = { room: "tea@c.org", from: "a@b.org", ts: 1 };
    let state = applyFrame(initialState("ann@example.org"), snapshot({ invitations: [inv] }));
    expect(state.invitations).toEqual([inv]);
    state = applyFrame(state, { type: "invitations", invitations: [] });
    expect(state.invitations).toEqual([]);
    expect(applyFrame(state, { type: "room.created", requestId: "r", room: "x@c.org" })).toBe(state);
  });
});
