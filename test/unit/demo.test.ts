import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeNode, identiconPng, renderRoster } from "../../scripts/demo.mjs";

describe("demo content (issue #7 §1)", () => {
  it("renders a mutual roster in Prosody's storage format", () => {
    const text = renderRoster([{ jid: "bob@localhost", name: 'Bob "B"' }]);
    expect(text).toContain('[false] = {\n\t\t["version"] = 1;');
    expect(text).toContain('["bob@localhost"] = {\n\t\t["name"] = "Bob \\034B\\034";\n\t\t["subscription"] = "both";');
  });

  it("encodes node names as Prosody's datamanager does", () => {
    expect(encodeNode("localhost")).toBe("localhost");
    expect(encodeNode("conference.example")).toBe("conference%2eexample");
    expect(encodeNode("ü")).toBe("%c3%bc");
  });

  it("draws a valid 96×96 PNG identicon, the same for the same seed", () => {
    const png = identiconPng("alice@localhost", [0x3b, 0x5b, 0xdb]);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(96);
    expect(png.readUInt32BE(20)).toBe(96);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString("ascii", 37, 41)).toBe("IDAT");
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((96 * 3 + 1) * 96);
    expect(identiconPng("alice@localhost", [0x3b, 0x5b, 0xdb]).equals(png)).toBe(true);
    expect(identiconPng("bob@localhost", [0x3b, 0x5b, 0xdb]).equals(png)).toBe(false);
  });
});
