import { describe, it, expect } from "vitest";
import { bare, parseBareJid, resourceOf, splitJid } from "../../src/xmpp/jid.ts";

describe("parseBareJid", () => {
  it.each([
    ["alice@example.com", "alice@example.com"],
    ["  alice@example.com\n", "alice@example.com"],
    ["Alice@Example.COM", "alice@example.com"],
    ["first.last@sub.example.co.uk", "first.last@sub.example.co.uk"],
    ["bob@localhost", "bob@localhost"],
    ["bob@127.0.0.1", "bob@127.0.0.1"],
    ["user+tag@example.com", "user+tag@example.com"],
    ["jürgen@bücher.example", "jürgen@bücher.example"],
    ["x@my-host.example", "x@my-host.example"],
  ])("accepts %j", (input, expected) => {
    expect(parseBareJid(input)).toBe(expected);
  });

  it.each([
    "",
    "   ",
    "example.com",
    "alice",
    "@example.com",
    "alice@",
    "alice@@example.com",
    "a@b@example.com",
    "alice smith@example.com",
    "alice@exa mple.com",
    "<script>@example.com",
    "alice@<script>alert(1)</script>",
    "<script>alert(1)</script>",
    'al"ice@example.com',
    "al'ice@example.com",
    "al&ice@example.com",
    "al:ice@example.com",
    "alice@example.com/resource",
    "alice/res@example.com",
    "alice@.example.com",
    "alice@example.com.",
    "alice@exa_mple.com",
    "alice@example.com:5222",
    "alice\t@example.com",
    "al\u0000ice@example.com",
    "\u001b[31malice@example.com",
    "alice\u007f@example.com",
    "alice\u0085@example.com",
    "alice@exam\u0000ple.com",
  ])("rejects %j", (input) => {
    expect(parseBareJid(input)).toBeNull();
  });

  it("enforces RFC 7622 length limits", () => {
    expect(parseBareJid(`${"a".repeat(1023)}@example.com`)).not.toBeNull();
    expect(parseBareJid(`${"a".repeat(1024)}@example.com`)).toBeNull();
    expect(parseBareJid(`a@${"b".repeat(3070)}`)).toBeNull();
  });
});

describe("splitJid", () => {
  it("splits full, bare and domain JIDs", () => {
    expect(splitJid("alice@Example.com/Res")).toEqual({ local: "alice", domain: "example.com", resource: "Res" });
    expect(splitJid("alice@example.com")).toEqual({ local: "alice", domain: "example.com", resource: "" });
    expect(splitJid("example.com")).toEqual({ local: "", domain: "example.com", resource: "" });
    expect(splitJid("example.com/res")).toEqual({ local: "", domain: "example.com", resource: "res" });
  });

  it("a resource may contain @ and / (RFC 7622 §3.4)", () => {
    expect(splitJid("alice@example.com/a@b/c")).toEqual({ local: "alice", domain: "example.com", resource: "a@b/c" });
    expect(splitJid("example.com/bob@evil.example")).toEqual({
      local: "",
      domain: "example.com",
      resource: "bob@evil.example",
    });
  });

  it("keeps the local part's case (bare() lower-cases it)", () => {
    expect(splitJid("Alice@example.com").local).toBe("Alice");
  });
});

describe("bare / resourceOf", () => {
  it("strips the resource and lower-cases", () => {
    expect(bare("Alice@Example.com/Phone")).toBe("alice@example.com");
    expect(bare("alice@example.com")).toBe("alice@example.com");
    expect(bare("Example.COM/x")).toBe("example.com");
    expect(bare("example.com/bob@evil.example")).toBe("example.com");
  });

  it("is idempotent", () => {
    const once = bare("Bob@Example.com/laptop");
    expect(bare(once)).toBe(once);
  });

  it("resourceOf", () => {
    expect(resourceOf("alice@example.com/Phone 1")).toBe("Phone 1");
    expect(resourceOf("alice@example.com")).toBe("");
  });
});

describe("parseBareJid normalises like the server (issue #6 §8)", () => {
  it.each([
    ["ｓecrev1@localhost", "secrev1@localhost"], // fullwidth s (NFKC width mapping)
    ["ＡＬＩＣＥ@ＬＯＣＡＬＨＯＳＴ", "alice@localhost"],
    ["ali\u00ADce@localhost", "alice@localhost"], // soft hyphen: RFC 3454 B.1, mapped to nothing
    ["ali\u200Bce@example.com", "alice@example.com"], // zero-width space
    ["\uFEFFbob@example.com", "bob@example.com"],
  ])("%j is %j", (input, expected) => {
    expect(parseBareJid(input)).toBe(expected);
  });

  it.each(["a\u202Eb@example.com", "a\u0007b@example.com", "a\uE000b@example.com", "a＠b@example.com", "a@exa..mple"])(
    "refuses %j (format, control, private-use characters; an @ that NFKC produces)",
    (input) => {
      expect(parseBareJid(input)).toBeNull();
    },
  );
});
