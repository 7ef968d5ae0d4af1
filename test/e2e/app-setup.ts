// Global setup of the "e2e" project: freezes the code under test once per run (web app built, Worker bundled,
// wrangler config + test-only PARLEY_SECRET written to .parley/e2e-build). Each test file then runs its own
// `wrangler dev` from that build with startApp() (./app.ts), so a test can stop and restart the app server.
import type { TestProject } from "vitest/node";
import { prepareBuild } from "./app.ts";

export default async function setup(_project: TestProject): Promise<void> {
  const t0 = Date.now();
  const build = await prepareBuild();
  process.stderr.write(
    `[e2e] app built in ${Date.now() - t0} ms (web ${build.ms.web} ms, worker ${build.ms.worker} ms): ${build.configPath}\n`,
  );
}
