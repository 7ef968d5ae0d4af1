// Types for scripts/install-prosody.mjs (plain JavaScript so it runs on any Node without a build step).
export interface ProsodyInstallPlan {
  packages: string[];
  target: string | undefined;
  addBackportsSource: boolean;
  upgrade: boolean;
}

export const BACKPORTS_FOR: Record<string, string>;
export function prosodyMajor(version: string): number | undefined;
export function isProsody13OrNewer(version: string | undefined): boolean;
export function parseProsodyctlAbout(text: string): string | undefined;
export function parseOsRelease(text: string): Record<string, string>;
export function parseDepends(field: string): string[][];
export function modulesFitProsody13(depends: string | undefined): boolean;
export function sourcesHaveSuite(files: { path: string; text: string }[], suite: string): boolean;
export function renderBackportsSource(suite: string): string;
export function planProsodyInstall(state: {
  codename: string | undefined;
  prosodyVersion: string | undefined;
  modulesDepends: string | undefined;
  backportsConfigured: boolean;
}): ProsodyInstallPlan | undefined;
export function planCommands(plan: Pick<ProsodyInstallPlan, "packages" | "target" | "addBackportsSource">): string[];
export function pickProsody012(text: string): string | undefined;
export function pickModules012(text: string): string | undefined;
export function pointLauncherAt(text: string, tree: string): string;
export function takeServerFlag(argv: string[]): { server: "13" | "0.12"; rest: string[] };
export function disableSystemProsody(): void;
export function installedProsodyVersion(): string | undefined;
export function ensureProsodyInstalled(options?: { log?: (line: string) => void }): void;
export function ensureProsody012(options: { root: string; log?: (line: string) => void }): {
  prosody: string;
  prosodyctl: string;
  version: string;
  dir: string;
};
