import { describe, expect, it } from "vitest";
import { linkify, safeHref, trimUrl } from "../src/core/linkify.ts";

describe("linkify", () => {
  it("returns plain text untouched", () => {
    expect(linkify("hello <b>world</b>")).toEqual([{ kind: "text", text: "hello <b>world</b>" }]);
  });

  it("returns nothing for empty text", () => {
    expect(linkify("")).toEqual([]);
  });

  it("splits http and https URLs out of text", () => {
    expect(linkify("see https://example.org/a?b=1#c and http://x.test now")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.org/a?b=1#c", href: "https://example.org/a?b=1#c" },
      { kind: "text", text: " and " },
      { kind: "link", text: "http://x.test", href: "http://x.test/" },
      { kind: "text", text: " now" },
    ]);
  });

  it("drops trailing punctuation and unbalanced brackets", () => {
    expect(linkify("(see https://example.org/wiki/A_(b)).")).toEqual([
      { kind: "text", text: "(see " },
      { kind: "link", text: "https://example.org/wiki/A_(b)", href: "https://example.org/wiki/A_(b)" },
      { kind: "text", text: ")." },
    ]);
    expect(trimUrl("https://a.test/x,")).toBe("https://a.test/x");
  });

  it("never links other schemes", () => {
    for (const text of [
      "javascript:alert(1)",
      "data:text/html,<script>",
      "ftp://x.test/",
      "mailto:a@b.c",
      "xhttps://a.test",
    ]) {
      expect(linkify(text).every((s) => s.kind === "text")).toBe(true);
    }
  });

  it("keeps markup-looking text as text around links", () => {
    const segs = linkify('<img src=x onerror=alert(1)>https://a.test/"><script>');
    expect(segs).toEqual([
      { kind: "text", text: "<img src=x onerror=alert(1)>" },
      { kind: "link", text: "https://a.test/", href: "https://a.test/" },
      { kind: "text", text: '"><script>' },
    ]);
  });

  it("leaves a bare scheme as text", () => {
    expect(linkify("https:// nothing")).toEqual([{ kind: "text", text: "https:// nothing" }]);
  });

  it("is case-insensitive on the scheme and normalizes the href", () => {
    expect(linkify("HTTPS://Example.ORG")).toEqual([
      { kind: "link", text: "HTTPS://Example.ORG", href: "https://example.org/" },
    ]);
  });

  it("safeHref accepts only http(s)", () => {
    expect(safeHref("https://a.test")).toBe("https://a.test/");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});
