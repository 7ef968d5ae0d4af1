// A tiny module worker for the D1 side of the benchmarks: bundled with the cases (storage-, search-, page-cases.ts)
// by bench/d1-runner.mjs and run inside workerd by Miniflare, so every query goes Worker -> D1 exactly as in the
// Durable Object (not through Miniflare's Node proxy, whose own round trips would swamp the numbers).
// Timings are taken here, with the worker clock (1 ms steps, advancing on I/O).
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../src/db/client.ts";
import * as schema from "../src/db/schema.ts";
import {
  countingLogger,
  historyRun,
  presenceRun,
  seedHistory,
  type Bench,
  type Counters,
  type HistoryMethod,
  type PresenceMethod,
} from "./storage-cases.ts";
import { ftsPlan, searchRun, seedSearch } from "./search-cases.ts";
import { pageCounts, pagePlans, pageRun, seedPages } from "./page-cases.ts";
import type { RunOpts } from "./measure.ts";

interface BenchEnv {
  DB: D1Database;
}

/** The D1 binding behind a wrapper that counts prepared statements (each runs once, alone or in a batch). */
function benchD1(binding: D1Database): Bench {
  const counters: Counters = { statements: 0, queries: 0 };
  const client = {
    prepare(query: string) {
      counters.statements++;
      return binding.prepare(query);
    },
    batch: (statements: D1PreparedStatement[]) => binding.batch(statements),
    exec: (query: string) => binding.exec(query),
  };
  // drizzle and src/db/store.ts use only prepare/batch/exec of the binding.
  const db = drizzle(client as unknown as D1Database, { schema, logger: countingLogger(counters) }) as unknown as Db;
  return { db, counters };
}

let bench: Bench | undefined;

async function handle(path: string, body: Record<string, unknown>, env: BenchEnv): Promise<unknown> {
  bench ??= benchD1(env.DB);
  switch (path) {
    case "/migrate": {
      const statements = body.statements as string[];
      for (const s of statements) await env.DB.prepare(s).run();
      return { ok: true, statements: statements.length };
    }
    case "/presence":
      return presenceRun(bench, body.method as PresenceMethod, Number(body.n), String(body.runId));
    case "/seed":
      return seedHistory(bench, 0, 1);
    case "/history":
      return historyRun(bench, body.methods as HistoryMethod[], Number(body.depth), body.opts as RunOpts);
    // Search (bench/search-d1.mjs): its own Miniflare instance and database.
    case "/search-seed":
      return seedSearch(bench.db);
    case "/search-plan":
      return ftsPlan(bench.db);
    case "/search":
      return searchRun(bench.db, Number(body.term), body.opts as RunOpts);
    // History pages with related rows (bench/page-d1.mjs): its own Miniflare instance and database.
    case "/page-seed":
      return seedPages(bench.db, () => {});
    case "/page-counts":
      return pageCounts(bench.db);
    case "/page-plans":
      return pagePlans(bench);
    case "/page":
      return pageRun(bench, Number(body.page), body.opts as RunOpts);
    default:
      throw new Error(`no such endpoint ${path}`);
  }
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    try {
      const body = (await request.json()) as Record<string, unknown>;
      return Response.json(await handle(new URL(request.url).pathname, body, env));
    } catch (err) {
      return Response.json(
        { error: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err) },
        { status: 500 },
      );
    }
  },
};
