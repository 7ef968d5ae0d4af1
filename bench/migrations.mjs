// The drizzle-kit migrations (migrations/*.sql) as the benchmark runners apply them to a fresh database, on libSQL
// and on D1. Plain ESM: the D1 runners run in Node without tsx.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The migration files, in the order they apply. @param {string} root */
export function migrationFiles(root) {
  return readdirSync(path.join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => path.join(root, "migrations", name));
}

/** The statements of the migrations, in order. @param {string} root */
export function migrationStatements(root) {
  const statements = [];
  for (const file of migrationFiles(root)) {
    for (const s of readFileSync(file, "utf8").split("--> statement-breakpoint")) {
      if (s.trim()) statements.push(s.trim());
    }
  }
  return statements;
}
