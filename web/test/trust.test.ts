// The pure parts of OMEMO device management (web/src/crypto/trust.ts): fingerprints, BTBV trust decisions,
// signed pre key rotation policy and the heartbeat counter.
import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  HEARTBEAT_THRESHOLD,
  HeartbeatCounter,
  applyTrustAction,
  decideTrust,
  fingerprint,
  isTrusted,
  nextSignedPreKeyId,
  rotationPlan,
  trustLabel,
} from "../src/crypto/trust.ts";
import type { DeviceTrust } from "../src/crypto/trust.ts";

const BOB = "bob@localhost";
const key = (start: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff);

describe("fingerprint", () => {
  it("drops the 0x05 type byte and groups lowercase hex by 8", () => {
    const raw = key(0xa0);
    const fp = fingerprint(Uint8Array.from([0x05, ...raw]));
    expect(fp).toBe("a0a1a2a3 a4a5a6a7 a8a9aaab acadaeaf b0b1b2b3 b4b5b6b7 b8b9babb bcbdbebf");
    expect(fp.split(" ")).toHaveLength(8);
    expect(fingerprint(raw)).toBe(fp);
  });

  it("keeps a leading zero byte of a bare key", () => {
    expect(fingerprint(key(0)).startsWith("00010203 ")).toBe(true);
  });
});

describe("trust decisions (blind trust before verification)", () => {
  const fpA = fingerprint(key(1));
  const fpB = fingerprint(key(2));
  const fpC = fingerprint(key(3));

  it("trusts new devices blindly while the account has no verified device", () => {
    const first = decideTrust([], BOB, 1, fpA);
    expect(first).toEqual({ record: { jid: BOB, deviceId: 1, fingerprint: fpA, trust: "blind" }, changed: true });
    const second = decideTrust([first.record], BOB, 2, fpB);
    expect(second.record.trust).toBe("blind");
  });

  it("keeps a known device with the same key unchanged", () => {
    const rec: DeviceTrust = { jid: BOB, deviceId: 1, fingerprint: fpA, trust: "accepted" };
    expect(decideTrust([rec], BOB, 1, fpA)).toEqual({ record: rec, changed: false });
  });

  it("makes new devices untrusted once any device of the account is verified", () => {
    const verified: DeviceTrust = { jid: BOB, deviceId: 1, fingerprint: fpA, trust: "verified" };
    const blind: DeviceTrust = { jid: BOB, deviceId: 2, fingerprint: fpB, trust: "blind" };
    expect(decideTrust([verified, blind], BOB, 3, fpC).record.trust).toBe("untrusted");
    // Existing blind devices stay as they were.
    expect(decideTrust([verified, blind], BOB, 2, fpB).record.trust).toBe("blind");
  });

  it("only counts verified devices of the same account", () => {
    const other: DeviceTrust = { jid: "carol@localhost", deviceId: 1, fingerprint: fpA, trust: "verified" };
    expect(decideTrust([other], BOB, 5, fpB).record.trust).toBe("blind");
  });

  it("treats a changed identity key as a new device", () => {
    const verified: DeviceTrust = { jid: BOB, deviceId: 1, fingerprint: fpA, trust: "verified" };
    const blind: DeviceTrust = { jid: BOB, deviceId: 2, fingerprint: fpB, trust: "blind" };
    // The verified device itself with another key: untrusted, never silently verified.
    expect(decideTrust([verified, blind], BOB, 1, fpC)).toEqual({
      record: { jid: BOB, deviceId: 1, fingerprint: fpC, trust: "untrusted" },
      changed: true,
    });
    expect(decideTrust([verified, blind], BOB, 2, fpC).record.trust).toBe("untrusted");
    // Without verified devices a changed key is trusted blindly again (BTBV), but recorded.
    expect(decideTrust([blind], BOB, 2, fpC)).toEqual({
      record: { jid: BOB, deviceId: 2, fingerprint: fpC, trust: "blind" },
      changed: true,
    });
  });

  it("applies the user's decisions", () => {
    const rec: DeviceTrust = { jid: BOB, deviceId: 1, fingerprint: fpA, trust: "untrusted" };
    expect(applyTrustAction(rec, "accept").trust).toBe("accepted");
    expect(applyTrustAction(rec, "verify").trust).toBe("verified");
    expect(applyTrustAction({ ...rec, trust: "verified" }, "distrust").trust).toBe("untrusted");
    const blind = { ...rec, trust: "blind" as const };
    expect(applyTrustAction(blind, "accept")).toBe(blind);
  });

  it("encrypts only for trusted states and labels them", () => {
    expect(isTrusted("blind")).toBe(true);
    expect(isTrusted("verified")).toBe(true);
    expect(isTrusted("accepted")).toBe(true);
    expect(isTrusted("untrusted")).toBe(false);
    expect(trustLabel("blind")).toBe("blindly trusted");
    expect(trustLabel("verified")).toBe("verified");
    expect(trustLabel("untrusted")).toBe("untrusted");
    expect(trustLabel(null)).toBe("trust unknown");
  });
});

describe("signed pre key rotation", () => {
  const now = 100 * DAY_MS;

  it("does nothing while the current key is younger than 7 days", () => {
    expect(rotationPlan([{ keyId: 1, created: now - 6 * DAY_MS }], 1, now)).toEqual({ rotate: false, remove: [] });
  });

  it("rotates at 7 days", () => {
    expect(rotationPlan([{ keyId: 1, created: now - 7 * DAY_MS }], 1, now)).toEqual({ rotate: true, remove: [] });
  });

  it("rotates when the current key is missing", () => {
    expect(rotationPlan([], 1, now).rotate).toBe(true);
  });

  it("keeps the previous key for 30 days after it was superseded, and deletes older ones", () => {
    const keys = [
      { keyId: 1, created: now - 60 * DAY_MS },
      { keyId: 2, created: now - 20 * DAY_MS },
      { keyId: 3, created: now - 3 * DAY_MS },
    ];
    expect(rotationPlan(keys, 3, now)).toEqual({ rotate: false, remove: [1] });
    // The previous one (2) was superseded 30 days ago: it goes too.
    const later = now + 27 * DAY_MS;
    expect(rotationPlan(keys.slice(1), 3, later)).toEqual({ rotate: true, remove: [2] });
    expect(rotationPlan(keys.slice(1), 3, now + 2 * DAY_MS)).toEqual({ rotate: false, remove: [] });
  });

  it("drops the previous key when the current one is rotated away", () => {
    const keys = [
      { keyId: 4, created: now - 10 * DAY_MS },
      { keyId: 5, created: now - 8 * DAY_MS },
    ];
    expect(rotationPlan(keys, 5, now)).toEqual({ rotate: true, remove: [4] });
  });

  it("picks the next free 24-bit id", () => {
    expect(nextSignedPreKeyId([])).toBe(1);
    expect(nextSignedPreKeyId([1, 2, 7])).toBe(8);
    expect(nextSignedPreKeyId([0xffffff, 1])).toBe(2);
  });
});

describe("heartbeat counter", () => {
  it("is due after 50 received messages without sending, per device", () => {
    const c = new HeartbeatCounter();
    for (let i = 1; i < HEARTBEAT_THRESHOLD; i++) expect(c.received(BOB, 1)).toBe(false);
    expect(c.received(BOB, 2)).toBe(false);
    expect(c.received(BOB, 1)).toBe(true);
    expect(c.count(BOB, 1)).toBe(50);
  });

  it("starts again for the devices we sent to", () => {
    const c = new HeartbeatCounter({}, 3);
    c.received(BOB, 1);
    c.received(BOB, 1);
    c.received(BOB, 2);
    c.sent([{ jid: BOB, id: 1 }]);
    expect(c.count(BOB, 1)).toBe(0);
    expect(c.count(BOB, 2)).toBe(1);
    expect(c.received(BOB, 1)).toBe(false);
  });

  it("round-trips its state and ignores junk", () => {
    const c = new HeartbeatCounter({}, 3);
    c.received(BOB, 1);
    c.received(BOB, 1);
    const restored = new HeartbeatCounter({ ...c.toJSON(), junk: Number.NaN }, 3);
    expect(restored.toJSON()).toEqual({ [`${BOB} 1`]: 2 });
    expect(restored.received(BOB, 1)).toBe(true);
  });
});
