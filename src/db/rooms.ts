// Storage of the rooms an account is in or was in (issue #8, schema.ts `rooms`): read once when the object
// starts, written through the batched flush (src/db/store.ts) as one upsert per flush, whatever the number of
// rooms that changed.
import { eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "./client.ts";
import { rooms } from "./schema.ts";

/** What the room supports, as disco#info said at the last join (issue #8 §1). */
export const RoomFeaturesSchema = z.object({
  occupantIds: z.boolean().default(false),
  moderation: z.enum(["urn:xmpp:message-moderate:1", "urn:xmpp:message-moderate:0"]).nullable().default(null),
  stableIds: z.boolean().default(false),
  archived: z.boolean().default(false),
  membersOnly: z.boolean().default(false),
  nonAnonymous: z.boolean().default(false),
});
export type RoomFeatures = z.infer<typeof RoomFeaturesSchema>;

export interface StoredRoom {
  room: string;
  kind: "group" | "channel" | "other";
  name: string | null;
  description: string | null;
  subject: string | null;
  nick: string;
  autojoin: boolean;
  notify: "always" | "on-mention" | "never" | null;
  extensions: string;
  password: string | null;
  features: RoomFeatures;
  lastArchiveId: string | null;
}

function featuresOf(text: string): RoomFeatures {
  try {
    const parsed = RoomFeaturesSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : RoomFeaturesSchema.parse({});
  } catch {
    return RoomFeaturesSchema.parse({});
  }
}

export async function loadRooms(db: Db, owner: string): Promise<StoredRoom[]> {
  const rows = await db.select().from(rooms).where(eq(rooms.owner, owner));
  return rows.map((r) => ({
    room: r.room,
    kind: r.kind,
    name: r.name,
    description: r.description,
    subject: r.subject,
    nick: r.nick,
    autojoin: r.autojoin,
    notify: r.notify,
    extensions: r.extensions,
    password: r.password,
    features: featuresOf(r.features),
    lastArchiveId: r.lastArchiveId,
  }));
}

/** One upsert for the rooms that changed (the last version of each wins), a JSON array as one parameter. */
export function roomStatements(owner: string, changed: readonly StoredRoom[], now: number): SQL[] {
  if (changed.length === 0) return [];
  const latest = new Map<string, StoredRoom>();
  for (const r of changed) {
    const prev = latest.get(r.room);
    latest.set(r.room, { ...r, lastArchiveId: r.lastArchiveId ?? prev?.lastArchiveId ?? null });
  }
  const json = JSON.stringify(
    [...latest.values()].map((r) => [
      r.room,
      r.kind,
      r.name,
      r.description,
      r.subject,
      r.nick,
      r.autojoin ? 1 : 0,
      r.notify,
      r.extensions,
      r.password,
      JSON.stringify(r.features),
      r.lastArchiveId,
    ]),
  );
  return [
    sql`INSERT INTO rooms (owner, room, kind, name, description, subject, nick, autojoin, notify, extensions, password,
        features, last_archive_id, updated_at)
      SELECT ${owner}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
             json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'),
             json_extract(value, '$[9]'), json_extract(value, '$[10]'), json_extract(value, '$[11]'), ${now}
      FROM json_each(${json}) WHERE true
      ON CONFLICT (owner, room) DO UPDATE SET kind = excluded.kind, name = excluded.name,
        description = excluded.description, subject = excluded.subject, nick = excluded.nick,
        autojoin = excluded.autojoin, notify = excluded.notify, extensions = excluded.extensions,
        password = excluded.password, features = excluded.features,
        last_archive_id = coalesce(excluded.last_archive_id, rooms.last_archive_id), updated_at = excluded.updated_at`,
  ];
}
