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
}

export function ensureProsodyInstalled(): Promise<void>;
export function startProsody(options: ProsodyOptions): Promise<Prosody>;
