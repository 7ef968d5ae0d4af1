// Shared by the run and test scripts: no telemetry and no network calls to Cloudflare from wrangler.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const QUIET_WRANGLER = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
Object.assign(process.env, QUIET_WRANGLER);

export function requireNode22() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) {
    console.error(
      `Parley needs Node >= 22 (this is ${process.version}). Run it through npm (\`npm start\`, \`npm test\`):` +
        " npm scripts use the node@22 from devDependencies.",
    );
    process.exit(1);
  }
}

/** Installs Debian packages when missing (as root); otherwise says what to run. */
export function ensureDebianPackages(packages, why) {
  const missing = packages.filter(([, probe]) => !existsSync(probe)).map(([name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`${why} needs ${missing.join(", ")}: run \`sudo apt-get install -y ${missing.join(" ")}\`.`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(", ")} (${why})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", ...missing], { stdio: "inherit", env });
}
