// OMEMO in group chats, the object's part (issue #8 §2), against a real Prosody: the object tells the tab who the
// members of a group chat are (owners, admins, members, offline ones too, never outcasts: read fresh from the
// room), relays the tab's encrypted element as one groupchat message, gives live senders' real addresses (the
// tab decrypts by them), and refuses to relay once the room is no longer a private group chat.
import { createRoom, newRoom } from "./rooms.ts";
import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../src/protocol/index.ts";
import { buildGroupchat } from "../../src/xmpp/groupchat.ts";
import { buildSetAffiliation, NS_MUC_OWNER } from "../../src/xmpp/muc.ts";
import { NS_OMEMO_03 } from "../../src/xmpp/omemo.ts";
import { peer, signedInTab, until, type Peer } from "./helpers.ts";

const ENCRYPTED = `<encrypted xmlns="${NS_OMEMO_03}"><header sid="4242"><key rid="777" prekey="true">MwohBR4JcDN4c2gaPs6l</key><key rid="778">MwohBR4JcDN4c2gaPs6l</key><iv>T5jDmX+xK6xSo2bD</iv></header><payload>${btoa("ciphertext")}</payload></encrypted>`;

/** The peer creates `room` as a group chat (members-only, non-anonymous) and makes `members` its members. */
async function createGroup(owner: Peer, room: string, members: readonly string[]): Promise<Element[]> {
  const got = await createRoom(owner, room, "owner", "group", { name: "Secret group", description: "" });
  for (const m of members) await owner.link.iq("set", buildSetAffiliation(m, "member"), room);
  return got;
}

const answered = (requestId: string) => (f: ServerFrame) =>
  (f.type === "room.members" || f.type === "error") && "requestId" in f && f.requestId === requestId;

describe("OMEMO in group chats (the object)", () => {
  it("lists the members, relays the encrypted message once, names live senders by real address", async () => {
    const owner = await peer("go-bo");
    const room = newRoom("og");
    const atOwner = await createGroup(owner, room, ["go-ann@localhost", "go-cy@localhost"]);
    const { tab } = await signedInTab("go-ann");
    tab.send({ type: "room.join", requestId: "j1", room });
    await tab.waitForRoom((r) => r.room === room && r.state === "joined" && r.kind === "group");

    // Members: the owner and the other member (offline), not us.
    tab.send({ type: "room.members", requestId: "m1", room });
    const members = await tab.waitFor(answered("m1"));
    expect(members.type === "room.members" && members.members).toEqual(["go-bo@localhost", "go-cy@localhost"]);

    // An outcast is never a recipient; a removed member neither.
    await owner.link.iq("set", buildSetAffiliation("go-cy@localhost", "outcast"), room);
    tab.send({ type: "room.members", requestId: "m2", room });
    const after = await tab.waitFor(answered("m2"));
    expect(after.type === "room.members" && after.members).toEqual(["go-bo@localhost"]);

    // The tab's element goes out once, as a groupchat, with EME and without a receipt request.
    tab.send({ type: "message.send-encrypted", requestId: "e1", to: room, encrypted: ENCRYPTED });
    const mine = await tab.waitFor((f) => f.type === "message" && f.requestId === "e1");
    expect(mine.type === "message" && mine.message).toMatchObject({ direction: "out", peer: room });
    expect(mine.type === "message" && mine.message.encrypted?.hasPayload).toBe(true);
    const relayed = await until("the owner got it", () =>
      atOwner.find((s) => s.name === "message" && s.getChild("encrypted", NS_OMEMO_03) !== undefined),
    );
    expect(relayed.attrs.type).toBe("groupchat");
    expect(relayed.getChild("encryption", "urn:xmpp:eme:0")?.attrs.namespace).toBe(NS_OMEMO_03);
    expect(relayed.getChild("request", "urn:xmpp:receipts")).toBeUndefined();

    // A live message: its sender's real address comes from the presence (the tab decrypts by it).
    await owner.link.send(buildGroupchat(room, "from the owner", crypto.randomUUID()));
    const live = await tab.waitFor((f) => f.type === "message" && f.message.body === "from the owner");
    expect(live.type === "message" && live.message.from).toMatchObject({ nick: "owner", jid: "go-bo@localhost" });
    tab.close();
    await owner.close();
  });

  it("refuses once the room is no longer a private group chat, and says so in the room's view", async () => {
    const owner = await peer("go-bo");
    const room = newRoom("oo");
    await createGroup(owner, room, ["go-ann@localhost"]);
    const { tab } = await signedInTab("go-ann");
    tab.send({ type: "room.join", requestId: "j2", room });
    await tab.waitForRoom((r) => r.room === room && r.state === "joined" && r.kind === "group");

    // The owner opens the room (not members-only any more): status 104 tells the occupants.
    const form = xml(
      "query",
      { xmlns: NS_MUC_OWNER },
      xml(
        "x",
        { xmlns: "jabber:x:data", type: "submit" },
        xml("field", { var: "FORM_TYPE" }, xml("value", {}, "http://jabber.org/protocol/muc#roomconfig")),
        xml("field", { var: "muc#roomconfig_membersonly" }, xml("value", {}, "0")),
      ),
    );
    await owner.link.iq("set", form, room);
    await tab.waitForRoom((r) => r.room === room && r.kind !== "group");

    tab.send({ type: "room.members", requestId: "m3", room });
    const refused = await tab.waitFor(answered("m3"));
    expect(refused).toMatchObject({ type: "error", code: "room-failed" });
    tab.send({ type: "message.send-encrypted", requestId: "e2", to: room, encrypted: ENCRYPTED });
    const notSent = await tab.waitFor((f) => f.type === "error" && f.requestId === "e2");
    expect(notSent).toMatchObject({ code: "send-failed" });
    expect(notSent.type === "error" && notSent.message).toMatch(/not a private group chat/u);
    tab.close();
    await owner.close();
  });
});
