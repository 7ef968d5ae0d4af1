// Creating rooms (src/xmpp/muc-create.ts): the MUC service found by disco, XEP-0307 unique names, slugs, typed
// addresses, and the configuration each kind is created with.
import { describe, expect, it } from "vitest";
import {
  buildUniqueRequest,
  createConfig,
  NS_MUC_UNIQUE,
  parseDiscoItems,
  parseMucService,
  parseUnique,
  roomAddress,
  slugAddress,
} from "../../src/xmpp/muc-create.ts";
import { parseXml } from "./xml-helpers.ts";

const SERVICE = "conference.example.org";

describe("room creation", () => {
  it("lists the server's items, services only, bounded", () => {
    const iq = parseXml(
      `<iq type="result"><query xmlns="http://jabber.org/protocol/disco#items">` +
        `<item jid="Conference.example.org"/><item jid="upload.example.org"/><item jid="pubsub.example.org" node="x"/>` +
        `<item jid="someone@example.org"/><item jid="a/b"/>` +
        Array.from({ length: 30 }, (_, i) => `<item jid="s${i}.example.org"/>`).join("") +
        `</query></iq>`,
    );
    const items = parseDiscoItems(iq);
    expect(items.slice(0, 3)).toEqual(["conference.example.org", "upload.example.org", "s0.example.org"]);
    expect(items).toHaveLength(20);
  });

  it("tells a MUC service (and whether it hands out unique names) from anything else", () => {
    const info = (identity: string, features: string[]) =>
      parseXml(
        `<iq type="result"><query xmlns="http://jabber.org/protocol/disco#info">${identity}` +
          features.map((f) => `<feature var="${f}"/>`).join("") +
          `</query></iq>`,
      );
    const muc = `<identity category="conference" type="text" name="Chatrooms"/>`;
    expect(parseMucService(SERVICE, info(muc, ["http://jabber.org/protocol/muc", NS_MUC_UNIQUE]))).toEqual({
      jid: SERVICE,
      unique: true,
    });
    expect(parseMucService(SERVICE, info(muc, ["http://jabber.org/protocol/muc"]))?.unique).toBe(false);
    expect(parseMucService(SERVICE, info(`<identity category="store" type="file"/>`, []))).toBeNull();
    expect(parseMucService(SERVICE, info(muc, []))).toBeNull();
  });

  it("asks for and reads a XEP-0307 unique name", () => {
    expect(buildUniqueRequest().attrs.xmlns).toBe(NS_MUC_UNIQUE);
    const answer = (text: string) =>
      parseXml(`<iq type="result"><unique xmlns="${NS_MUC_UNIQUE}">${text}</unique></iq>`);
    expect(parseUnique(answer("6d9423a55f499b29"), SERVICE)).toBe(`6d9423a55f499b29@${SERVICE}`);
    expect(parseUnique(answer(""), SERVICE)).toBeNull();
    expect(parseUnique(answer("a@b"), SERVICE)).toBeNull();
    expect(parseUnique(parseXml(`<iq type="result"/>`), SERVICE)).toBeNull();
  });

  it("makes an address from a name when the service gives none", () => {
    expect(slugAddress("Book Club: Ünïcode!", SERVICE, "K3x9Q2")).toBe(`book-club-unicode-k3x9q2@${SERVICE}`);
    expect(slugAddress("日本語", SERVICE, "abc")).toBe(`group-abc@${SERVICE}`);
    expect(slugAddress("x".repeat(100), SERVICE, "abc").length).toBe(40 + 4 + 1 + SERVICE.length);
  });

  it("reads a typed channel address: a local part on the service, or a whole address", () => {
    expect(roomAddress("Announcements", SERVICE)).toBe(`announcements@${SERVICE}`);
    expect(roomAddress(" news@Rooms.Example.net ", SERVICE)).toBe("news@rooms.example.net");
    expect(roomAddress("with space", SERVICE)).toBeNull();
    expect(roomAddress("-leading", SERVICE)).toBeNull();
    expect(roomAddress("a<b", SERVICE)).toBeNull();
  });

  it("configures a group chat members-only and non-anonymous, a channel open and public", () => {
    const group = createConfig("group", { name: "G", description: "d" });
    expect(group).toMatchObject({
      "muc#roomconfig_roomname": "G",
      "muc#roomconfig_membersonly": true,
      "muc#roomconfig_whois": "anyone",
      "muc#roomconfig_publicroom": false,
      "muc#roomconfig_allowpm": "none",
      "muc#roomconfig_enablearchiving": true,
      "muc#roomconfig_persistentroom": true,
      "{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites": true,
    });
    const channel = createConfig("channel", { name: "C", description: "" });
    expect(channel).toMatchObject({
      "muc#roomconfig_membersonly": false,
      "muc#roomconfig_publicroom": true,
      "muc#roomconfig_whois": "moderators",
      "{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites": false,
    });
  });
});
