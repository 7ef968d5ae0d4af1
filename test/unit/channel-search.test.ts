// XEP-0433 Extended Channel Search (src/xmpp/channel-search.ts), against the XEP's own examples (§3.2): no such
// service runs in the test rig, so the recorded XML is the reference.
import { describe, expect, it } from "vitest";
import {
  buildChannelSearch,
  NS_CHANNEL_SEARCH,
  NS_CHANNEL_SEARCH_PARAMS,
  ORDER_BY_USERS,
  parseChannelSearch,
} from "../../src/xmpp/channel-search.ts";
import { parseForm } from "../../src/xmpp/forms.ts";
import { parseXml } from "./xml-helpers.ts";

describe("XEP-0433 channel search", () => {
  it("submits the search-params form with the keywords, most users first, and an RSM max", () => {
    const search = buildChannelSearch("  xmpp.org ", 50);
    expect(search.attrs.xmlns).toBe(NS_CHANNEL_SEARCH);
    expect(search.getChild("set", "http://jabber.org/protocol/rsm")?.getChildText("max")).toBe("50");
    const x = search.getChild("x", "jabber:x:data");
    expect(x?.attrs.type).toBe("submit");
    const form = x ? parseForm(x) : null;
    expect(form?.formType).toBe(NS_CHANNEL_SEARCH_PARAMS);
    expect(Object.fromEntries(form?.fields ?? [])).toMatchObject({
      q: ["xmpp.org"],
      sinname: ["1"],
      sindescription: ["1"],
      sinaddr: ["1"],
      key: [ORDER_BY_USERS],
    });
    // Nothing typed: all entries (§3.2.1 `all`), no keywords.
    const all = buildChannelSearch("", 10).getChild("x", "jabber:x:data");
    const allForm = all ? parseForm(all) : null;
    expect(allForm?.fields.get("all")).toEqual(["1"]);
    expect(allForm?.fields.has("q")).toBe(false);
  });

  it("reads the result items (§3.2.2.1), bounded, skipping bad addresses", () => {
    const iq = parseXml(
      `<iq from="search.service.example" type="result" id="id3"><result xmlns="${NS_CHANNEL_SEARCH}">` +
        `<item address="commteam@muc.xmpp.org"><name>commteam</name><nusers>10</nusers><is-open/></item>` +
        `<item address="operators@muc.xmpp.org"><name>XMPP Service Operators</name>` +
        `<description>Discussion venue for operators of federated XMPP services</description>` +
        `<nusers>43</nusers><is-open/></item>` +
        `<item address="not an address"><name>x</name></item>` +
        `<item address="quiet@muc.xmpp.org"><nusers>-3</nusers></item>` +
        `<set xmlns="http://jabber.org/protocol/rsm"><first>a</first><last>b</last><max>5</max></set>` +
        `</result></iq>`,
    );
    expect(parseChannelSearch(iq)).toEqual([
      { room: "commteam@muc.xmpp.org", name: "commteam", description: "", participants: 10, kind: "channel" },
      {
        room: "operators@muc.xmpp.org",
        name: "XMPP Service Operators",
        description: "Discussion venue for operators of federated XMPP services",
        participants: 43,
        kind: "channel",
      },
      { room: "quiet@muc.xmpp.org", name: "quiet", description: "", participants: null, kind: "other" },
    ]);
    expect(parseChannelSearch(iq, 1)).toHaveLength(1);
    expect(parseChannelSearch(parseXml(`<iq type="result"/>`))).toEqual([]);
  });
});
