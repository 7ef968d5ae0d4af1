// Types of bench/migrations.mjs (plain ESM, also run by Node without tsx).
export declare function migrationFiles(root: string): string[];
export declare function migrationStatements(root: string): string[];
