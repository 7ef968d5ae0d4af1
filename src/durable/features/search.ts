// Search (issue #7 §5): full-text search over the user's clear messages in storage (SQLite FTS5, src/db/search.ts).
// Encrypted messages are not here (the object has only ciphertext): the browser searches its own plaintext cache
// (web/src/features/search/local.ts) and merges. A search result opens the conversation with history.load's
// `around` (./history.ts).
import { searchMessages } from "../../db/search.ts";
import { parseQuery, SEARCH_PAGE } from "../../protocol/search.ts";
import { Limiter, LimiterFull } from "../rate.ts";
import { conditionOf, refuse, type FeatureContext, type FrameHandlers } from "./context.ts";

/**
 * Searches running at once for this account, and waiting: a tab searching as the user types sends a burst
 * (after the frame rate limit), and each search reads D1; more than this waiting is refused as rate-limited.
 */
const SEARCH_CONCURRENCY = 2;
const SEARCH_WAITING = 4;

export class SearchFeature {
  readonly #limiter = new Limiter(SEARCH_CONCURRENCY, SEARCH_WAITING);

  constructor(private readonly ctx: FeatureContext) {}

  readonly frames: Pick<FrameHandlers, "search"> = {
    search: async (ws, frame) => {
      const { ctx } = this;
      const query = parseQuery(frame.query);
      if (query === null) {
        // Only punctuation, spaces or symbols: nothing to search for, which is no error.
        ctx.tabs.send(ws, {
          type: "search.results",
          requestId: frame.requestId,
          query: frame.query,
          results: [],
          hasMore: false,
        });
        return;
      }
      try {
        const page = await this.#limiter.run(async () => {
          // Messages received a moment ago are found too.
          await ctx.drained();
          await ctx.flush();
          return searchMessages(ctx.db, ctx.info.jid, query, frame.before, SEARCH_PAGE);
        });
        ctx.tabs.send(ws, {
          type: "search.results",
          requestId: frame.requestId,
          query: frame.query,
          results: page.results,
          hasMore: page.hasMore,
        });
      } catch (err) {
        if (err instanceof LimiterFull) {
          refuse(ctx.tabs, ws, "rate-limited", "Too many searches at once: try again.", frame.requestId);
        } else {
          refuse(ctx.tabs, ws, "search-failed", conditionOf(err, "search"), frame.requestId);
        }
      }
    },
  };
}
