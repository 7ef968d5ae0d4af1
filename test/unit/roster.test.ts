import { describe, it, expect } from "vitest";
import { xml } from "@xmpp/xml";
import {
  NS_ROSTER,
  buildRosterGet,
  buildRosterSet,
  isValidRosterPush,
  parseRosterItems,
} from "../../src/xmpp/roster.ts";
import { parseXml } from "./xml-helpers.ts";

const SELF = "alice@example.com";

describe("parseRosterItems", () => {
  it("parses items with name, subscription, ask and groups", () => {
    const query = parseXml(
      `<query xmlns="${NS_ROSTER}" ver="v1">` +
        `<item jid="Bob@Example.com" name="Bob" subscription="both"><group>Friends</group><group>Work</group></item>` +
        `<item jid="carol@example.org" subscription="none" ask="subscribe"/>` +
        `<item jid="dave@example.net/ignored-resource" subscription="from"/>` +
        `<item jid="erin@example.net" subscription="to" name=""/>` +
        `</query>`,
    );
    expect(parseRosterItems(query)).toEqual([
      {
        kind: "set",
        item: { jid: "bob@example.com", name: "Bob", subscription: "both", ask: false, groups: ["Friends", "Work"] },
      },
      {
        kind: "set",
        item: { jid: "carol@example.org", name: "", subscription: "none", ask: true, groups: [] },
      },
      {
        kind: "set",
        item: { jid: "dave@example.net", name: "", subscription: "from", ask: false, groups: [] },
      },
      {
        kind: "set",
        item: { jid: "erin@example.net", name: "", subscription: "to", ask: false, groups: [] },
      },
    ]);
  });

  it("parses subscription=remove as a removal", () => {
    const query = xml("query", { xmlns: NS_ROSTER }, xml("item", { jid: "Bob@example.com", subscription: "remove" }));
    expect(parseRosterItems(query)).toEqual([{ kind: "remove", jid: "bob@example.com" }]);
  });

  it("skips items without a jid", () => {
    const query = xml(
      "query",
      { xmlns: NS_ROSTER },
      xml("item", { name: "ghost", subscription: "both" }),
      xml("item", { jid: "", subscription: "both" }),
      xml("item", { jid: "bob@example.com" }),
    );
    const changes = parseRosterItems(query);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: "set", item: { jid: "bob@example.com" } });
  });

  it("maps missing or unknown subscriptions to none, and ask values other than subscribe to false", () => {
    const query = xml(
      "query",
      { xmlns: NS_ROSTER },
      xml("item", { jid: "a@x", subscription: "bogus", ask: "unsubscribe" }),
      xml("item", { jid: "b@x" }),
    );
    expect(parseRosterItems(query)).toEqual([
      { kind: "set", item: { jid: "a@x", name: "", subscription: "none", ask: false, groups: [] } },
      { kind: "set", item: { jid: "b@x", name: "", subscription: "none", ask: false, groups: [] } },
    ]);
  });

  it("truncates long names and group names to 256 characters", () => {
    const query = xml(
      "query",
      { xmlns: NS_ROSTER },
      xml("item", { jid: "a@x", name: "n".repeat(1000) }, xml("group", {}, "g".repeat(1000))),
    );
    const [change] = parseRosterItems(query);
    if (change?.kind !== "set") throw new Error("expected a set");
    expect(change.item.name).toHaveLength(256);
    expect(change.item.groups[0]).toHaveLength(256);
  });

  it("returns [] for a missing or empty query", () => {
    expect(parseRosterItems(undefined)).toEqual([]);
    expect(parseRosterItems(xml("query", { xmlns: NS_ROSTER }))).toEqual([]);
  });
});

describe("isValidRosterPush (RFC 6121 §2.1.6)", () => {
  it("accepts a push without from or from our bare JID", () => {
    expect(isValidRosterPush(xml("iq", { type: "set", id: "1" }), SELF)).toBe(true);
    expect(isValidRosterPush(xml("iq", { type: "set", from: SELF }), SELF)).toBe(true);
    expect(isValidRosterPush(xml("iq", { type: "set", from: "Alice@Example.com" }), SELF)).toBe(true);
  });

  it("rejects a spoofed push from another JID", () => {
    expect(isValidRosterPush(xml("iq", { type: "set", from: "mallory@evil.example" }), SELF)).toBe(false);
    expect(isValidRosterPush(xml("iq", { type: "set", from: "example.com" }), SELF)).toBe(false);
    expect(isValidRosterPush(xml("iq", { type: "set", from: "alice@example.com.evil" }), SELF)).toBe(false);
    expect(isValidRosterPush(xml("iq", { type: "set", from: "bob@example.com/alice@example.com" }), SELF)).toBe(false);
  });
});

describe("roster builders", () => {
  it("buildRosterGet", () => {
    const el = buildRosterGet();
    expect(el.name).toBe("query");
    expect(el.attrs.xmlns).toBe(NS_ROSTER);
    expect(el.children).toHaveLength(0);
  });

  it("buildRosterSet with and without a name", () => {
    const named = buildRosterSet("bob@example.com", "Bob");
    expect(named.getChild("item")?.attrs).toMatchObject({ jid: "bob@example.com", name: "Bob" });
    const unnamed = buildRosterSet("bob@example.com", "");
    expect(unnamed.toString()).not.toContain("name=");
    expect(buildRosterSet("bob@example.com").toString()).not.toContain("name=");
  });
});
