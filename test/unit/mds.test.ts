import { describe, expect, it } from "vitest";
import {
  buildMdsConfigure,
  buildMdsFetch,
  buildMdsPublish,
  buildMdsPublishPlain,
  MAX_MDS_ITEMS,
  MDS_NODE,
  NS_MDS,
  parseMdsEvent,
  parseMdsItems,
} from "../../src/xmpp/mds.ts";
import { NS_PUBSUB, NS_PUBSUB_OWNER } from "../../src/xmpp/pubsub.ts";
import { parseXml } from "./xml-helpers.ts";

const ME = "me@example.org";
const item = (id: string, archiveId: string, by = ME) =>
  `<item id="${id}"><displayed xmlns="${NS_MDS}"><stanza-id xmlns="urn:xmpp:sid:0" by="${by}" id="${archiveId}"/></displayed></item>`;
const event = (from: string, ...items: string[]) =>
  parseXml(
    `<message from="${from}" to="${ME}/parley"><event xmlns="http://jabber.org/protocol/pubsub#event">` +
      `<items node="${MDS_NODE}">${items.join("")}</items></event></message>`,
  );

function fields(el: ReturnType<typeof parseXml> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of el?.getChild("x", "jabber:x:data")?.getChildren("field") ?? []) {
    out[f.attrs.var ?? ""] = f.getChildText("value") ?? "";
  }
  return out;
}

describe("XEP-0490 message displayed synchronization", () => {
  it("publishes one item per conversation with §4's publish-options", () => {
    const el = buildMdsPublish(ME, "bob@example.org", "arch-1");
    expect(el.attrs.xmlns).toBe(NS_PUBSUB);
    const publish = el.getChild("publish");
    expect(publish?.attrs.node).toBe(MDS_NODE);
    const it1 = publish?.getChild("item");
    expect(it1?.attrs.id).toBe("bob@example.org");
    expect(it1?.getChild("displayed", NS_MDS)?.getChild("stanza-id", "urn:xmpp:sid:0")?.attrs).toMatchObject({
      by: ME,
      id: "arch-1",
    });
    expect(fields(el.getChild("publish-options"))).toEqual({
      FORM_TYPE: "http://jabber.org/protocol/pubsub#publish-options",
      "pubsub#persist_items": "true",
      "pubsub#max_items": "max",
      "pubsub#send_last_published_item": "never",
      "pubsub#access_model": "whitelist",
    });
    expect(buildMdsPublishPlain(ME, "bob@example.org", "a").getChild("publish-options")).toBeUndefined();
    const configure = buildMdsConfigure();
    expect(configure.attrs.xmlns).toBe(NS_PUBSUB_OWNER);
    expect(fields(configure.getChild("configure"))["pubsub#access_model"]).toBe("whitelist");
    expect(buildMdsFetch().getChild("items")?.attrs.node).toBe(MDS_NODE);
  });

  it("parses our own notifications; others' are empty; other nodes are not MDS", () => {
    expect(parseMdsEvent(event(ME, item("bob@example.org", "a1")), ME)).toEqual([
      { peer: "bob@example.org", archiveId: "a1" },
    ]);
    expect(parseMdsEvent(event("eve@example.org", item("bob@example.org", "a1")), ME)).toEqual([]);
    const other = parseXml(
      `<message from="${ME}"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="x"/></event></message>`,
    );
    expect(parseMdsEvent(other, ME)).toBeNull();
    expect(parseMdsEvent(parseXml(`<message from="${ME}"><body>x</body></message>`), ME)).toBeNull();
  });

  it("skips items that are not a bare JID with a stanza-id by us, and bounds the count", () => {
    const items = [
      item("bob@example.org/res", "a"),
      item("not a jid", "a"),
      item("BOB@example.org", "a"),
      item("bob@example.org", "a", "other@example.org"),
      item("bob@example.org", "x".repeat(300)),
      item("carol@example.org", "ok"),
    ];
    expect(parseMdsEvent(event(ME, ...items), ME)).toEqual([{ peer: "carol@example.org", archiveId: "ok" }]);
    const many = Array.from({ length: MAX_MDS_ITEMS + 5 }, (_, i) => item(`p${i}@example.org`, `a${i}`));
    const iq = parseXml(
      `<iq type="result"><pubsub xmlns="${NS_PUBSUB}"><items node="${MDS_NODE}">${many.join("")}</items></pubsub></iq>`,
    );
    expect(parseMdsItems(iq, ME)).toHaveLength(MAX_MDS_ITEMS);
  });
});
