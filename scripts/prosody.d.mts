// Types for scripts/prosody.mjs (plain JavaScript so it runs on any Node without a build step).
export interface Prosody {
  wsUrl: string;
  domain: string;
  c2sPort: number;
  httpPort: number;
  dataDir: string;
  configPath: string;
  logPath: string;
  pid: number;
  /** The Prosody version that runs ("13.0.1-1~bpo12+1", "0.12.3-1+deb12u1"). */
  version: string;
  exited: Promise<{ code: number | null; signal: string | null }>;
  stop(): Promise<void>;
  register(user: string, password: string): Promise<void>;
}

export interface ProsodyOptions {
  dataDir: string;
  c2sPort?: number;
  httpPort?: number;
  domain?: string;
  accounts?: [string, string][];
  log?: string;
  fresh?: boolean;
  authentication?: "internal_plain" | "internal_hashed";
  passwordHash?: "SHA-1" | "SHA-256";
  /** "13" (default): the installed Prosody 13; "0.12": bookworm's 0.12 extracted into .parley/prosody-0.12. */
  server?: ProsodyServer;
  /** XEP-0114 component port: the flood component `flood.<domain>` (secret FLOOD_SECRET) is configured there. */
  componentPort?: number;
}

export const FLOOD_SECRET: string;

export type ProsodyServer = "13" | "0.12";

export function ensureProsodyInstalled(options?: { log?: (line: string) => void }): void;
export function resolveProsody(server: ProsodyServer): { prosody: string; prosodyctl: string; version: string };
export function startProsody(options: ProsodyOptions): Promise<Prosody>;
