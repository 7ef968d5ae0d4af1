// One test command, four projects: pure units (Node), storage on libSQL (Node), the Worker and the object inside
// workerd (real Prosody), and browser end-to-end tests (real Chromium, real Prosody, wrangler dev).
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["test/unit/**/*.test.ts", "web/test/**/*.test.{ts,tsx}"],
        },
        // The web app's components (web/src/**/*.tsx) use Preact's automatic JSX runtime.
        oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
      },
      {
        test: {
          name: "libsql",
          environment: "node",
          include: ["test/libsql/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            // The production Worker, with the object's test-only subclass (no test hooks in production classes).
            main: "./test/workers/test-worker.ts",
            miniflare: {
              bindings: {
                XMPP_WEBSOCKET_URL: inject<string>("prosodyWs"),
                XMPP_DOMAIN: "localhost",
                ALLOWED_DOMAINS: "",
                PARLEY_SECRET: "test-secret-for-vitest-0123456789",
                IDLE_TIMEOUT_SECONDS: "86400",
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["./test/workers/apply-migrations.ts"],
          // A private Prosody for this project (its own ports and data dir); provides its URL.
          globalSetup: ["./test/prosody-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["./test/prosody-setup.ts", "./test/e2e/app-setup.ts"],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
