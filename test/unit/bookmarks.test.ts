// XEP-0402 bookmarks with XEP-0492 notification settings (src/xmpp/bookmarks.ts): unknown extensions survive.
import { describe, expect, it } from "vitest";
import {
  BOOKMARKS_NODE,
  buildBookmarkPublish,
  buildBookmarkRetract,
  buildConference,
  MAX_BOOKMARKS,
  NS_BOOKMARKS,
  NS_NOTIFY,
  parseBookmarksEvent,
  parseBookmarksItems,
  parseConference,
} from "../../src/xmpp/bookmarks.ts";
import { NS_PUBSUB } from "../../src/xmpp/pubsub.ts";
import { parseXml } from "./xml-helpers.ts";

const ME = "me@example.org";
const ROOM = "theplay@conference.shakespeare.lit";

const conference = (inner: string, attrs = `name="The Play's the Thing" autojoin="true"`) =>
  parseXml(`<conference xmlns="${NS_BOOKMARKS}" ${attrs}>${inner}</conference>`);

describe("bookmarks", () => {
  it("reads a bookmark with nick, notify setting and unknown extensions", () => {
    const b = parseConference(
      ROOM,
      conference(
        `<nick>JC</nick><extensions><state xmlns="http://myclient.example/bookmark/state" minimized="true"/>` +
          `<notify xmlns="${NS_NOTIFY}"><never identity-category="client" identity-type="pc"/><on-mention/></notify></extensions>`,
      ),
    );
    expect(b).toMatchObject({
      room: ROOM,
      name: "The Play's the Thing",
      autojoin: true,
      nick: "JC",
      notify: "on-mention",
    });
    expect(b?.extensions).toContain("http://myclient.example/bookmark/state");
    expect(b?.extensions).toContain(`identity-category="client"`);
    expect(b?.extensions).not.toContain("on-mention");
  });

  it("writes it back with the unknown extensions and other clients' notify settings kept, ours merged in", () => {
    const b = parseConference(
      ROOM,
      conference(
        `<extensions><state xmlns="urn:x:state" minimized="true"/>` +
          `<notify xmlns="${NS_NOTIFY}"><never identity-category="client" identity-type="pc"/><always/></notify></extensions>`,
      ),
    );
    if (!b) throw new Error("parsed");
    const out = buildConference({ ...b, autojoin: false, notify: "never" });
    expect(out.attrs.autojoin).toBe("false");
    const ext = out.getChild("extensions");
    expect(ext?.getChild("state", "urn:x:state")?.attrs.minimized).toBe("true");
    const notifies = ext?.getChildren("notify", NS_NOTIFY) ?? [];
    expect(notifies).toHaveLength(1);
    expect(notifies[0]?.getChildElements().map((c) => `${c.name}:${c.attrs["identity-type"] ?? ""}`)).toEqual([
      "never:pc",
      "never:",
    ]);
    // Parsed again, the general setting is ours.
    expect(parseConference(ROOM, out)?.notify).toBe("never");
  });

  it("publishes with XEP-0402's options, retracts with notify", () => {
    const publish = buildBookmarkPublish({ room: ROOM, autojoin: true, extensions: "" });
    expect(publish.getChild("publish")?.attrs.node).toBe(BOOKMARKS_NODE);
    expect(publish.getChild("publish")?.getChild("item")?.attrs.id).toBe(ROOM);
    expect(publish.getChild("publish-options")?.toString()).toContain("whitelist");
    const retract = buildBookmarkRetract(ROOM).getChild("retract");
    expect(retract?.attrs).toMatchObject({ node: BOOKMARKS_NODE, notify: "true" });
  });

  it("reads fetches and notifications, only our own, bounded, skipping bad items", () => {
    const items = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `<item id="r${i}@muc.example.org">${conference("", `autojoin="1"`).toString()}</item>`,
      ).join("");
    const fetched = parseBookmarksItems(
      parseXml(
        `<iq type="result"><pubsub xmlns="${NS_PUBSUB}"><items node="${BOOKMARKS_NODE}">${items(3)}` +
          `<item id="not a jid">${conference("").toString()}</item><item id="x@y.z"><other/></item></items></pubsub></iq>`,
      ),
    );
    expect(fetched.map((b) => [b.room, b.autojoin])).toEqual([
      ["r0@muc.example.org", true],
      ["r1@muc.example.org", true],
      ["r2@muc.example.org", true],
    ]);
    const flood = parseBookmarksItems(
      parseXml(
        `<iq type="result"><pubsub xmlns="${NS_PUBSUB}"><items node="${BOOKMARKS_NODE}">${items(MAX_BOOKMARKS + 5)}</items></pubsub></iq>`,
      ),
    );
    expect(flood).toHaveLength(MAX_BOOKMARKS);
    const event = (from: string) =>
      parseXml(
        `<message from="${from}"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="${BOOKMARKS_NODE}">` +
          `${items(1)}<retract id="${ROOM}"/></items></event></message>`,
      );
    expect(parseBookmarksEvent(event(ME), ME)).toEqual({
      published: [{ room: "r0@muc.example.org", autojoin: true, extensions: "" }],
      retracted: [ROOM],
    });
    expect(parseBookmarksEvent(event("mallory@example.org"), ME)).toEqual({ published: [], retracted: [] });
    expect(parseBookmarksEvent(parseXml(`<message from="${ME}"><body>x</body></message>`), ME)).toBeNull();
  });
});
