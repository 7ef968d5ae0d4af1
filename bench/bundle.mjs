// Initial download of the web app: the JS and CSS that web/dist/index.html references (script src,
// modulepreload, stylesheet), raw and gzipped (zlib level 9), against the 150 kB gzipped JS budget.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync, constants } from "node:zlib";

export const JS_BUDGET_BYTES = 150 * 1000; // kB as Vite reports them (1 kB = 1,000 bytes)

const gzip = (buf) => gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length;

/** @param {string} dist */
export function measureBundle(dist) {
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const refs = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, "i").exec(tag)?.[1];
    if (/^<script/i.test(tag)) {
      const src = attr("src");
      if (src) refs.push({ kind: "js", url: src });
    } else {
      const rel = (attr("rel") ?? "").toLowerCase();
      const href = attr("href");
      if (!href) continue;
      if (rel === "modulepreload") refs.push({ kind: "js", url: href });
      else if (rel === "stylesheet") refs.push({ kind: "css", url: href });
    }
  }
  const files = [];
  for (const ref of refs) {
    if (/^(https?:)?\/\//.test(ref.url)) {
      files.push({ ...ref, file: ref.url, raw: 0, gzip: 0, missing: true });
      continue;
    }
    const file = path.join(dist, ref.url.replace(/^\//, "").split(/[?#]/)[0]);
    const buf = readFileSync(file);
    files.push({ ...ref, file: path.relative(dist, file), raw: buf.length, gzip: gzip(buf) });
  }
  // For context: every JS file in dist (lazy chunks included), which the first load does not fetch.
  const allJs = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".js")) allJs.push(full);
    }
  };
  walk(dist);
  const all = allJs.map((f) => readFileSync(f));
  return {
    builtAt: statSync(path.join(dist, "index.html")).mtime.toISOString(),
    files,
    allJs: {
      count: all.length,
      raw: all.reduce((n, b) => n + b.length, 0),
      gzip: all.reduce((n, b) => n + gzip(b), 0),
    },
  };
}
