import { describe, it, expect } from "vitest";
import { seal, unseal, type SealedSecret } from "../../src/durable/credentials.ts";

const SECRET = "test-secret-for-vitest-0123456789";
const JID = "alice@example.com";

function flipFirstByte(b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return btoa(String.fromCharCode(...bytes));
}

describe("credentials seal/unseal", () => {
  it("round-trips, including non-ASCII passwords", async () => {
    for (const password of ["hunter2", "pässwörd ✓ 🔑", "", "x".repeat(2000)]) {
      const sealed = await seal(SECRET, JID, password);
      expect(await unseal(SECRET, JID, sealed)).toBe(password);
    }
  });

  it("uses a fresh 96-bit IV each time", async () => {
    const a = await seal(SECRET, JID, "same");
    const b = await seal(SECRET, JID, "same");
    expect(atob(a.iv)).toHaveLength(12);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it("the sealed form does not contain the plaintext", async () => {
    const password = "correct horse battery staple";
    const sealed = await seal(SECRET, JID, password);
    const serialised = JSON.stringify(sealed);
    expect(serialised).not.toContain(password);
    expect(serialised).not.toContain(btoa(password));
    expect(atob(sealed.data)).not.toContain(password);
    // AES-GCM: ciphertext + 16-byte tag.
    expect(atob(sealed.data)).toHaveLength(password.length + 16);
  });

  it("returns null with the wrong secret", async () => {
    const sealed = await seal(SECRET, JID, "pw");
    expect(await unseal("another-secret-of-enough-length", JID, sealed)).toBeNull();
  });

  it("returns null for another JID (key bound to the account)", async () => {
    const sealed = await seal(SECRET, JID, "pw");
    expect(await unseal(SECRET, "bob@example.com", sealed)).toBeNull();
    expect(await unseal(SECRET, "Alice@example.com", sealed)).toBeNull();
  });

  it("returns null for tampered data or iv", async () => {
    const sealed = await seal(SECRET, JID, "pw-to-protect");
    expect(await unseal(SECRET, JID, { ...sealed, data: flipFirstByte(sealed.data) })).toBeNull();
    expect(await unseal(SECRET, JID, { ...sealed, iv: flipFirstByte(sealed.iv) })).toBeNull();
    const truncated = btoa(atob(sealed.data).slice(0, -1));
    expect(await unseal(SECRET, JID, { ...sealed, data: truncated })).toBeNull();
    const other = await seal(SECRET, JID, "other");
    expect(await unseal(SECRET, JID, { iv: sealed.iv, data: other.data })).toBeNull();
  });

  it("returns null for garbage instead of throwing", async () => {
    const garbage: SealedSecret[] = [
      { iv: "", data: "" },
      { iv: "!!!not base64", data: "???" },
      { iv: btoa("short"), data: btoa("x") },
    ];
    for (const sealed of garbage) expect(await unseal(SECRET, JID, sealed)).toBeNull();
  });

  it("refuses a missing or short secret when sealing, and unseal then yields null", async () => {
    await expect(seal("", JID, "pw")).rejects.toThrow(/PARLEY_SECRET/u);
    await expect(seal("short", JID, "pw")).rejects.toThrow(/PARLEY_SECRET/u);
    const sealed = await seal(SECRET, JID, "pw");
    expect(await unseal("short", JID, sealed)).toBeNull();
  });
});
