// The frames of room creation and invitations (src/protocol/index.ts, ./rooms-create.ts): parsed and bounded.
import { describe, expect, it } from "vitest";
import { MAX_INVITEES, parseClientFrame, parseServerFrame } from "../../src/protocol/index.ts";

const parse = (frame: object) => parseClientFrame(JSON.stringify(frame));

describe("room creation frames", () => {
  it("takes a group chat with invitees, normalised, and a channel with its address", () => {
    const group = parse({
      type: "room.create",
      requestId: "r1",
      kind: "group",
      name: " Tea ",
      invite: ["Bo@Example.org"],
    });
    expect(group).toMatchObject({ ok: true, frame: { name: "Tea", invite: ["bo@example.org"] } });
    const channel = parse({
      type: "room.create",
      requestId: "r2",
      kind: "channel",
      name: "News",
      address: "news",
      description: "d",
      invite: [],
    });
    expect(channel.ok).toBe(true);
  });

  it("refuses a channel without address, an empty name, bad or too many invitees, XML-illegal text", () => {
    const base = { type: "room.create", requestId: "r3", kind: "group", name: "x", invite: [] };
    expect(parse({ ...base, kind: "channel" })).toMatchObject({ ok: false, code: "bad-frame", requestId: "r3" });
    expect(parse({ ...base, name: "   " }).ok).toBe(false);
    expect(parse({ ...base, invite: ["not an address"] }).ok).toBe(false);
    const many = Array.from({ length: MAX_INVITEES + 1 }, (_, i) => `u${i}@example.org`);
    expect(parse({ ...base, invite: many }).ok).toBe(false);
    expect(parse({ ...base, name: "a\u0001b" }).ok).toBe(false);
    expect(parse({ ...base, kind: "secret" }).ok).toBe(false);
  });

  it("takes invitations and their answers", () => {
    expect(parse({ type: "room.invite", requestId: "i", room: "r@c.org", jid: "a@b.org" }).ok).toBe(true);
    expect(parse({ type: "room.invite", requestId: "i", room: "r@c.org", jid: "nobody" }).ok).toBe(false);
    expect(parse({ type: "invitation.answer", requestId: "a", room: "r@c.org", accept: false }).ok).toBe(true);
    const list = parseServerFrame(
      JSON.stringify({ type: "invitations", invitations: [{ room: "r@c.org", from: "a@b.org", ts: 1 }] }),
    );
    expect(list).toEqual({ type: "invitations", invitations: [{ room: "r@c.org", from: "a@b.org", ts: 1 }] });
    expect(parseServerFrame(JSON.stringify({ type: "room.created", requestId: "x", room: "r@c.org" }))?.type).toBe(
      "room.created",
    );
  });
});
