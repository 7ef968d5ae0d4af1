import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { login, openTab, peer } from "./helpers.ts";
import { NS_OMEMO_03 } from "../../src/xmpp/omemo.ts";
import { OMEMO_DEVICELIST_NODE } from "../../src/protocol/index.ts";
import { parseItemsResult, buildItems } from "../../src/xmpp/pubsub.ts";
import { parseXml } from "../../src/xmpp/parse.ts";

const list = (...ids: number[]) =>
  `<list xmlns="${NS_OMEMO_03}">${ids.map((id) => `<device id="${id}"/>`).join("")}</list>`;

describe("PEP for OMEMO device lists and bundles (XEP-0163, XEP-0384 v0.3 §4.2-4.3)", () => {
  it("publishes open (reconfiguring a node created with another model), notifies, and lets anyone fetch", async () => {
    // Another client of rae's created the device list node with the server's default model (presence).
    const raePhone = await peer("rae");
    await raePhone.link.iq(
      "set",
      xml(
        "pubsub",
        { xmlns: "http://jabber.org/protocol/pubsub" },
        xml("publish", { node: OMEMO_DEVICELIST_NODE }, xml("item", { id: "current" }, parseXml(list(111)))),
      ),
    );

    const rae = await login("rae");
    const tab = await openTab(rae.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    tab.send({
      type: "pep.publish",
      requestId: "p1",
      node: OMEMO_DEVICELIST_NODE,
      itemId: "current",
      payload: list(111, 222),
    });
    await tab.waitFor((f) => (f.type === "ack" || f.type === "error") && f.requestId === "p1");
    expect(tab.frames.find((f) => f.type === "error" && f.requestId === "p1")).toBeUndefined();
    // Our own device list changed: the object (with +notify in its caps) hears of it and tells the tabs.
    const event = await tab.waitFor(
      (f) =>
        f.type === "pep.event" &&
        f.node === OMEMO_DEVICELIST_NODE &&
        f.items.some((i) => i.payload.includes('id="222"')),
    );
    expect(event.type === "pep.event" && event.jid).toBe("rae@localhost");

    // sam is no contact of rae, yet reads the (open) list, through the object and directly.
    const samLogin = await login("sam");
    const samTab = await openTab(samLogin.cookie);
    await samTab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    samTab.send({ type: "pep.fetch", requestId: "f1", jid: "rae@localhost", node: OMEMO_DEVICELIST_NODE });
    const items = await samTab.waitFor((f) => f.type === "pep.items" && f.requestId === "f1");
    expect(items.type === "pep.items" && items.items[0]?.payload).toContain('id="222"');
    const direct = parseItemsResult(await raePhone.link.iq("get", buildItems(OMEMO_DEVICELIST_NODE), "rae@localhost"));
    expect(direct[0]?.payload).toContain('id="111"');

    // A bundle node that does not exist: a clear error, the tab skips that device.
    samTab.send({
      type: "pep.fetch",
      requestId: "f2",
      jid: "rae@localhost",
      node: "eu.siacs.conversations.axolotl.bundles:999",
    });
    const missing = await samTab.waitFor((f) => f.type === "error" && f.requestId === "f2");
    // (Prosody says forbidden for a missing node of a non-contact, item-not-found otherwise.)
    expect(missing).toMatchObject({
      code: "pep-failed",
      message: expect.stringMatching(/^(item-not-found|forbidden)$/u),
    });
    // Nodes other than OMEMO's are not reachable through the object.
    samTab.send(
      JSON.stringify({ type: "pep.fetch", requestId: "f3", jid: "rae@localhost", node: "urn:xmpp:bookmarks:1" }),
    );
    await samTab.waitFor((f) => f.type === "error" && f.code === "bad-frame");
    tab.send({
      type: "pep.publish",
      requestId: "p2",
      node: OMEMO_DEVICELIST_NODE,
      itemId: "current",
      payload: "<x xmlns='jabber:x:oob'/>",
    });
    await tab.waitFor((f) => f.type === "error" && f.requestId === "p2" && f.code === "pep-failed");
    tab.close();
    samTab.close();
    await raePhone.close();
  });
});
