// The invitations held for the user (src/durable/invitation-book.ts): one per room, the mediated and direct pair
// merged, bounded, a few per sender, rate-limited.
import { describe, expect, it } from "vitest";
import { INVITATION_RATE, InvitationBook, MAX_INVITATIONS, MAX_PER_SENDER } from "../../src/durable/invitation-book.ts";
import type { Invitation } from "../../src/xmpp/muc-invites.ts";

const ROOM = "tea@conference.example.org";
const inv = (over: Partial<Invitation> = {}): Invitation => ({
  room: ROOM,
  from: "bo@example.org",
  kind: "direct",
  ...over,
});

describe("invitation book", () => {
  it("merges the pair sent for one invitation into one entry", () => {
    const book = new InvitationBook(0);
    expect(book.add(inv({ reason: "come" }), 1)).toBe("added");
    expect(book.add(inv({ kind: "mediated", password: "pw" }), 2)).toBe("merged");
    expect(book.add(inv({ kind: "mediated" }), 3)).toBe("unchanged");
    expect(book.size).toBe(1);
    expect(book.get(ROOM)).toEqual({
      room: ROOM,
      from: "bo@example.org",
      reason: "come",
      password: "pw",
      mediated: true,
      direct: true,
      ts: 1,
    });
    // Tabs never see the password.
    expect(book.views()).toEqual([{ room: ROOM, from: "bo@example.org", reason: "come", ts: 1 }]);
    expect(book.remove(ROOM)).toBe(true);
    expect(book.remove(ROOM)).toBe(false);
  });

  it("holds a few per sender, refuses floods, and lets the oldest give way when full", () => {
    const book = new InvitationBook(0);
    for (let i = 0; i < MAX_PER_SENDER; i++) expect(book.add(inv({ room: `r${i}@c.org` }), 0)).toBe("added");
    expect(book.add(inv({ room: "one-more@c.org" }), 0)).toBe("refused");
    // The burst is used up: new senders wait for the bucket.
    let t = 0;
    for (let i = book.size; i < INVITATION_RATE.capacity; i++) {
      expect(book.add(inv({ room: `x${i}@c.org`, from: `s${i}@example.org` }), t)).toBe("added");
    }
    expect(book.add(inv({ room: "late@c.org", from: "late@example.org" }), t)).toBe("refused");
    // Over time, more come in; the book never holds more than its bound.
    for (let i = 0; i < MAX_INVITATIONS * 2; i++) {
      t += 31_000;
      book.add(inv({ room: `y${i}@c.org`, from: `p${i}@example.org` }), t);
    }
    expect(book.size).toBe(MAX_INVITATIONS);
    expect(book.get("r0@c.org")).toBeUndefined();
  });

  it("restores what storage kept, bounded", () => {
    const book = new InvitationBook(0);
    book.restore(
      Array.from({ length: MAX_INVITATIONS + 5 }, (_, i) => ({
        room: `r${i}@c.org`,
        from: "a@b.org",
        mediated: true,
        direct: false,
        ts: i,
      })),
    );
    expect(book.size).toBe(MAX_INVITATIONS);
    expect(book.entries()[0]?.room).toBe("r5@c.org");
  });
});
