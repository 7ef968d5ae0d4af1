import { describe, it, expect } from "vitest";
import {
  SaslError,
  base64ToUtf8,
  createSaslExchange,
  isPlainAllowed,
  parseSaslFailure,
  pickMechanism,
  utf8ToBase64,
} from "../../src/xmpp/sasl";
import { expectSaslError } from "./sasl-helpers.ts";

const b64 = utf8ToBase64;

function syncError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("SaslError", () => {
  it("carries a condition and defaults the message to it", () => {
    const err = new SaslError("not-authorized");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("SaslError");
    expect(err.condition).toBe("not-authorized");
    expect(err.message).toBe("not-authorized");
    expect(new SaslError("aborted", "bye").message).toBe("bye");
  });
});

describe("base64 helpers", () => {
  it("round-trips UTF-8", () => {
    expect(b64("ü")).toBe("w7w=");
    expect(base64ToUtf8(b64("пароль 🔑"))).toBe("пароль 🔑");
    expect(base64ToUtf8("")).toBe("");
  });

  it("rejects non-canonical base64 and invalid UTF-8", () => {
    expect(base64ToUtf8("w7w")).toBeUndefined(); // missing padding
    expect(base64ToUtf8("w7 w=")).toBeUndefined();
    expect(base64ToUtf8("/w==")).toBeUndefined(); // 0xFF is not UTF-8
  });
});

describe("pickMechanism", () => {
  const all = ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"];

  it("prefers SCRAM-SHA-256, then SCRAM-SHA-1, then PLAIN", () => {
    expect(pickMechanism(all, true)).toBe("SCRAM-SHA-256");
    expect(pickMechanism(["PLAIN", "SCRAM-SHA-1"], true)).toBe("SCRAM-SHA-1");
    expect(pickMechanism(["PLAIN", "SCRAM-SHA-1"], false)).toBe("SCRAM-SHA-1");
    expect(pickMechanism(["DIGEST-MD5", "PLAIN"], true)).toBe("PLAIN");
  });

  it("never picks -PLUS variants (no channel binding)", () => {
    expect(pickMechanism(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1"], false)).toBe("SCRAM-SHA-1");
  });

  it("tolerates whitespace and lower case", () => {
    expect(pickMechanism([" scram-sha-256\n"], false)).toBe("SCRAM-SHA-256");
  });

  it("refuses PLAIN when not allowed", () => {
    const err = syncError(() => pickMechanism(["PLAIN", "X-OAUTH2"], false));
    expect(err).toBeInstanceOf(SaslError);
    expect((err as SaslError).condition).toBe("no-supported-mechanism");
    expect((err as SaslError).message).toBe(
      "server offers only PLAIN, X-OAUTH2 (PLAIN is refused over an unencrypted connection)",
    );
  });

  it("fails when nothing usable is offered", () => {
    const err = syncError(() => pickMechanism(["EXTERNAL", "ANONYMOUS"], true));
    expect((err as SaslError).condition).toBe("no-supported-mechanism");
    expect((err as SaslError).message).toBe("server offers only EXTERNAL, ANONYMOUS");
    const none = syncError(() => pickMechanism([], true));
    expect((none as SaslError).condition).toBe("no-supported-mechanism");
  });
});

describe("isPlainAllowed", () => {
  it.each([
    ["wss://xmpp.example.org/xmpp-websocket", true],
    ["WSS://XMPP.EXAMPLE.ORG:5443/ws", true],
    ["ws://localhost:5280/xmpp-websocket", true],
    ["ws://LOCALHOST./ws", true],
    ["ws://127.0.0.1:5280/ws", true],
    ["ws://127.10.20.30/ws", true],
    ["ws://127.1/ws", true], // canonicalised to 127.0.0.1
    ["ws://[::1]:5280/ws", true],
    ["ws://[0:0:0:0:0:0:0:1]/ws", true],
    ["ws://[::ffff:127.0.0.1]/ws", true],
    ["ws://xmpp.example.org/ws", false],
    ["ws://128.0.0.1/ws", false],
    ["ws://10.0.0.1/ws", false],
    ["ws://[::2]/ws", false],
    ["ws://localhost.example.org/ws", false],
    ["ws://127.0.0.1.nip.io/ws", false],
    ["ws://user@evil.example/ws?localhost", false],
    ["http://localhost/ws", false],
    ["https://xmpp.example.org/ws", false],
    ["not a url", false],
    ["", false],
  ])("%s → %s", (url, expected) => {
    expect(isPlainAllowed(url)).toBe(expected);
  });
});

describe("PLAIN exchange", () => {
  it('sends "\\0user\\0pass" in base64', async () => {
    const ex = createSaslExchange("PLAIN", "user", "pass");
    expect(ex.mechanism).toBe("PLAIN");
    expect(ex.initial()).toBe("AHVzZXIAcGFzcw==");
    await expect(ex.success("")).resolves.toBeUndefined();
  });

  it("encodes UTF-8", () => {
    const ex = createSaslExchange("PLAIN", "jürgen", "pässwörd€");
    expect(ex.initial()).toBe(b64("\0jürgen\0pässwörd€"));
    expect(ex.initial()).toBe("AGrDvHJnZW4AcMOkc3N3w7ZyZOKCrA==");
  });

  it("rejects challenges and NUL characters", async () => {
    const ex = createSaslExchange("PLAIN", "user", "pass");
    await expectSaslError(ex.challenge("Zm9v"), "malformed-challenge");
    const err = syncError(() => createSaslExchange("PLAIN", "user", "pa\0ss"));
    expect((err as SaslError).condition).toBe("malformed-request");
  });
});

describe("SCRAM exchange", () => {
  // RFC 5802 §5
  const sha1 = {
    nonce: "fyko+d2lbbFgONRv9qkxdawL",
    serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  };
  // RFC 7677 §3
  const sha256 = {
    nonce: "rOprNGfwEbeRWgbNEkqO",
    serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    clientFinal:
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    // The RFC prints "v=6rriTRBi23WpRR/wtup+mMhK8C9BBTGBXmFW8UQ6Wzg4=", which is not even
    // valid base64 (45 chars); the value below is HMAC(ServerKey, AuthMessage) for the
    // published inputs, as used by other SCRAM implementations' test suites.
    serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  };

  it("runs SCRAM-SHA-256 with server-final in <success/> (RFC 6120 §6.3.10)", async () => {
    const ex = createSaslExchange("SCRAM-SHA-256", "user", "pencil", { clientNonce: sha256.nonce });
    expect(ex.mechanism).toBe("SCRAM-SHA-256");
    expect(base64ToUtf8(ex.initial())).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    expect(base64ToUtf8(await ex.challenge(b64(sha256.serverFirst)))).toBe(sha256.clientFinal);
    await expect(ex.success(b64(sha256.serverFinal))).resolves.toBeUndefined();
  });

  it("runs SCRAM-SHA-1 with server-final as a challenge and an empty <success/>", async () => {
    const ex = createSaslExchange("SCRAM-SHA-1", "user", "pencil", { clientNonce: sha1.nonce });
    expect(base64ToUtf8(ex.initial())).toBe("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    expect(base64ToUtf8(await ex.challenge(b64(sha1.serverFirst)))).toBe(sha1.clientFinal);
    expect(await ex.challenge(b64(sha1.serverFinal))).toBe("");
    await expect(ex.success("")).resolves.toBeUndefined();
  });

  it("rejects an empty <success/> without ServerSignature", async () => {
    for (const empty of ["", "="]) {
      const ex = createSaslExchange("SCRAM-SHA-1", "user", "pencil", { clientNonce: sha1.nonce });
      ex.initial();
      await ex.challenge(b64(sha1.serverFirst));
      await expectSaslError(ex.success(empty), "server-signature-mismatch");
    }
  });

  it("rejects a wrong ServerSignature in <success/>", async () => {
    const ex = createSaslExchange("SCRAM-SHA-1", "user", "pencil", { clientNonce: sha1.nonce });
    ex.initial();
    await ex.challenge(b64(sha1.serverFirst));
    await expectSaslError(ex.success(b64("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")), "server-signature-mismatch");
  });

  it("rejects a non-base64 challenge and out-of-order messages", async () => {
    const ex = createSaslExchange("SCRAM-SHA-1", "user", "pencil", { clientNonce: sha1.nonce });
    await expectSaslError(ex.challenge(b64(sha1.serverFirst)), "malformed-challenge");
    await expectSaslError(ex.success(""), "malformed-challenge");
    ex.initial();
    await expectSaslError(ex.challenge("%%%"), "malformed-challenge");
  });

  it('surfaces a SCRAM "e=" server error', async () => {
    const ex = createSaslExchange("SCRAM-SHA-1", "user", "pencil", { clientNonce: sha1.nonce });
    ex.initial();
    await ex.challenge(b64(sha1.serverFirst));
    await expectSaslError(ex.challenge(b64("e=unknown-user")), "unknown-user");
  });
});

describe("parseSaslFailure", () => {
  it("keeps RFC 6120 §6.5 conditions and the text", () => {
    const err = parseSaslFailure("account-disabled", "Call 212-555-1212 for help.");
    expect(err).toBeInstanceOf(SaslError);
    expect(err.condition).toBe("account-disabled");
    expect(err.message).toBe("SASL authentication failed: Call 212-555-1212 for help.");
  });

  it("uses the condition when there is no text", () => {
    const err = parseSaslFailure("not-authorized", undefined);
    expect(err.condition).toBe("not-authorized");
    expect(err.message).toBe("SASL authentication failed: not-authorized");
  });

  it("maps missing or unknown conditions to not-authorized", () => {
    expect(parseSaslFailure(undefined, undefined).condition).toBe("not-authorized");
    const err = parseSaslFailure("bogus", "  ");
    expect(err.condition).toBe("not-authorized");
    expect(err.message).toContain('unknown condition "bogus"');
  });
});
