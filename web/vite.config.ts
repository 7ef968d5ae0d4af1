// Builds the browser app (web/) into web/dist, which the Worker serves as static assets under a strict CSP:
// nothing may be inlined (no inline scripts, styles or data: assets besides images).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  publicDir: "public",
  // TSX through Preact's automatic runtime (as web/tsconfig.json says for the type checker).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: {
    // libsignal's pure-JS WebCrypto polyfill: never used where WebCrypto exists (see the stub).
    alias: [{ find: /^(\.\.\/)+lib\/msrcrypto$/u, replacement: `${root}src/crypto/msrcrypto-stub.ts` }],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // The modulepreload polyfill is an inline script, which the CSP forbids.
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8787", ws: true, changeOrigin: false },
    },
  },
});
