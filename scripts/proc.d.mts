import type { ChildProcess } from "node:child_process";
export function portAnswers(port: number): Promise<boolean>;
export function stopProcessGroup(child: ChildProcess | undefined, graceMs?: number): Promise<void>;
