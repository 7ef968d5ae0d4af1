import { describe, it, expect } from "vitest";
import { xml } from "@xmpp/xml";
import {
  buildPresence,
  buildSubscription,
  buildUnavailable,
  parsePresence,
  type PresenceUpdate,
  type IncomingPresence,
} from "../../src/xmpp/presence.ts";
import { parseXml } from "./xml-helpers.ts";

function updateOf(result: IncomingPresence): PresenceUpdate {
  expect(result.kind).toBe("update");
  if (result.kind !== "update") throw new Error("not an update");
  return result.update;
}

function withPriority(value: string): number {
  return updateOf(parsePresence(xml("presence", { from: "bob@example.com/a" }, xml("priority", {}, value)))).priority;
}

describe("parsePresence", () => {
  it("parses an available presence with show, status and priority", () => {
    const stanza = parseXml(
      `<presence from="Bob@Example.com/Phone" to="alice@example.com">` +
        `<show>away</show><status>in a meeting</status><priority>5</priority></presence>`,
    );
    expect(parsePresence(stanza)).toEqual({
      kind: "update",
      update: {
        jid: "bob@example.com",
        resource: "Phone",
        available: true,
        show: "away",
        status: "in a meeting",
        priority: 5,
      },
    });
  });

  it("defaults: online, empty status, priority 0", () => {
    const update = updateOf(parsePresence(xml("presence", { from: "bob@example.com/a" })));
    expect(update).toMatchObject({ available: true, show: "online", status: "", priority: 0 });
  });

  it("parses unavailable", () => {
    const update = updateOf(
      parsePresence(xml("presence", { from: "bob@example.com/a", type: "unavailable" }, xml("status", {}, "bye"))),
    );
    expect(update).toMatchObject({ jid: "bob@example.com", resource: "a", available: false, status: "bye" });
  });

  it("a presence from a bare JID has an empty resource", () => {
    expect(updateOf(parsePresence(xml("presence", { from: "bob@example.com" }))).resource).toBe("");
  });

  it.each(["chat", "away", "xa", "dnd"] as const)("accepts show=%s", (show) => {
    expect(updateOf(parsePresence(xml("presence", { from: "b@x/r" }, xml("show", {}, show)))).show).toBe(show);
  });

  it.each(["online", "busy", "", "AWAY", "<script>"])("maps unknown show %j to online", (show) => {
    expect(updateOf(parsePresence(xml("presence", { from: "b@x/r" }, xml("show", {}, show)))).show).toBe("online");
  });

  it("clamps priority to -128..127 and tolerates junk", () => {
    expect(withPriority("127")).toBe(127);
    expect(withPriority("128")).toBe(127);
    expect(withPriority("99999999999")).toBe(127);
    expect(withPriority("-128")).toBe(-128);
    expect(withPriority("-1000")).toBe(-128);
    expect(withPriority("-5")).toBe(-5);
    expect(withPriority("abc")).toBe(0);
    expect(withPriority("")).toBe(0);
    expect(Number.isInteger(withPriority("3.7"))).toBe(true);
  });

  it("truncates a long status to 1024 characters", () => {
    const update = updateOf(parsePresence(xml("presence", { from: "b@x/r" }, xml("status", {}, "s".repeat(5000)))));
    expect(update.status).toHaveLength(1024);
  });

  it.each(["subscribe", "subscribed", "unsubscribe", "unsubscribed"] as const)(
    "parses type=%s with a bare JID",
    (type) => {
      expect(parsePresence(xml("presence", { from: "Bob@Example.com/res", type }))).toEqual({
        kind: type,
        jid: "bob@example.com",
      });
    },
  );

  it("ignores error and probe presences and unknown types", () => {
    for (const type of ["error", "probe", "bogus"]) {
      expect(parsePresence(xml("presence", { from: "bob@example.com", type }))).toEqual({ kind: "ignored" });
    }
  });

  it("ignores a presence without from", () => {
    expect(parsePresence(xml("presence", {}, xml("show", {}, "dnd")))).toEqual({ kind: "ignored" });
  });

  it("ignores MUC presences (XEP-0045 muc#user)", () => {
    const stanza = parseXml(
      `<presence from="room@conference.example.com/bob">` +
        `<x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="member" role="participant"/></x></presence>`,
    );
    expect(parsePresence(stanza)).toEqual({ kind: "ignored" });
    const unavailable = xml(
      "presence",
      { from: "room@conference.example.com/bob", type: "unavailable" },
      xml("x", { xmlns: "http://jabber.org/protocol/muc#user" }),
    );
    expect(parsePresence(unavailable)).toEqual({ kind: "ignored" });
  });

  it("does not mistake a vCard-update <x/> for MUC", () => {
    const stanza = xml("presence", { from: "bob@example.com/a" }, xml("x", { xmlns: "vcard-temp:x:update" }));
    expect(parsePresence(stanza).kind).toBe("update");
  });
});

describe("buildPresence and friends", () => {
  it("omits <show/> for online and <status/> when empty", () => {
    const el = buildPresence("online", "");
    expect(el.name).toBe("presence");
    expect(el.getChild("show")).toBeUndefined();
    expect(el.getChild("status")).toBeUndefined();
    expect(el.attrs.type).toBeUndefined();
    expect(el.toString()).toBe("<presence/>");
  });

  it("includes show and status otherwise", () => {
    const el = buildPresence("dnd", "busy <coding>");
    expect(el.getChildText("show")).toBe("dnd");
    expect(el.getChildText("status")).toBe("busy <coding>");
    expect(buildPresence("online", "here").getChild("show")).toBeUndefined();
    expect(buildPresence("online", "here").getChildText("status")).toBe("here");
  });

  it("round-trips through parsePresence", () => {
    const el = parseXml(buildPresence("xa", "gone").toString());
    el.attrs.from = "alice@example.com/web";
    expect(updateOf(parsePresence(el))).toMatchObject({ show: "xa", status: "gone", available: true });
  });

  it("buildUnavailable and buildSubscription", () => {
    expect(buildUnavailable().attrs.type).toBe("unavailable");
    const sub = buildSubscription("bob@example.com", "subscribed");
    expect(sub.attrs).toEqual({ to: "bob@example.com", type: "subscribed" });
  });
});
