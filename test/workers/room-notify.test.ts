// When a room notifies (issue #8 §1: "all", "mentions only", "none"), kept as XEP-0492 in the room's XEP-0402
// bookmark so the user's other clients follow it, against a real Prosody. The room is the account's own; the
// "other client" is an independent xmpp.js session of the same account.
import { describe, expect, it } from "vitest";
import { buildBookmarksFetch, parseBookmarksItems } from "../../src/xmpp/bookmarks.ts";
import { peer, signedInTab } from "./helpers.ts";

const room = () => `nt-${crypto.randomUUID().slice(0, 8)}@conference.localhost`;

describe("room notification settings (XEP-0492)", () => {
  it("stores the setting in the bookmark, where another client of the account reads it", async () => {
    const where = room();
    const { tab } = await signedInTab("muc-eli");
    tab.send({ type: "room.join", requestId: "j1", room: where });
    await tab.waitForRoom((r) => r.room === where && r.state === "joined" && r.notify === null);

    tab.send({ type: "room.notify", requestId: "n1", room: where, notify: "on-mention" });
    await tab.waitFor((f) => f.type === "ack" && f.requestId === "n1");
    await tab.waitForRoom((r) => r.room === where && r.notify === "on-mention");

    const phone = await peer("muc-eli");
    let marks = parseBookmarksItems(await phone.link.iq("get", buildBookmarksFetch()));
    for (let i = 0; i < 50 && !marks.some((b) => b.room === where && b.notify === "on-mention"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      marks = parseBookmarksItems(await phone.link.iq("get", buildBookmarksFetch()));
    }
    const mark = marks.find((b) => b.room === where);
    expect(mark).toMatchObject({ autojoin: true, notify: "on-mention" });

    tab.send({ type: "room.notify", requestId: "n2", room: where, notify: "never" });
    await tab.waitForRoom((r) => r.room === where && r.notify === "never");
    tab.send({ type: "room.notify", requestId: "n3", room: "nowhere@conference.localhost", notify: "never" });
    expect(await tab.waitFor((f) => f.type === "error" && f.requestId === "n3")).toMatchObject({ code: "room-failed" });
    tab.close();
    await phone.close();
  });
});
