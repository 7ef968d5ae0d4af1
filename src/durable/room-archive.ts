// A room's archive caught up after every join (issue #8 §1; XEP-0313 §4 sent to the room, XEP-0059 RSM paging),
// like the one-to-one catch-up (./archive.ts): everything after the newest archive id we saw of the room, page by
// page; the first join brings the latest page only (the past is read as history, page by page, when a tab
// scrolls: ./archive.ts fetchOlder asks the room), and so does a catch-up that reaches its page cap. Results are
// deduplicated by key against memory and storage (a live message and its archived copy share the room's
// stanza-id, src/xmpp/groupchat.ts).
import type { Db } from "../db/client.ts";
import type { ParsedChat } from "../xmpp/message.ts";
import { XMPPError } from "../xmpp/errors.ts";
import { archiveStamp, type MamResult } from "../xmpp/mam.ts";
import type { Archive, RoomParser } from "./archive.ts";
import type { Link } from "./features/context.ts";
import type { ArchivePoint } from "./ranges.ts";

const PAGE = 100;
/** The first join's page: recent context, not counted as unread. */
const FIRST_PAGE = 50;

export interface RoomArchiveHost {
  owner: string;
  db: Db;
  flush(): Promise<void>;
  parse: RoomParser | null;
  /** A caught-up message: recorded and pushed to the tabs; `countUnread` false for the first join's context. */
  accept(chat: ParsedChat, countUnread: boolean): void;
  /** The newest archive id seen of the room. */
  archived(id: string): void;
  /** Pages one catch-up reads before it jumps to the present (ArchiveLimits.catchUpPages). */
  maxPages: number;
  /** The catch-up jumped: the room's history lacks what lies between `from` and `to` (../gaps.ts). */
  hole(from: ArchivePoint, to: ArchivePoint): Promise<void>;
}

export async function catchUpRoom(
  link: Link,
  archive: Archive,
  room: { view: { room: string }; lastArchiveId: string | null; features: { archived: boolean } },
  host: RoomArchiveHost,
): Promise<void> {
  const to = room.view.room;
  const parse = host.parse;
  if (!parse) return;
  const acceptAll = async (results: MamResult[], countUnread: boolean): Promise<void> => {
    const { chats, keys, stored } = await archive.unseen(results, true, parse);
    chats.forEach((chat, i) => {
      const key = keys[i];
      if (key !== undefined && !stored.has(key)) host.accept(chat, countUnread);
    });
    const last = results.at(-1)?.archiveId;
    if (last) host.archived(last);
  };
  const latest = async (max: number, countUnread: boolean, from?: ArchivePoint): Promise<void> => {
    const { results } = await archive.query(link, { to, before: "", max });
    const first = results[0];
    const stamp = first ? archiveStamp(first) : undefined;
    // The latest page may reach back to where the catch-up stopped: then nothing is missing.
    if (from && first && stamp !== undefined && !results.some((r) => r.archiveId === from.archiveId)) {
      await host.flush();
      await host.hole(from, { archiveId: first.archiveId, stamp });
    }
    await acceptAll(results, countUnread);
  };
  let after = room.lastArchiveId;
  if (!after) {
    await latest(FIRST_PAGE, false);
    return;
  }
  let from: ArchivePoint | undefined;
  for (let page = 0; page < host.maxPages; page++) {
    let answer;
    try {
      answer = await archive.query(link, { to, after, max: PAGE });
    } catch (err) {
      // XEP-0313 §6.2.2 (RSM): the id we start after is no longer in the archive: the latest page instead.
      if (err instanceof XMPPError && err.condition === "item-not-found") {
        await latest(PAGE, true);
        return;
      }
      throw err;
    }
    const { results, fin } = answer;
    await acceptAll(results, true);
    const last = fin.last ?? results.at(-1)?.archiveId;
    if (fin.complete || results.length === 0 || !last) return;
    after = last;
    const lastResult = results.at(-1);
    const stamp = lastResult ? archiveStamp(lastResult) : undefined;
    if (stamp !== undefined) from = { archiveId: last, stamp };
  }
  // The cap reached: the present first; what lies between is a hole, filled when a tab reads there.
  await latest(PAGE, true, from);
}
