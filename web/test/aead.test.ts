import { describe, expect, it } from "vitest";
import { openPayload, packKeyMaterial, sealPayload, unpackKeyMaterial } from "../src/crypto/aead.ts";
import { concatBytes, exactBuffer, fromBase64, randomBytes, toBase64 } from "../src/crypto/bytes.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("AES-128-GCM payload", () => {
  it("round-trips with a 12-byte IV and the tag carried in the key material", async () => {
    const sealed = await sealPayload(new TextEncoder().encode("hello ✓"));
    expect(sealed.key.byteLength).toBe(16);
    expect(sealed.iv.byteLength).toBe(12);
    expect(sealed.tag.byteLength).toBe(16);
    expect(sealed.ciphertext.byteLength).toBe(new TextEncoder().encode("hello ✓").byteLength);
    const material = packKeyMaterial(sealed.key, sealed.tag);
    expect(material.byteLength).toBe(32);
    const { key, tag } = unpackKeyMaterial(material);
    expect(text(await openPayload(key, sealed.iv, sealed.ciphertext, tag))).toBe("hello ✓");
  });

  it("accepts 16-byte IVs and the old layout (16-byte key, tag after the payload)", async () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv }, cryptoKey, new TextEncoder().encode("old")),
    );
    const unpacked = unpackKeyMaterial(key);
    expect(unpacked.tag).toBeNull();
    expect(text(await openPayload(unpacked.key, iv, sealed, unpacked.tag))).toBe("old");
    // Same message, new layout.
    const body = sealed.slice(0, -16);
    const tag = sealed.slice(-16);
    const material = unpackKeyMaterial(concatBytes(key, tag, new Uint8Array(4)));
    expect(text(await openPayload(material.key, iv, body, material.tag))).toBe("old");
  });

  it("fails on a wrong tag, a bad IV or short key material", async () => {
    const sealed = await sealPayload(new TextEncoder().encode("x"));
    const badTag = Uint8Array.from(sealed.tag);
    badTag[0] = (badTag[0] ?? 0) ^ 1;
    await expect(openPayload(sealed.key, sealed.iv, sealed.ciphertext, badTag)).rejects.toThrow();
    await expect(openPayload(sealed.key, new Uint8Array(8), sealed.ciphertext, sealed.tag)).rejects.toThrow();
    expect(() => unpackKeyMaterial(new Uint8Array(20))).toThrow();
    expect(() => packKeyMaterial(new Uint8Array(16), new Uint8Array(12))).toThrow();
  });
});

describe("bytes", () => {
  it("base64 round-trips, tolerates whitespace, refuses garbage", () => {
    const b = randomBytes(100);
    expect([...fromBase64(toBase64(b))]).toEqual([...b]);
    expect([...fromBase64(" AQ\nID ")]).toEqual([1, 2, 3]);
    expect([...fromBase64("AQI")]).toEqual([1, 2]);
    expect(() => fromBase64("A")).toThrow();
    expect(() => fromBase64("a$b=")).toThrow();
  });

  it("exactBuffer copies a view into a buffer of its own size", () => {
    const big = new Uint8Array(10).map((_, i) => i);
    const buf = exactBuffer(big.subarray(2, 5));
    expect(buf.byteLength).toBe(3);
    expect([...new Uint8Array(buf)]).toEqual([2, 3, 4]);
  });
});
