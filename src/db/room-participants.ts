// Storage of the participants of the rooms an account is in (issue #8 §3, schema.ts `room_participants`). A
// channel of 10,000 sends 10,000 presences at once; they are written as a few statements per flush of the presence
// buffer: a JSON array bound as ONE parameter and expanded by json_each, ROWS_PER_STATEMENT rows each, far from
// D1's 100 bound parameters. Read back after a restart: each room's count and first page, in two queries whatever
// the number of rooms.
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { ParticipantViewSchema, type ParticipantView } from "../protocol/index.ts";
import type { Db } from "./client.ts";
import { ROWS_PER_STATEMENT } from "./store.ts";

/** What one flush changes in one room's stored list. */
export interface ParticipantWrite {
  room: string;
  /** The room's stored list is dropped first (a join's full list follows in `upserts`, or the room was left). */
  reset: boolean;
  upserts: readonly ParticipantView[];
  /** Nicks that left. */
  removed: readonly string[];
}

const RANK: Readonly<Record<ParticipantView["role"], number>> = { moderator: 0, participant: 1, visitor: 2, none: 3 };

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The statements of one flush: one DELETE for all reset rooms, then upserts and removals by the 500. */
export function participantStatements(owner: string, writes: readonly ParticipantWrite[]): SQL[] {
  const stmts: SQL[] = [];
  const resets = writes.filter((w) => w.reset).map((w) => w.room);
  for (const part of chunks(resets)) {
    stmts.push(sql`DELETE FROM room_participants WHERE owner = ${owner}
      AND room IN (SELECT value FROM json_each(${JSON.stringify(part)}))`);
  }
  const rows = writes.flatMap((w) =>
    w.upserts.map((p) => [
      w.room,
      p.nick,
      RANK[p.role],
      p.role,
      p.affiliation,
      p.show,
      p.jid ?? null,
      p.occupantId ?? null,
    ]),
  );
  for (const part of chunks(rows)) {
    stmts.push(sql`INSERT INTO room_participants (owner, room, nick, rank, role, affiliation, show, jid, occupant_id)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
             json_extract(value, '$[6]'), json_extract(value, '$[7]')
      FROM json_each(${JSON.stringify(part)}) WHERE true
      ON CONFLICT (owner, room, nick) DO UPDATE SET rank = excluded.rank, role = excluded.role,
        affiliation = excluded.affiliation, show = excluded.show, jid = excluded.jid,
        occupant_id = excluded.occupant_id`);
  }
  const gone = writes.flatMap((w) => w.removed.map((nick) => [w.room, nick]));
  for (const part of chunks(gone)) {
    stmts.push(sql`DELETE FROM room_participants WHERE owner = ${owner} AND (room, nick) IN
      (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${JSON.stringify(part)}))`);
  }
  return stmts;
}

export interface StoredParticipants {
  total: number;
  /** The first `firstPage` in list order (role, then nick). */
  first: ParticipantView[];
}

const CountRow = z.object({ room: z.string(), total: z.number().int().nonnegative() });
const PageRow = z.object({
  room: z.string(),
  nick: z.string(),
  role: z.string(),
  affiliation: z.string(),
  show: z.string(),
  jid: z.string().nullable(),
  occupant_id: z.string().nullable(),
});

/** Each room's stored count and first page (two queries). Rows that no longer parse are skipped. */
export async function loadParticipantSummaries(
  db: Db,
  owner: string,
  firstPage: number,
): Promise<Map<string, StoredParticipants>> {
  const out = new Map<string, StoredParticipants>();
  const counts = await db.all(
    sql`SELECT room, count(*) AS total FROM room_participants WHERE owner = ${owner} GROUP BY room`,
  );
  for (const raw of counts) {
    const row = CountRow.safeParse(raw);
    if (row.success) out.set(row.data.room, { total: row.data.total, first: [] });
  }
  if (out.size === 0) return out;
  const pages = await db.all(sql`SELECT room, nick, role, affiliation, show, jid, occupant_id FROM (
      SELECT *, row_number() OVER (PARTITION BY room ORDER BY rank, lower(nick), nick) AS n
      FROM room_participants WHERE owner = ${owner})
    WHERE n <= ${firstPage} ORDER BY room, n`);
  for (const raw of pages) {
    const row = PageRow.safeParse(raw);
    if (!row.success) continue;
    const view = ParticipantViewSchema.safeParse({
      nick: row.data.nick,
      role: row.data.role,
      affiliation: row.data.affiliation,
      show: row.data.show,
      ...(row.data.jid !== null ? { jid: row.data.jid } : {}),
      ...(row.data.occupant_id !== null ? { occupantId: row.data.occupant_id } : {}),
    });
    if (view.success) out.get(row.data.room)?.first.push(view.data);
  }
  return out;
}
