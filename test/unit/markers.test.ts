import { describe, expect, it } from "vitest";
import { buildDisplayed, NS_MARKERS, parseDisplayed } from "../../src/xmpp/markers.ts";
import { parseXml } from "./xml-helpers.ts";

const ME = "me@example.org";
const carbon = (dir: "sent" | "received", inner: string, from = ME) =>
  parseXml(
    `<message from="${from}" to="${ME}/parley"><${dir} xmlns="urn:xmpp:carbons:2">` +
      `<forwarded xmlns="urn:xmpp:forward:0">${inner}</forwarded></${dir}></message>`,
  );

describe("XEP-0333 chat markers", () => {
  it("builds a displayed marker with a store hint and no markable", () => {
    const el = buildDisplayed("bob@example.org", "m-1");
    expect(el.attrs).toMatchObject({ to: "bob@example.org", type: "chat" });
    expect(el.getChild("displayed", NS_MARKERS)?.attrs.id).toBe("m-1");
    expect(el.getChild("store", "urn:xmpp:hints")).toBeDefined();
    expect(el.getChild("markable", NS_MARKERS)).toBeUndefined();
  });

  it("parses the contact's displayed marker, and our own from another client (sent carbon)", () => {
    const theirs = `<message from="bob@example.org/phone" to="${ME}" type="chat"><displayed xmlns="${NS_MARKERS}" id="x1"/></message>`;
    expect(parseDisplayed(parseXml(theirs), ME)).toEqual({ peer: "bob@example.org", id: "x1", ours: false });
    expect(parseDisplayed(carbon("received", theirs), ME)).toEqual({ peer: "bob@example.org", id: "x1", ours: false });
    const mine = `<message from="${ME}/phone" to="bob@example.org" type="chat"><displayed xmlns="${NS_MARKERS}" id="y"/></message>`;
    expect(parseDisplayed(carbon("sent", mine), ME)).toEqual({ peer: "bob@example.org", id: "y", ours: true });
  });

  it("ignores forged carbons, group chats, errors, missing or oversized ids", () => {
    const theirs = `<message from="bob@example.org/phone" type="chat"><displayed xmlns="${NS_MARKERS}" id="x1"/></message>`;
    expect(parseDisplayed(carbon("received", theirs, "eve@example.org"), ME)).toBeNull();
    for (const bad of [
      `<message from="bob@example.org/p" type="groupchat"><displayed xmlns="${NS_MARKERS}" id="x"/></message>`,
      `<message from="bob@example.org/p" type="error"><displayed xmlns="${NS_MARKERS}" id="x"/></message>`,
      `<message from="bob@example.org/p" type="chat"><displayed xmlns="${NS_MARKERS}"/></message>`,
      `<message from="bob@example.org/p" type="chat"><displayed xmlns="${NS_MARKERS}" id="${"x".repeat(300)}"/></message>`,
      `<message from="bob@example.org/p" type="chat"><received xmlns="${NS_MARKERS}" id="x"/></message>`,
      `<message from="${ME}/p" to="${ME}" type="chat"><displayed xmlns="${NS_MARKERS}" id="x"/></message>`,
      `<presence from="bob@example.org/p"><displayed xmlns="${NS_MARKERS}" id="x"/></presence>`,
    ]) {
      expect(parseDisplayed(parseXml(bad), ME)).toBeNull();
    }
  });
});
