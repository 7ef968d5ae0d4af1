// Issue #7 §6: history without holes. Messages that came while the object was gone (tabs closed, the stream
// expired) are all there afterwards, in order, once; a catch-up that hits its page cap leaves a recorded hole,
// filled from the server's archive when the conversation is read there, with progress frames.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Hole } from "../../src/durable/ranges.ts";
import type { TestUserSession as UserSession } from "./test-worker.ts";
import { goAway, isMessage, openTab, peer, phoneOf, readAll, signedInTab, type Peer } from "./helpers.ts";

/** `count` messages from `from` to `to`, while a client of `to`'s (its phone) is online and gets them all. */
async function sendWhilePhoneOnline(from: Peer, to: string, count: number, tag: string): Promise<string[]> {
  const phone = await phoneOf(to.split("@")[0] ?? "");
  const bodies = Array.from({ length: count }, (_, i) => `${tag} ${String(i).padStart(4, "0")}`);
  for (const body of bodies) await from.send(to, body);
  await vi.waitFor(() => expect(phone.bodies.filter((b) => b.startsWith(tag))).toHaveLength(count), {
    timeout: 30_000,
  });
  await phone.close();
  return bodies;
}

/** "in order" or where the order breaks first. */
function orderOf(got: string[], want: string[]): string {
  const i = got.findIndex((b, j) => b !== want[j]);
  return i === -1 ? "in order" : `differs at ${i}: ${got.slice(i, i + 3).join(", ")}`;
}

describe("history without holes (issue #7 §6)", () => {
  it("300 messages that came while the object was gone and no tab was open: all there, in order, once", async () => {
    const { cookie, tab } = await signedInTab("hugo");
    tab.close();
    await goAway("hugo@localhost");
    const ines = await peer("ines");
    const tag = `away ${crypto.randomUUID().slice(0, 8)}`;
    const bodies = await sendWhilePhoneOnline(ines, "hugo@localhost", 300, tag);
    await ines.close();

    const tab2 = await openTab(cookie);
    await tab2.waitFor((f) => f.type === "snapshot" && f.connection === "online", 30_000);
    const seen = await readAll(tab2, "ines@localhost");
    const ours = seen.filter((b) => b.startsWith(tag));
    expect(ours).toHaveLength(300);
    expect(orderOf(ours, bodies)).toBe("in order");
    expect(new Set(seen).size).toBe(seen.length);
    // The catch-up brought everything: no hole was left.
    const holes = await runInDurableObject(env.USER_SESSION.getByName("hugo@localhost"), (_i: UserSession, state) =>
      state.storage.get<Hole[]>("holes"),
    );
    expect(holes ?? []).toHaveLength(0);
    tab2.close();
  }, 120_000);

  it("more than the catch-up brings: a hole is recorded, then filled as the conversation is read", async () => {
    // jules's object catches up one page of 100 and fills one page per read (test/workers/test-worker.ts).
    const { cookie, tab } = await signedInTab("jules");
    const kurt = await peer("kurt");
    // One message seen live, so the object knows where in the archive it was (an empty archive has no id).
    const hello = `hello ${crypto.randomUUID()}`;
    await kurt.send("jules@localhost", hello);
    await tab.waitFor(isMessage(hello));
    tab.close();
    await goAway("jules@localhost");
    const tag = `cap ${crypto.randomUUID().slice(0, 8)}`;
    const bodies = await sendWhilePhoneOnline(kurt, "jules@localhost", 450, tag);
    await kurt.close();

    const tab2 = await openTab(cookie);
    await tab2.waitFor((f) => f.type === "snapshot" && f.connection === "online", 30_000);
    // The live state is current at once: the newest message is in the conversation list.
    await tab2.waitFor(
      (f) =>
        (f.type === "snapshot" || f.type === "message") && JSON.stringify(f).includes(bodies.at(-1) ?? "no such body"),
      30_000,
    );
    const stub = env.USER_SESSION.getByName("jules@localhost");
    const holes = await runInDurableObject(stub, (_i: UserSession, state) => state.storage.get<Hole[]>("holes"));
    expect(holes).toHaveLength(1);

    const seen = await readAll(tab2, "kurt@localhost");
    const ours = seen.filter((b) => b.startsWith(tag));
    expect(orderOf(ours, bodies)).toBe("in order");
    expect(ours).toHaveLength(450);
    expect(new Set(seen).size).toBe(seen.length);
    // The hole was filled in steps (one archive page per read), each announced to the tab.
    const progress = tab2.frames.filter((f) => f.type === "history.progress");
    expect(progress.filter((f) => !f.done).length).toBeGreaterThanOrEqual(2);
    expect(progress.filter((f) => f.done).length).toBeGreaterThanOrEqual(2);
    expect(progress.some((f) => !f.done && f.loaded > 0)).toBe(true);

    // Read again in a new tab: from storage alone now, the same conversation.
    tab2.close();
    const tab3 = await openTab(cookie);
    await tab3.waitFor((f) => f.type === "snapshot" && f.connection === "online", 30_000);
    const again = (await readAll(tab3, "kurt@localhost")).filter((b) => b.startsWith(tag));
    expect(again).toEqual(ours);
    expect(tab3.frames.filter((f) => f.type === "history.progress")).toHaveLength(0);
    tab3.close();
  }, 120_000);
});
