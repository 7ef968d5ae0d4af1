import { describe, it, expect } from "vitest";
import { createScramClient, escapeUsername, saslPrep, scramKeys } from "../../src/xmpp/scram";
import { base64ToBytes, bytesToBase64 } from "../../src/xmpp/sasl";
import { expectSaslError } from "./sasl-helpers.ts";

// RFC 5802 §5 example exchange (SCRAM-SHA-1).
const SHA1 = {
  nonce: "fyko+d2lbbFgONRv9qkxdawL",
  clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

// RFC 7677 §3 example exchange (SCRAM-SHA-256).
const SHA256 = {
  nonce: "rOprNGfwEbeRWgbNEkqO",
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  // The RFC prints "v=6rriTRBi23WpRR/wtup+mMhK8C9BBTGBXmFW8UQ6Wzg4=", which is not even
  // valid base64 (45 chars); the value below is HMAC(ServerKey, AuthMessage) for the
  // published inputs, as used by other SCRAM implementations' test suites.
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

/** Flips one bit of the first decoded byte of a "v=" server-final-message. */
function tamper(serverFinal: string): string {
  const bytes = base64ToBytes(serverFinal.slice(2));
  if (!bytes) throw new Error("bad test vector");
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return `v=${bytesToBase64(bytes)}`;
}

describe("SCRAM-SHA-1 (RFC 5802 §5)", () => {
  it("reproduces the full example exchange", async () => {
    const client = createScramClient("SHA-1", "user", "pencil", SHA1.nonce);
    expect(client.mechanism).toBe("SCRAM-SHA-1");
    expect(client.clientFirst()).toBe(SHA1.clientFirst);
    expect(await client.clientFinal(SHA1.serverFirst)).toBe(SHA1.clientFinal);
    await expect(client.verifyServerFinal(SHA1.serverFinal)).resolves.toBeUndefined();
  });

  it("rejects a tampered ServerSignature", async () => {
    const client = createScramClient("SHA-1", "user", "pencil", SHA1.nonce);
    await client.clientFinal(SHA1.serverFirst);
    await expectSaslError(client.verifyServerFinal(tamper(SHA1.serverFinal)), "server-signature-mismatch");
  });

  it("rejects a ServerSignature computed with another password", async () => {
    const client = createScramClient("SHA-1", "user", "pencil2", SHA1.nonce);
    await client.clientFinal(SHA1.serverFirst);
    await expectSaslError(client.verifyServerFinal(SHA1.serverFinal), "server-signature-mismatch");
  });
});

describe("SCRAM-SHA-256 (RFC 7677 §3)", () => {
  it("reproduces the full example exchange", async () => {
    const client = createScramClient("SHA-256", "user", "pencil", SHA256.nonce);
    expect(client.mechanism).toBe("SCRAM-SHA-256");
    expect(client.clientFirst()).toBe(SHA256.clientFirst);
    expect(await client.clientFinal(SHA256.serverFirst)).toBe(SHA256.clientFinal);
    await expect(client.verifyServerFinal(SHA256.serverFinal)).resolves.toBeUndefined();
  });

  it("rejects a tampered ServerSignature", async () => {
    const client = createScramClient("SHA-256", "user", "pencil", SHA256.nonce);
    await client.clientFinal(SHA256.serverFirst);
    await expectSaslError(client.verifyServerFinal(tamper(SHA256.serverFinal)), "server-signature-mismatch");
  });

  it("rejects the mistyped signature printed in RFC 7677 §3 as malformed", async () => {
    const client = createScramClient("SHA-256", "user", "pencil", SHA256.nonce);
    await client.clientFinal(SHA256.serverFirst);
    await expectSaslError(
      client.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhK8C9BBTGBXmFW8UQ6Wzg4="),
      "malformed-challenge",
    );
  });

  it("rejects a SHA-1 signature for a SHA-256 exchange", async () => {
    const client = createScramClient("SHA-256", "user", "pencil", SHA256.nonce);
    await client.clientFinal(SHA256.serverFirst);
    await expectSaslError(client.verifyServerFinal(SHA1.serverFinal), "server-signature-mismatch");
  });
});

describe("server-first-message validation", () => {
  const fresh = () => createScramClient("SHA-1", "user", "pencil", SHA1.nonce);
  const serverNonce = `${SHA1.nonce}3rfcNHYJY1ZVvWVs7j`;

  it.each([
    ["empty", ""],
    ["garbage", "hello world"],
    ["missing iteration count", `r=${serverNonce},s=QSXCR+Q6sek8bf92`],
    ["wrong order", `s=QSXCR+Q6sek8bf92,r=${serverNonce},i=4096`],
    ["invalid salt base64", `r=${serverNonce},s=***,i=4096`],
    ["empty salt", `r=${serverNonce},s=,i=4096`],
    ["zero iterations", `r=${serverNonce},s=QSXCR+Q6sek8bf92,i=0`],
    ["negative iterations", `r=${serverNonce},s=QSXCR+Q6sek8bf92,i=-1`],
    ["fractional iterations", `r=${serverNonce},s=QSXCR+Q6sek8bf92,i=4096.5`],
    ["non-numeric iterations", `r=${serverNonce},s=QSXCR+Q6sek8bf92,i=abc`],
    ["huge iterations", `r=${serverNonce},s=QSXCR+Q6sek8bf92,i=99999999999`],
    ["mandatory extension", `m=ext,r=${serverNonce},s=QSXCR+Q6sek8bf92,i=4096`],
    ["empty attribute", `r=${serverNonce},,s=QSXCR+Q6sek8bf92,i=4096`],
  ])("rejects %s", async (_label, serverFirst) => {
    await expectSaslError(fresh().clientFinal(serverFirst), "malformed-challenge");
  });

  it("rejects a nonce not prefixed by the client nonce", async () => {
    const err = await expectSaslError(
      fresh().clientFinal("r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
      "malformed-challenge",
    );
    expect(err.message).toMatch(/nonce/);
  });

  it("rejects a nonce equal to the client nonce (no server part)", async () => {
    await expectSaslError(fresh().clientFinal(`r=${SHA1.nonce},s=QSXCR+Q6sek8bf92,i=4096`), "malformed-challenge");
  });

  it("accepts small iteration counts and trailing extensions", async () => {
    const client = fresh();
    const final = await client.clientFinal(`r=${serverNonce},s=QSXCR+Q6sek8bf92,i=1,x=ext`);
    expect(final).toMatch(/^c=biws,r=fyko\+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=[A-Za-z0-9+/]+=*$/);
  });

  it("rejects a second server-first-message", async () => {
    const client = fresh();
    await client.clientFinal(SHA1.serverFirst);
    await expectSaslError(client.clientFinal(SHA1.serverFirst), "malformed-challenge");
  });
});

describe("server-final-message", () => {
  it('turns "e=" into a SaslError with that condition', async () => {
    const client = createScramClient("SHA-1", "user", "pencil", SHA1.nonce);
    await client.clientFinal(SHA1.serverFirst);
    await expectSaslError(client.verifyServerFinal("e=invalid-proof"), "invalid-proof");
  });

  it("rejects garbage and a server-final before server-first", async () => {
    const client = createScramClient("SHA-1", "user", "pencil", SHA1.nonce);
    await expectSaslError(client.verifyServerFinal(SHA1.serverFinal), "malformed-challenge");
    await client.clientFinal(SHA1.serverFirst);
    await expectSaslError(client.verifyServerFinal("x=1"), "malformed-challenge");
    await expectSaslError(client.verifyServerFinal("v=not base64!"), "malformed-challenge");
  });

  it("accepts trailing extensions after the verifier", async () => {
    const client = createScramClient("SHA-1", "user", "pencil", SHA1.nonce);
    await client.clientFinal(SHA1.serverFirst);
    await expect(client.verifyServerFinal(`${SHA1.serverFinal},x=y`)).resolves.toBeUndefined();
  });
});

describe("username and password preparation", () => {
  it('escapes "=" and "," (RFC 5802 §5.1)', () => {
    expect(escapeUsername("a=b,c")).toBe("a=3Db=2Cc");
    expect(escapeUsername("==,,")).toBe("=3D=3D=2C=2C");
    const client = createScramClient("SHA-256", "jo=e,x", "pw", "abc");
    expect(client.clientFirst()).toBe("n,,n=jo=3De=2Cx,r=abc");
  });

  it("keeps UTF-8 usernames unescaped", () => {
    expect(createScramClient("SHA-1", "jürgen", "pw", "abc").clientFirst()).toBe("n,,n=jürgen,r=abc");
  });

  it("applies the simplified SASLprep (RFC 4013 §2.1, §2.2)", () => {
    expect(saslPrep("I\u00ADX")).toBe("IX"); // soft hyphen mapped to nothing
    expect(saslPrep("a\u00A0b")).toBe("a b"); // non-ASCII space → SPACE
    expect(saslPrep("\u2168")).toBe("IX"); // NFKC: ROMAN NUMERAL NINE
    expect(saslPrep("\u00AA")).toBe("a"); // NFKC
    expect(saslPrep("pencil")).toBe("pencil");
  });

  it("derives the same keys for NFKC-equivalent passwords", async () => {
    const run = async (password: string) => {
      const client = createScramClient("SHA-1", "user", password, SHA1.nonce);
      return client.clientFinal(SHA1.serverFirst);
    };
    expect(await run("\uFB01sh")).toBe(await run("fish")); // U+FB01 LATIN SMALL LIGATURE FI
  });

  it("generates a printable random nonce by default", () => {
    const first = createScramClient("SHA-256", "user", "pencil").clientFirst();
    const nonce = /^n,,n=user,r=(.+)$/.exec(first)?.[1] ?? "";
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{32}$/);
    expect(createScramClient("SHA-256", "user", "pencil").clientFirst()).not.toBe(first);
  });

  it("refuses an invalid explicit client nonce", () => {
    expect(() => createScramClient("SHA-1", "user", "pencil", "a,b")).toThrow(RangeError);
    expect(() => createScramClient("SHA-1", "user", "pencil", "")).toThrow(RangeError);
  });
});

describe("scramKeys", () => {
  it("derives key lengths matching the hash", async () => {
    const salt = base64ToBytes("QSXCR+Q6sek8bf92");
    if (!salt) throw new Error("bad salt");
    const sha1 = await scramKeys("SHA-1", "pencil", salt, 4096);
    expect(sha1.saltedPassword.length).toBe(20);
    expect(sha1.clientKey.length).toBe(20);
    expect(sha1.storedKey.length).toBe(20);
    expect(sha1.serverKey.length).toBe(20);
    const sha256 = await scramKeys("SHA-256", "pencil", salt, 4096);
    expect(sha256.saltedPassword.length).toBe(32);
    expect(sha256.serverKey.length).toBe(32);
  });
});
