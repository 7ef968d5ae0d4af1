export interface Person {
  user: string;
  name: string;
  colour: [number, number, number];
}
export const DEMO_PEOPLE: Person[];
export function encodeNode(node: string): string;
export function renderRoster(contacts: { jid: string; name: string }[]): string;
export function seedRosters(storePath: string, domain: string, people?: Person[]): Promise<string[]>;
export function identiconPng(seed: string, colour: [number, number, number], size?: number): Buffer;
export function publishAvatars(options: {
  host?: string;
  port: number;
  domain: string;
  password?: string;
  people?: Person[];
}): Promise<string[]>;
