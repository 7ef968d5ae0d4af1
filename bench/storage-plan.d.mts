// Types of bench/storage-plan.mjs (plain ESM, also run by Node without tsx).
import type { RunOpts } from "./measure.ts";
import type { HistoryMethod, HistorySamples, PresenceMethod, PresenceSample } from "./storage-cases.ts";

export declare const FLOOD: number;
export declare const PRESENCE_REPS: Record<PresenceMethod, number>;
export declare const PRESENCE_METHODS: PresenceMethod[];
export declare const DEPTHS: number[];
export declare const HISTORY_METHODS: HistoryMethod[];

export interface SeedResult {
  rows: number;
  statements: number;
  ms: number;
}

export interface StorageExec {
  presence(method: PresenceMethod, n: number, runId: string): Promise<PresenceSample>;
  seed(): Promise<SeedResult>;
  history(methods: HistoryMethod[], depth: number, opts: RunOpts): Promise<HistorySamples[]>;
}

export declare function runStoragePlan(
  exec: StorageExec,
  log: (line: string) => void,
): Promise<{ presence: PresenceSample[]; seed: SeedResult; history: HistorySamples[] }>;
