// Part 7 of `npm run bench` (bench/run.mjs): the history page table, from bench/page-libsql.ts and bench/page-d1.mjs.
const PAGE_LABEL = {
  ours: "(a) ours: historyPage(), src/db/history.ts",
  naive: "(b) naive: page + queries per message",
  three: "ours before: e699833 (up to 3 queries)",
  earlier: "earlier: f7c10d4^ (page + receipts only)",
  floor: "floor: one SELECT 1 (a round trip)",
};

/**
 * Prints part 7's table and verdicts with run.mjs's formatting helpers.
 * @param {any[]} results the page-libsql and page-d1 results
 * @param {{ out: Function, table: Function, section: Function, pct: Function, ms: Function, ratio: Function, int: Function }} f
 */
export function pageTable(results, { out, table, section, pct, ms, ratio, int }) {
  section(
    "7. History page (50) with related rows: one owner's 1,000,000 messages (+ 100,000 of another owner), keyset pages",
  );
  const rows = [];
  const verdicts = [];
  for (const r of results) {
    for (const page of new Set(r.pages.map((p) => p.page))) {
      const find = (m) => r.pages.find((p) => p.page === page && p.method === m);
      const ours = find("ours");
      const naive = find("naive");
      const earlier = find("earlier");
      if (!ours || !naive) continue;
      const p50 = pct(ours.samples, 0.5);
      for (const m of ["ours", "naive", "three", "earlier", "floor"]) {
        const h = find(m);
        if (!h) continue;
        const same =
          m === "floor"
            ? ""
            : m === "earlier"
              ? h.keys === ours.keys
                ? "keys"
                : "NO"
              : h.digest === ours.digest
                ? "yes"
                : "NO";
        rows.push([
          m === "ours" ? r.backend : "",
          m === "ours" ? page : "",
          PAGE_LABEL[m],
          h.queries,
          h.samples.length,
          ms(pct(h.samples, 0.5), 2),
          ms(pct(h.samples, 0.95), 2),
          m === "ours" ? "1x" : ratio(pct(h.samples, 0.5) / p50),
          same,
        ]);
      }
      const x = pct(naive.samples, 0.5) / p50;
      const rel = ours.related;
      verdicts.push(
        `  ${r.backend}, ${page}: ours p50 ${ms(p50, 2)} ms (<= 10 ms: ${p50 <= 10 ? "met" : "NOT met"}), naive/ours ${ratio(x)} (>= 10x: ${x >= 10 ? "met" : "NOT met"}), ours/earlier p50 ${ratio(p50 / pct(earlier?.samples ?? [], 0.5))} (what the related rows cost; earlier has none, 2 queries)` +
          ` [page holds: ${rel.replies} replies (${rel.outside} to outside), ${rel.edits} edited, ${rel.retracted} retracted, ${rel.reactions} with reactions, ${rel.received} receipts]`,
      );
    }
  }
  table(
    ["Backend", "Page", "Method", "Queries/page", "Calls", "p50 ms", "p95 ms", "p50 x/ours", "Same page"],
    rows,
    "lllrrrrrl",
  );
  out();
  out("Issue targets (page p50 <= 10 ms on libSQL and local D1, >= 10x the per-message way):");
  for (const v of verdicts) out(v);
  out(
    "  Queries/page: drizzle logQuery count for one page. p50 x/ours: that row's p50 / ours (naive/ours = the ratio).",
  );
  out(
    "  Same page: naive returns exactly ours (digest of messages, receipts, replies, edits, retractions, reactions);",
  );
  out("  the earlier version has no related rows, so only its keys are compared. The 5 methods run interleaved,");
  out("  call by call, rotating order. Related rows: reactions 1 in 5, corrections 1 in 20, retractions 1 in 50,");
  out("  replies 1 in 10 (a third of them to a message 400 back: outside the page), receipts for 3 in 4 outgoing.");
  for (const r of results) {
    const c = r.counts;
    out(
      `  ${r.backend}: ${int(c.messages)} messages, ${int(c.receipts)} receipts, ${int(c.actions)} actions; ${r.seed.cached ? "cached database" : `seeded in ${(r.seed.ms / 1000).toFixed(1)} s`}. ${r.detail}`,
    );
  }
  out(
    "  Cache: node_modules/.cache/parley-bench/ (PARLEY_BENCH_CACHE=<dir> elsewhere, =off to seed a throw-away one);",
  );
  out("  named by bench/page-plan.mjs PAGE_SEED_VERSION and the migrations, so a new migration seeds anew.");
  const plans = results[0]?.plans ?? [];
  plans.forEach((p, i) => out(`  Plan of ours, query ${i + 1} (${results[0].backend}, bob 500,000 back): ${p}`));
}
