// Types of bench/page-plan.mjs (plain ESM, also run by Node without tsx).
import type { RunOpts } from "./measure.ts";
import type { PageSamples } from "./page-cases.ts";

export declare const PAGE_SEED_VERSION: number;
export declare const PAGE_COUNT: number;

export interface PageSeed {
  rows: number;
  ms: number;
  cached: boolean;
}

export interface PageExec {
  seed(): Promise<PageSeed>;
  plans(): Promise<string[]>;
  page(pageIndex: number, opts: RunOpts): Promise<PageSamples[]>;
}

export declare function pageCachePath(root: string, backend: string): string | null;

export declare function runPagePlan(
  exec: PageExec,
  log: (line: string) => void,
): Promise<{ seed: PageSeed; plans: string[]; pages: PageSamples[] }>;
