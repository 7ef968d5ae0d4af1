// A benchmark page of its own (bench/render, bench/big-room-page: a Vite entry never part of web/dist) built once
// and served on a free loopback port for Chromium, shared by bench/render.mjs and bench/big-room-render.mjs.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "vite";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/**
 * Builds `pageDir` into `buildDir` and serves it (only files under `buildDir`).
 * @param {string} pageDir
 * @param {string} buildDir
 * @returns {Promise<{ base: string, server: import("node:http").Server }>}
 */
export async function servePage(pageDir, buildDir) {
  await build({
    configFile: false,
    root: pageDir,
    base: "/",
    logLevel: "warn",
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: { outDir: buildDir, emptyOutDir: true, target: "es2022", sourcemap: false, reportCompressedSize: false },
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const rel = url.pathname === "/" ? "index.html" : url.pathname.replace(/^\/+/, "");
    const file = path.join(buildDir, path.normalize(rel));
    if (!file.startsWith(buildDir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
  return { base, server };
}
