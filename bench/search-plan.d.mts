// Types of bench/search-plan.mjs (plain ESM, also run by Node without tsx).
import type { RunOpts } from "./measure.ts";
import type { SearchSamples } from "./search-cases.ts";

export declare const TERM_COUNT: number;

export interface SearchExec {
  seed(): Promise<{ rows: number; ms: number }>;
  plan(): Promise<string>;
  search(termIndex: number, opts: RunOpts): Promise<SearchSamples[]>;
}

export declare function runSearchPlan(
  exec: SearchExec,
  log: (line: string) => void,
): Promise<{ seed: { rows: number; ms: number }; plan: string; search: SearchSamples[] }>;
