import { describe, expect, it } from "vitest";
import { buildGroupchat, parseGroupchat } from "../../src/xmpp/groupchat.ts";
import { parseXml } from "./xml-helpers.ts";

const ROOM = "tea@conference.example.org";
const NOW = Date.parse("2026-01-02T03:04:05Z");

describe("group chat messages (XEP-0045 §7.4)", () => {
  it("reads a live message: sender nick, the room's stanza-id as id and key, origin-id kept apart", () => {
    const el = parseXml(`<message type='groupchat' from='${ROOM}/ann' to='me@example.org/web' id='x1'>
      <body>hi all</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/>
      <stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='s1'/><stanza-id xmlns='urn:xmpp:sid:0' by='evil@x' id='s2'/>
      <occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-ann'/>
      <x xmlns='http://jabber.org/protocol/muc#user'><item jid='ann@example.org/phone'/></x></message>`);
    const parsed = parseGroupchat(el, ROOM, NOW, { occupantIds: true });
    expect(parsed?.originId).toBe("o1");
    expect(parsed?.chat).toMatchObject({
      peer: ROOM,
      direction: "in",
      id: "s1",
      archiveId: "s1",
      body: "hi all",
      ts: NOW,
      sender: { nick: "ann", occupantId: "occ-ann" },
    });
    // A live message's muc#user item is the sender's own claim: no real JID from it.
    expect(parsed?.chat.sender.jid).toBeUndefined();
  });

  it("trusts an occupant-id only where the room announces XEP-0421, a real JID only from the archive", () => {
    const el = parseXml(`<message type='groupchat' from='${ROOM}/bo'><body>x</body>
      <occupant-id xmlns='urn:xmpp:occupant-id:0' id='forged'/>
      <x xmlns='http://jabber.org/protocol/muc#user'><item jid='bo@example.org/pc'/></x></message>`);
    expect(parseGroupchat(el, ROOM, NOW, { occupantIds: false })?.chat.sender).toEqual({ nick: "bo" });
    const forwarded = parseXml(
      `<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T00:00:00Z'/></forwarded>`,
    );
    const archived = parseGroupchat(el, ROOM, NOW, { occupantIds: false, archiveId: "a9", delayHost: forwarded });
    expect(archived?.chat).toMatchObject({
      id: "a9",
      archiveId: "a9",
      ts: Date.parse("2026-01-01T00:00:00Z"),
      sender: { nick: "bo", jid: "bo@example.org" },
    });
  });

  it("ignores what is not an occupant's message with a body", () => {
    const cases = [
      `<message type='chat' from='${ROOM}/ann'><body>pm</body></message>`,
      `<message type='groupchat' from='other@conference.example.org/ann'><body>x</body></message>`,
      `<message type='groupchat' from='${ROOM}'><body>room notice</body></message>`,
      `<message type='groupchat' from='${ROOM}/ann'><subject>topic</subject></message>`,
      `<message type='groupchat' from='${ROOM}/ann'><body>fallback</body><retract xmlns='urn:xmpp:message-retract:1' id='s1'/></message>`,
    ];
    for (const c of cases) expect(parseGroupchat(parseXml(c), ROOM, NOW, { occupantIds: true })).toBeNull();
  });

  it("removes a reply's quote from a clear body (XEP-0461, XEP-0428)", () => {
    const el = parseXml(`<message type='groupchat' from='${ROOM}/ann'><body>&gt; old
new</body>
      <reply xmlns='urn:xmpp:reply:0' id='s0' to='${ROOM}/bo'/>
      <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start='0' end='6'/></fallback></message>`);
    expect(parseGroupchat(el, ROOM, NOW, { occupantIds: true })?.chat).toMatchObject({ body: "new", replyTo: "s0" });
  });

  it("builds a groupchat message with origin-id = id", () => {
    const el = buildGroupchat(ROOM, "hello", "id1");
    expect(el.attrs).toMatchObject({ type: "groupchat", to: ROOM, id: "id1" });
    expect(el.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id).toBe("id1");
    expect(el.getChildText("body")).toBe("hello");
  });
});
