// The in-memory per-contact OMEMO state (web/src/core/contact-omemo.ts) and the device trust cache
// (web/src/core/trust-cache.ts), through fakes of what they persist to.
import { describe, expect, it } from "vitest";
import { ContactStates } from "../src/core/contact-omemo.ts";
import { TrustCache } from "../src/core/trust-cache.ts";
import { encryptFailure } from "../src/core/omemo-policy.ts";
import { E2EEError } from "../src/crypto/e2ee.ts";
import type { ContactOmemo, DeviceNotice } from "../src/crypto/contacts.ts";

const ME = "me@localhost";
const BOB = "bob@localhost";

function contact(jid: string, over: Partial<ContactOmemo> = {}): ContactOmemo {
  return { jid, inUseSince: null, onlyVerified: false, devices: null, notices: [], ...over };
}

function notice(jid: string, ts: number): DeviceNotice {
  return { id: `${jid}-${ts}`, jid, ts, kind: "added", deviceId: ts, fingerprint: null, trust: null };
}

describe("ContactStates", () => {
  it("marks OMEMO in use once per contact, earlier messages only, and persists each change", () => {
    const writes: [string, number][] = [];
    const states = new ContactStates(ME, (peer, ts) => writes.push([peer, ts]));
    expect(states.omemoSince(BOB)).toBeNull();
    states.markInUse(BOB, 500);
    states.markInUse(BOB, 900);
    states.markInUse(BOB, 100);
    expect(states.omemoSince(BOB)).toBe(100);
    expect(writes).toEqual([
      [BOB, 500],
      [BOB, 100],
    ]);
  });

  it("never takes back 'in use' when an older record is read late", () => {
    const states = new ContactStates(ME, () => undefined);
    states.markInUse(BOB, 300);
    states.merge(contact(BOB, { onlyVerified: true }));
    expect(states.omemoSince(BOB)).toBe(300);
    expect(states.onlyVerified(BOB)).toBe(true);
    states.merge(contact(BOB, { inUseSince: 200 }));
    expect(states.omemoSince(BOB)).toBe(200);
  });

  it("shows our own devices' changes in a conversation where OMEMO is in use, in time order", () => {
    const states = new ContactStates(ME, () => undefined);
    states.merge(contact(ME, { notices: [notice(ME, 2)] }));
    states.merge(contact(BOB, { notices: [notice(BOB, 1), notice(BOB, 3)] }));
    expect(states.notices(BOB).map((n) => n.ts)).toEqual([1, 3]);
    states.markInUse(BOB, 10);
    expect(states.notices(BOB).map((n) => n.ts)).toEqual([1, 2, 3]);
    expect(states.notices(ME).map((n) => n.ts)).toEqual([2]);
  });
});

describe("TrustCache", () => {
  it("reads a contact's records once, again when forced, and follows what the user sets", async () => {
    let reads = 0;
    const device = {
      trustRecords: async () => {
        reads++;
        return [{ jid: BOB, deviceId: 7, fingerprint: "05 ab", trust: "accepted" as const }];
      },
    };
    let changes = 0;
    const cache = new TrustCache(
      async () => device,
      () => changes++,
    );
    cache.read(BOB);
    cache.read(BOB); // while the first read runs
    await expect.poll(() => cache.of(BOB)?.get(7)).toBe("accepted");
    cache.read(BOB);
    expect(reads).toBe(1);
    cache.read(BOB, true);
    await expect.poll(() => reads).toBe(2);
    cache.set(BOB, 7, "verified");
    expect(cache.of(BOB)?.get(7)).toBe("verified");
    expect(changes).toBeGreaterThanOrEqual(1);
  });

  it("forgets a failed read, so the next one asks again", async () => {
    let reads = 0;
    const cache = new TrustCache(
      async () => {
        reads++;
        throw new Error("no IndexedDB");
      },
      () => undefined,
    );
    cache.read(BOB);
    await expect.poll(() => reads).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    cache.read(BOB);
    await expect.poll(() => reads).toBe(2);
    expect(cache.of(BOB)).toBeUndefined();
  });
});

describe("encryptFailure", () => {
  it("says why, that nothing goes out in clear once OMEMO was in use, and what may help", () => {
    const text = encryptFailure(new E2EEError("their devices could not be read", "forbidden"), BOB, true);
    expect(text).toContain("Not sent: their devices could not be read");
    expect(text).toContain("nothing is sent unencrypted unless you confirm it");
    expect(text).toContain(`once ${BOB} accepts your contact request`);
    expect(encryptFailure(new Error("boom"), BOB, false)).toBe("Not sent: encryption failed (boom)");
  });
});
