import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { Archive } from "../../../src/durable/archive.ts";
import { BookmarksFeature } from "../../../src/durable/features/bookmarks.ts";
import { ChatFeature } from "../../../src/durable/features/chat.ts";
import { MucFeature } from "../../../src/durable/features/muc.ts";
import { XMPPError } from "../../../src/xmpp/errors.ts";
import { parseXml } from "../xml-helpers.ts";
import { harness } from "./fakes.ts";

const ME = "me@example.org";
const ROOM = "tea@conference.example.org";
const NS = "urn:xmpp:bookmarks:1";

const event = (items: string) =>
  parseXml(`<message from='${ME}' to='${ME}/web'><event xmlns='http://jabber.org/protocol/pubsub#event'>
    <items node='${NS}'>${items}</items></event></message>`);
const conference = (autojoin: boolean, extra = "") =>
  `<item id='${ROOM}'><conference xmlns='${NS}' autojoin='${autojoin}' name='Tea'><nick>tea-me</nick>${extra}</conference></item>`;

function setup(answer: (child: Element) => Element) {
  const h = harness(ME);
  h.link.answer = (_t, child) => answer(child);
  const archive = {
    query: async () => ({ results: [], fin: { complete: true, first: undefined, last: undefined } }),
    unseen: async () => ({ chats: [], keys: [], stored: new Set<string>(), markers: [] }),
    collect: () => true,
  } as unknown as Archive;
  const muc = new MucFeature(h.ctx, new ChatFeature(h.ctx), () => archive);
  const bookmarks = new BookmarksFeature(h.ctx, muc);
  muc.bookmarks = bookmarks;
  return { h, muc, bookmarks };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const joins = (sent: Element[]) => sent.filter((s) => s.name === "presence" && s.attrs.type === undefined);

describe("BookmarksFeature (XEP-0402)", () => {
  it("follows another client: autojoin joins with the bookmark's nick, autojoin off and retraction leave", async () => {
    const { h, muc, bookmarks } = setup((child) => {
      if (child.name === "query") throw new XMPPError("item-not-found");
      return xml("iq", { type: "result" });
    });
    expect(bookmarks.onStanza(event(conference(true)))).toBe(true);
    for (let i = 0; i < 20 && joins(h.link.sent).length === 0; i++) await tick();
    expect(joins(h.link.sent)[0]?.attrs.to).toBe(`${ROOM}/tea-me`);
    muc.onStanza(
      parseXml(`<presence from='${ROOM}/tea-me'><x xmlns='http://jabber.org/protocol/muc#user'>
        <item affiliation='none' role='participant'/><status code='110'/></x></presence>`),
    );
    for (let i = 0; i < 20 && muc.get(ROOM)?.view.state !== "joined"; i++) await tick();
    expect(muc.get(ROOM)?.view).toMatchObject({ state: "joined", autojoin: true, name: "Tea" });

    bookmarks.onStanza(event(conference(false)));
    await tick();
    expect(muc.get(ROOM)?.view.state).toBe("left");
    expect(h.link.sent.at(-1)?.attrs).toMatchObject({ to: `${ROOM}/tea-me`, type: "unavailable" });
    bookmarks.onStanza(event(`<retract id='${ROOM}'/>`));
    expect(muc.get(ROOM)?.view.autojoin).toBe(false);
  });

  it("ignores notifications from anyone but the account itself", () => {
    const { h, bookmarks } = setup(() => xml("iq", { type: "result" }));
    const forged = parseXml(`<message from='eve@example.org'><event xmlns='http://jabber.org/protocol/pubsub#event'>
      <items node='${NS}'>${conference(true)}</items></event></message>`);
    expect(bookmarks.onStanza(forged)).toBe(true);
    expect(h.link.sent).toHaveLength(0);
  });

  it("publishes autojoin on join with publish-options, then without them after precondition-not-met, keeping extensions", async () => {
    const published: Element[] = [];
    const { muc, bookmarks } = setup((child) => {
      published.push(child);
      if (child.getChild("publish-options")) {
        throw new XMPPError("conflict", undefined, "precondition-not-met");
      }
      return xml("iq", { type: "result" });
    });
    const entry = muc.entry(ROOM);
    entry.extensions = "<kept xmlns='urn:example:other'/>";
    await bookmarks.joined(entry);
    expect(published).toHaveLength(2);
    const plain = published[1]?.getChild("publish")?.getChild("item")?.getChild("conference", NS);
    expect(plain?.attrs.autojoin).toBe("true");
    expect(plain?.getChild("extensions")?.getChild("kept", "urn:example:other")).toBeDefined();
    // Left: autojoin false, published plain straight away (the server refused the options once).
    await bookmarks.left(entry);
    expect(published).toHaveLength(3);
    expect(published[2]?.getChild("publish")?.getChild("item")?.getChild("conference", NS)?.attrs.autojoin).toBe(
      "false",
    );
  });

  it("after a login: bookmarks fetched, the autojoin ones joined; one removed elsewhere stops autojoining", async () => {
    const { h, muc, bookmarks } = setup((child) => {
      if (child.name === "pubsub") {
        return parseXml(`<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
          <items node='${NS}'>${conference(true)}</items></pubsub></iq>`);
      }
      throw new XMPPError("item-not-found");
    });
    const gone = muc.entry("gone@conference.example.org");
    gone.bookmarked = true;
    gone.view.autojoin = true;
    await bookmarks.onLogin(h.link);
    for (let i = 0; i < 20 && joins(h.link.sent).length === 0; i++) await tick();
    expect(joins(h.link.sent).map((s) => s.attrs.to)).toEqual([`${ROOM}/tea-me`]);
    expect(muc.get("gone@conference.example.org")?.view.autojoin).toBe(false);
  });
});
