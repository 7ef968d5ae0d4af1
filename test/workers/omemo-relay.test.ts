import { env } from "cloudflare:test";
import { xml, type Element } from "@xmpp/xml";
import { describe, expect, it, vi } from "vitest";
import { login, openTab, peer } from "./helpers.ts";
import { NS_OMEMO_03 } from "../../src/xmpp/omemo.ts";
import { parseXml } from "../../src/xmpp/parse.ts";

const element = (payload: boolean) =>
  `<encrypted xmlns="${NS_OMEMO_03}"><header sid="4242"><key rid="777" prekey="true">MwohBR4JcDN4c2gaPs6l</key><iv>T5jDmX+xK6xSo2bD</iv></header>${payload ? `<payload>${btoa(crypto.randomUUID())}</payload>` : ""}</encrypted>`;

/** An element in a canonical form: attribute order is not significant in XML (servers reorder them). */
function canonical(el: Element): string {
  const attrs = Object.entries(el.attrs)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const children = el.children.map((c) => (typeof c === "string" ? JSON.stringify(c) : canonical(c))).join("");
  return `<${el.name} ${attrs}>${children}</${el.name}>`;
}
const same = (a: string) => canonical(parseXml(a));

describe("OMEMO messages through the object (relayed and stored as they are)", () => {
  it("pushes an incoming OMEMO element to the tabs as it arrived and stores it without any clear text", async () => {
    const pat = await login("pat");
    const tab = await openTab(pat.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const quinn = await peer("quinn");
    const sent = element(true);
    await quinn.link.send(
      xml(
        "message",
        { to: "pat@localhost", type: "chat", id: "omemo-1" },
        parseXml(sent),
        xml("body", {}, "I sent you an OMEMO encrypted message"),
      ),
    );
    const got = await tab.waitFor((f) => f.type === "message" && f.message.encrypted !== undefined);
    if (got.type !== "message") throw new Error("unreachable");
    expect(got.message.body).toBe("");
    expect(got.message.encrypted?.hasPayload).toBe(true);
    expect(same(got.message.encrypted?.xml ?? "<x/>")).toBe(same(sent));
    expect(got.conversation.lastBody).toBe("Encrypted message");

    // A key-transport message reaches the tabs too (their browser processes it) but is no activity.
    await quinn.link.send(
      xml("message", { to: "pat@localhost", type: "chat", id: "omemo-kt" }, parseXml(element(false))),
    );
    const kt = await tab.waitFor((f) => f.type === "message" && f.message.encrypted?.hasPayload === false);
    expect(kt.type === "message" && kt.conversation.unread).toBe(1);

    tab.send({ type: "history.load", requestId: "h", peer: "quinn@localhost", before: null });
    const page = await tab.waitFor((f) => f.type === "history" && f.requestId === "h");
    expect(page.type === "history" && page.messages.slice(-2).map((m) => m.encrypted?.hasPayload)).toEqual([
      true,
      false,
    ]);
    const rows = await env.DB.prepare("SELECT body, encrypted FROM messages WHERE owner = ? AND peer = ?")
      .bind("pat@localhost", "quinn@localhost")
      .all<{ body: string; encrypted: string }>();
    expect(rows.results.length).toBeGreaterThanOrEqual(2);
    expect(rows.results.every((r) => r.body === "")).toBe(true);
    expect(rows.results.every((r) => r.encrypted.includes(NS_OMEMO_03))).toBe(true);
    tab.close();
    await quinn.close();
  });

  it("sends what a tab encrypted, with EME, a store hint and the fallback body; refuses anything else", async () => {
    const pat = await login("pat");
    const tab = await openTab(pat.cookie);
    await tab.waitFor((f) => f.type === "snapshot" && f.connection === "online");
    const quinn = await peer("quinn");
    const received: Element[] = [];
    quinn.link.entity.on("stanza", (el: Element) => {
      if (el.getChild("encrypted", NS_OMEMO_03)) received.push(el);
    });
    const out = element(true);
    tab.send({ type: "message.send-encrypted", requestId: "e1", to: "quinn@localhost", encrypted: out });
    const echoed = await tab.waitFor((f) => f.type === "message" && f.requestId === "e1");
    expect(echoed.type === "message" && echoed.message).toMatchObject({ direction: "out", body: "" });
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 10_000 });
    const msg = received[0];
    expect(same(msg?.getChild("encrypted", NS_OMEMO_03)?.toString() ?? "<x/>")).toBe(same(out));
    expect(msg?.getChild("encryption", "urn:xmpp:eme:0")?.attrs.name).toBe("OMEMO");
    expect(msg?.getChild("store", "urn:xmpp:hints")).toBeDefined();
    expect(msg?.getChildText("body")).toContain("OMEMO");

    tab.send({
      type: "message.send-encrypted",
      requestId: "bad",
      to: "quinn@localhost",
      encrypted: "<body>clear</body>",
    });
    const refused = await tab.waitFor((f) => f.type === "error" && f.requestId === "bad");
    expect(refused).toMatchObject({ code: "bad-encrypted" });
    tab.close();
    await quinn.close();
  });
});
