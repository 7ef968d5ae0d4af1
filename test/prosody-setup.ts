// Global setup: a private Prosody on test ports with its own data dir, so tests run while `npm start` is up.
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startProsody } from "../scripts/prosody.mjs";

export const TEST_ACCOUNTS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const c2sPort = Number(process.env.PARLEY_TEST_C2S_PORT ?? 15222);
  const httpPort = Number(process.env.PARLEY_TEST_HTTP_PORT ?? 15280);
  const prosody = await startProsody({
    dataDir: path.resolve(".parley/prosody-test"),
    c2sPort,
    httpPort,
    accounts: TEST_ACCOUNTS.map((u) => [u, "parley"]),
    fresh: true,
  });
  project.provide("prosodyWs", prosody.wsUrl);
  project.provide("prosodyHttpPort", httpPort);
  return async () => {
    await prosody.stop();
  };
}
