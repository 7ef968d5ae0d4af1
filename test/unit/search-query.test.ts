import { describe, expect, it } from "vitest";
import {
  fold,
  ftsMatch,
  matchRanges,
  MAX_QUERY_WORDS,
  parseQuery,
  SNIPPET_CHARS,
  snippet,
  tokenize,
} from "../../src/protocol/search.ts";

const match = (text: string) => {
  const q = parseQuery(text);
  return q === null ? null : ftsMatch(q);
};

describe("search query builder (issue #7 §5)", () => {
  it("quotes every word and makes the last one a prefix while it is being typed", () => {
    expect(match("hello wor")).toBe('"hello" "wor"*');
    expect(match("hello world ")).toBe('"hello" "world"');
    expect(match("  spaced   out  ")).toBe('"spaced" "out"');
    expect(match("hello world.")).toBe('"hello" "world"');
  });

  it("keeps a word with inner punctuation as a phrase of its tokens", () => {
    expect(match("e-mail")).toBe('"e mail"*');
    expect(match("3.14")).toBe('"3 14"*');
    expect(parseQuery("e-mail")?.phrases).toEqual([["e", "mail"]]);
  });

  it("lets no FTS5 syntax through: quotes, stars, NEAR, OR, NOT, minus, column filters, carets, parentheses", () => {
    expect(match('"')).toBeNull();
    expect(match('""')).toBeNull();
    expect(match("*")).toBeNull();
    expect(match("- : ^ + ( ) { } *")).toBeNull();
    expect(match('say "hi')).toBe('"say" "hi"*');
    expect(match('a" OR "b')).toBe('"a" "OR" "b"*');
    expect(match("NEAR(a b)")).toBe('"NEAR a" "b"');
    expect(match("foo OR bar")).toBe('"foo" "OR" "bar"*');
    expect(match("NOT x")).toBe('"NOT" "x"*');
    expect(match("-secret")).toBe('"secret"*');
    expect(match("body:hack")).toBe('"body hack"*');
    expect(match("^start")).toBe('"start"*');
    expect(match("a*b")).toBe('"a b"*');
    expect(match("x'); DROP TABLE messages; --")).toBe('"x" "DROP" "TABLE" "messages"');
    // Whatever the input, the expression is quoted strings, spaces and at most one final star.
    for (const q of ['"*"', 'a"b', "NEAR/3", "((", '\\"', "a\u0000b"]) {
      const m = match(q);
      if (m !== null) expect(m).toMatch(/^("[^"]+"\s?)+\*?$/u);
    }
  });

  it("handles unicode: diacritics and case fold, scripts and numbers are words, emoji separate", () => {
    expect(fold("Café")).toBe("cafe");
    expect(fold("İSTANBUL")).toBe("istanbul");
    expect(fold("Ǆ")).toBe("ǆ");
    expect(parseQuery("Crème BRÛLÉE")?.phrases).toEqual([["creme"], ["brulee"]]);
    // The typed form goes to FTS5, which folds it as it folded the indexed text.
    expect(match("Crème")).toBe('"Crème"*');
    expect(match("日本語")).toBe('"日本語"*');
    expect(match("emoji😀word")).toBe('"emoji word"*');
    expect(match("😀 🎉")).toBeNull();
    expect(tokenize("cafe\u0301 noir").map((t) => [t.start, t.end, t.folded])).toEqual([
      [0, 5, "cafe"],
      [6, 10, "noir"],
    ]);
  });

  it("counts at most MAX_QUERY_WORDS words, and the cut last word is whole", () => {
    const words = Array.from({ length: MAX_QUERY_WORDS + 4 }, (_, i) => `w${i}`);
    const q = parseQuery(words.join(" "));
    expect(q?.phrases).toHaveLength(MAX_QUERY_WORDS);
    expect(q?.prefix).toBe(false);
  });
});

describe("search highlights", () => {
  const ranges = (text: string, query: string) => {
    const q = parseQuery(query);
    if (!q) throw new Error("no query");
    return matchRanges(text, q);
  };

  it("marks whole tokens, case and diacritics insensitively, prefix on the last word", () => {
    expect(ranges("Hello wörld, hello!", "hello")).toEqual([
      [0, 5],
      [13, 18],
    ]);
    expect(ranges("Hello wörld", "hello WOR")).toEqual([
      [0, 5],
      [6, 11],
    ]);
    expect(ranges("Hello world", "hello wor ")).toBeNull();
    expect(ranges("Crème brûlée", "creme")).toEqual([[0, 5]]);
  });

  it("needs every word; a phrase needs its tokens in order", () => {
    expect(ranges("send me an e-mail", "e-mail")).toEqual([[11, 17]]);
    expect(ranges("mail e", "e-mail")).toBeNull();
    expect(ranges("alpha beta", "alpha gamma")).toBeNull();
  });

  it("counts in UTF-16 code units (astral characters are two)", () => {
    const text = "😀😀 naïve";
    expect(ranges(text, "naive")).toEqual([[5, 10]]);
    expect(text.slice(5, 10)).toBe("naïve");
  });

  it("cuts a long text to a snippet around the first match and moves the ranges into it", () => {
    const text = `${"x".repeat(300)} needle ${"y".repeat(300)}`;
    const r = ranges(text, "needle") ?? [];
    const s = snippet(text, r);
    expect(s.text.length).toBeLessThanOrEqual(SNIPPET_CHARS);
    expect(s.text.startsWith("…")).toBe(true);
    expect(s.text.endsWith("…")).toBe(true);
    const [h] = s.highlights;
    expect(h && s.text.slice(h[0], h[1])).toBe("needle");
    // Short texts are whole.
    expect(snippet("short needle", [[6, 12]])).toEqual({ text: "short needle", highlights: [[6, 12]] });
  });

  it("never splits a surrogate pair when cutting", () => {
    const text = `${"😀".repeat(100)} needle ${"😀".repeat(100)}`;
    const s = snippet(text, ranges(text, "needle") ?? []);
    expect(s.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u);
    const [h] = s.highlights;
    expect(h && s.text.slice(h[0], h[1])).toBe("needle");
  });
});
