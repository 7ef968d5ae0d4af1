import { describe, expect, it } from "vitest";
import { parseSpans, parseStyling } from "../src/features/styling/parse.ts";

const t = (text: string) => ({ kind: "text", text });

describe("XEP-0393 spans (§5.3)", () => {
  it("styles strong, emphasis, strike and code, keeping the directives", () => {
    expect(parseSpans("a *b* _c_ ~d~ `e`")).toEqual([
      t("a "),
      { kind: "strong", children: [t("*"), t("b"), t("*")] },
      t(" "),
      { kind: "em", children: [t("_"), t("c"), t("_")] },
      t(" "),
      { kind: "strike", children: [t("~"), t("d"), t("~")] },
      t(" "),
      { kind: "code", text: "`e`" },
    ]);
  });

  it("needs a start of line, whitespace or another opener before, no whitespace inside the edges", () => {
    expect(parseSpans("a*b*")).toEqual([t("a*b*")]);
    expect(parseSpans("* not *")).toEqual([t("* not *")]);
    expect(parseSpans("**")).toEqual([t("**")]);
    expect(parseSpans("snake_case_name")).toEqual([t("snake_case_name")]);
    expect(parseSpans("*_both_*")).toEqual([
      { kind: "strong", children: [t("*"), { kind: "em", children: [t("_"), t("both"), t("_")] }, t("*")] },
    ]);
  });

  it("is lazy, and nothing is styled inside code", () => {
    expect(parseSpans("*a* b*")).toEqual([{ kind: "strong", children: [t("*"), t("a"), t("*")] }, t(" b*")]);
    expect(parseSpans("`*not bold*`")).toEqual([{ kind: "code", text: "`*not bold*`" }]);
  });

  it("leaves thousands of unclosed openers as text (each directive is scanned for a closer once)", () => {
    const hostile = "*a ".repeat(5_000);
    expect(parseSpans(hostile)).toEqual([t(hostile)]);
  });
});

describe("XEP-0393 blocks (§5.1-5.2)", () => {
  it("pre-formatted blocks run to ``` or the end, unstyled", () => {
    expect(parseStyling("```\n*x*\n```\nafter")).toEqual([
      { kind: "pre", text: "```\n*x*\n```" },
      { kind: "line", spans: [t("after")] },
    ]);
    expect(parseStyling("```\nopen")).toEqual([{ kind: "pre", text: "```\nopen" }]);
  });

  it("quotes take consecutive > lines, nest, and hold styled lines", () => {
    expect(parseStyling("> a\n>> *b*\nc")).toEqual([
      {
        kind: "quote",
        children: [
          { kind: "line", spans: [t("a")] },
          {
            kind: "quote",
            children: [{ kind: "line", spans: [{ kind: "strong", children: [t("*"), t("b"), t("*")] }] }],
          },
        ],
      },
      { kind: "line", spans: [t("c")] },
    ]);
  });
});
