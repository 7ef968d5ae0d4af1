// `npm start`'s demo content against the real Prosody (issue #7 §1): mutual contacts with names and avatars, and a
// second run changes nothing. Three accounts no other test uses stand in for alice, bob and carol.
import { client, xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { describe, expect, inject, it } from "vitest";
import { publishAvatars, seedRosters, type Person } from "../../scripts/demo.mjs";
import { E2E_PROSODY_STORE } from "./app.ts";

const PEOPLE: Person[] = [
  { user: "uma", name: "Uma", colour: [0x3b, 0x5b, 0xdb] },
  { user: "victor", name: "Victor", colour: [0x2b, 0x8a, 0x3e] },
  { user: "wendy", name: "Wendy", colour: [0xc2, 0x25, 0x5c] },
];

async function signedIn<T>(user: string, fn: (request: (el: Element) => Promise<Element>) => Promise<T>): Promise<T> {
  const xmpp = client({
    service: `xmpp://127.0.0.1:${inject("prosodyC2sPort")}`,
    domain: "localhost",
    username: user,
    password: "parley",
    resource: "demo-test",
  });
  xmpp.on("error", () => {});
  await xmpp.start();
  try {
    return await fn((el) => xmpp.iqCaller.request(el));
  } finally {
    await xmpp.stop().catch(() => {});
  }
}

describe("demo content", () => {
  it("makes the demo people mutual contacts with names and avatars, once", async () => {
    expect(await seedRosters(E2E_PROSODY_STORE, "localhost", PEOPLE)).toEqual(["uma", "victor", "wendy"]);
    const port = inject("prosodyC2sPort");
    expect(await publishAvatars({ port, domain: "localhost", people: PEOPLE })).toEqual(["uma", "victor", "wendy"]);

    const roster = await signedIn("uma", async (request) => {
      const iq = await request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })));
      return (iq.getChild("query")?.getChildren("item") ?? []).map((i) => [
        i.attrs.jid,
        i.attrs.name,
        i.attrs.subscription,
      ]);
    });
    expect(roster).toEqual(
      expect.arrayContaining([
        ["victor@localhost", "Victor", "both"],
        ["wendy@localhost", "Wendy", "both"],
      ]),
    );
    const avatar = await signedIn("victor", async (request) => {
      const iq = await request(
        xml(
          "iq",
          { type: "get", to: "wendy@localhost" },
          xml(
            "pubsub",
            { xmlns: "http://jabber.org/protocol/pubsub" },
            xml("items", { node: "urn:xmpp:avatar:metadata" }),
          ),
        ),
      );
      return iq.getChild("pubsub")?.getChild("items")?.getChild("item")?.getChild("metadata")?.getChild("info")?.attrs;
    });
    expect(avatar).toMatchObject({ type: "image/png", width: "96", height: "96" });

    // A second run (npm start again) adds nothing and keeps what is there.
    expect(await seedRosters(E2E_PROSODY_STORE, "localhost", PEOPLE)).toEqual([]);
    expect(await publishAvatars({ port, domain: "localhost", people: PEOPLE })).toEqual([]);
  });
});
