// Unit tests for the pure browser-side logic (web/src/core). Run: npx vitest run --config web/vitest.config.ts
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
  },
});
