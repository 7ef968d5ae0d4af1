// The room search's object side (src/durable/features/room-directory.ts) with a fake link: the walk (service found
// by disco, rooms listed, disco#info with bounded concurrency), the cache (no XMPP traffic while fresh, a new walk
// after the TTL), one walk for concurrent searches, the page, and the XEP-0433 service when configured.
import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import {
  CACHE_TTL_MS,
  channelSearchJid,
  INFO_CONCURRENCY,
  pooled,
  RoomDirectoryFeature,
} from "../../../src/durable/features/room-directory.ts";
import { ROOM_SEARCH_PAGE } from "../../../src/protocol/index.ts";
import { NS_CHANNEL_SEARCH } from "../../../src/xmpp/channel-search.ts";
import { XMPPError } from "../../../src/xmpp/errors.ts";
import { parseXml } from "../xml-helpers.ts";
import { harness } from "./fakes.ts";

const ITEMS = "http://jabber.org/protocol/disco#items";
const INFO = "http://jabber.org/protocol/disco#info";
const MUC = "conference.example.org";

function roomInfo(name: string, occupants: number): Element {
  return parseXml(
    `<iq type="result"><query xmlns="${INFO}"><identity category="conference" type="text" name="${name}"/>` +
      `<feature var="http://jabber.org/protocol/muc"/><feature var="muc_public"/><feature var="muc_open"/>` +
      `<x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden">` +
      `<value>http://jabber.org/protocol/muc#roominfo</value></field>` +
      `<field var="muc#roominfo_description"><value>about ${name}</value></field>` +
      `<field var="muc#roominfo_occupants"><value>${occupants}</value></field></x></query></iq>`,
  );
}

/** A server with an upload component and a group chat service of `rooms` rooms (room i has i % 7 participants). */
function server(rooms: number) {
  const h = harness();
  let inFlight = 0;
  let maxInFlight = 0;
  const asked: string[] = [];
  h.link.iq = async (_type, child, to) => {
    asked.push(`${child.attrs.xmlns} ${to}`);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    if (child.attrs.xmlns === ITEMS && to === "example.org") {
      return parseXml(
        `<iq type="result"><query xmlns="${ITEMS}"><item jid="upload.example.org"/><item jid="${MUC}"/></query></iq>`,
      );
    }
    if (child.attrs.xmlns === INFO && to === "upload.example.org") {
      return parseXml(`<iq type="result"><query xmlns="${INFO}"><identity category="store" type="file"/></query></iq>`);
    }
    if (child.attrs.xmlns === INFO && to === MUC) {
      return parseXml(
        `<iq type="result"><query xmlns="${INFO}"><identity category="conference" type="text"/>` +
          `<feature var="http://jabber.org/protocol/muc"/></query></iq>`,
      );
    }
    if (child.attrs.xmlns === ITEMS && to === MUC) {
      const items = Array.from({ length: rooms }, (_, i) => `<item jid="r${i}@${MUC}" name="r${i}"/>`).join("");
      return parseXml(`<iq type="result"><query xmlns="${ITEMS}">${items}</query></iq>`);
    }
    const match = /^r(\d+)@/u.exec(to ?? "");
    if (child.attrs.xmlns === INFO && match) {
      const i = Number(match[1]);
      if (i === 3) throw new XMPPError("item-not-found");
      return roomInfo(i === 5 ? "Tea Time" : `Room ${i}`, i % 7);
    }
    throw new XMPPError("service-unavailable");
  };
  return { h, asked, maxInFlight: () => maxInFlight };
}

describe("RoomDirectoryFeature (issue #8 §1 room search)", () => {
  it("walks the local service once, answers from the cache while fresh, and walks again after the TTL", async () => {
    let now = 1_000_000;
    const { h, asked, maxInFlight } = server(40);
    const dir = new RoomDirectoryFeature(h.ctx, { now: () => now });
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "s1", query: "tea" });
    const first = h.sent.at(-1)?.frame;
    expect(first).toMatchObject({ type: "room.search.results", requestId: "s1", query: "tea", total: 1 });
    expect(first?.type === "room.search.results" && first.results[0]).toEqual({
      room: `r5@${MUC}`,
      name: "Tea Time",
      description: "about Tea Time",
      participants: 5,
      kind: "channel",
    });
    const walk = asked.length;
    // 2 disco#items, 2 services' disco#info, 40 rooms' disco#info; at most INFO_CONCURRENCY at once.
    expect(walk).toBe(44);
    expect(maxInFlight()).toBeLessThanOrEqual(INFO_CONCURRENCY);

    // Typing more: no XMPP traffic; everything, most participants first (the room that did not answer counts none).
    now += CACHE_TTL_MS - 1;
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "s2", query: "" });
    expect(asked.length).toBe(walk);
    const all = h.sent.at(-1)?.frame;
    expect(all?.type === "room.search.results" && all.total).toBe(40);
    const counts = all?.type === "room.search.results" ? all.results.map((r) => r.participants) : [];
    expect(counts).toHaveLength(ROOM_SEARCH_PAGE > 40 ? 40 : ROOM_SEARCH_PAGE);
    expect(counts.slice(0, 5)).toEqual([6, 6, 6, 6, 6]);
    expect(counts.at(-1)).toBeNull();

    now += 2;
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "s3", query: "room 1" });
    expect(asked.length).toBe(2 * walk);
  });

  it("shares one walk between searches that arrive together", async () => {
    const { h, asked } = server(5);
    const dir = new RoomDirectoryFeature(h.ctx);
    await Promise.all([
      dir.frames["room.search"](h.ws, { type: "room.search", requestId: "a", query: "" }),
      dir.frames["room.search"](h.ws, { type: "room.search", requestId: "b", query: "room" }),
    ]);
    expect(asked.length).toBe(9);
    expect(h.sent.map((s) => s.frame.type)).toEqual(["room.search.results", "room.search.results"]);
  });

  it("asks the admin's XEP-0433 service instead, and reports its refusal by condition", async () => {
    const h = harness();
    const asked: { child: Element; to: string | undefined }[] = [];
    h.link.answer = (_type, child, to) => {
      asked.push({ child, to });
      if (asked.length > 1) throw new XMPPError("resource-constraint");
      return parseXml(
        `<iq type="result"><result xmlns="${NS_CHANNEL_SEARCH}">` +
          `<item address="small@muc.example"><name>Small</name><nusers>2</nusers><is-open/></item>` +
          `<item address="big@muc.example"><name>Big</name><nusers>40</nusers><is-open/></item></result></iq>`,
      );
    };
    const dir = new RoomDirectoryFeature(h.ctx, { searchService: "search.example" });
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "r1", query: "chat" });
    expect(asked[0]?.to).toBe("search.example");
    expect(asked[0]?.child.name).toBe("search");
    const frame = h.sent.at(-1)?.frame;
    expect(frame?.type === "room.search.results" && frame.results.map((r) => r.name)).toEqual(["Big", "Small"]);
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "r2", query: "chat" });
    expect(h.sent.at(-1)?.frame).toEqual({
      type: "error",
      code: "room-failed",
      message: "resource-constraint",
      requestId: "r2",
    });
  });

  it("refuses when offline, and lists nothing on a server without a group chat service", async () => {
    const h = harness();
    h.link.online = false;
    const dir = new RoomDirectoryFeature(h.ctx);
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "o", query: "" });
    expect(h.sent.at(-1)?.frame).toMatchObject({ type: "error", code: "not-connected" });
    h.link.online = true;
    h.link.answer = () => xml("iq", { type: "result" }, xml("query", { xmlns: ITEMS }));
    await dir.frames["room.search"](h.ws, { type: "room.search", requestId: "n", query: "" });
    expect(h.sent.at(-1)?.frame).toMatchObject({ type: "room.search.results", results: [], total: 0 });
  });

  it("pools work in order with a bounded width", async () => {
    let live = 0;
    let peak = 0;
    const out = await pooled([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      live++;
      peak = Math.max(peak, live);
      await new Promise((r) => setTimeout(r, 7 - n));
      live--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });
});

describe("PARLEY_CHANNEL_SEARCH_JID", () => {
  it("names a domain or a bare JID; anything else (or nothing) means the local walk", () => {
    expect(channelSearchJid("")).toBeUndefined();
    expect(channelSearchJid(undefined)).toBeUndefined();
    expect(channelSearchJid(" api@Search.Jabber.Network ")).toBe("api@search.jabber.network");
    expect(channelSearchJid("search.example")).toBe("search.example");
    expect(channelSearchJid("not an address")).toBeUndefined();
  });
});
