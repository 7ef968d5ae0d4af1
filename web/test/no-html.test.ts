// Remote content is never rendered as HTML (project rule): no component or module of the web app reaches for an
// HTML parser. A guard over the sources, so a shortcut does not slip in with a new feature.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.join(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.tsx?$/u.test(e.name) ? [full] : [];
  });
}

describe("the web app's sources", () => {
  it("never set HTML from strings", () => {
    const offenders = sources(SRC).filter((file) =>
      /dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|createContextualFragment|new DOMParser/u.test(
        readFileSync(file, "utf8"),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
