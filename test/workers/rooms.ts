// What the independent peers do in rooms, shared by the workers tests of group chats (issue #8): join and wait for
// the self-presence, create a room configured as a group chat or a channel.
import type { Element } from "@xmpp/xml";
import {
  buildConfigFetch,
  buildConfigSubmit,
  buildJoin,
  NS_MUC_USER,
  parseConfigFields,
  roomConfig,
  type RoomSettings,
} from "../../src/xmpp/muc.ts";
import { record, until, type Peer } from "./helpers.ts";

export const MUC = "conference.localhost";
/** A room address no other test uses. */
export const newRoom = (tag: string): string => `${tag}-${crypto.randomUUID().slice(0, 8)}@${MUC}`;

/** `p` joins `room` as `nick` (XEP-0045 §7.2) and waits for its self-presence (status 110); what `p` got since. */
export async function joinAs(p: Peer, room: string, nick: string): Promise<Element[]> {
  const got = record(p);
  await p.link.send(buildJoin(room, nick));
  await until(`${nick}'s self-presence`, () =>
    got.find(
      (s) =>
        s.name === "presence" &&
        s.attrs.from === `${room}/${nick}` &&
        s
          .getChild("x", NS_MUC_USER)
          ?.getChildren("status")
          .some((c) => c.attrs.code === "110"),
    ),
  );
  return got;
}

/** `owner` creates `room` (§10.1: join, then submit the configuration after status 201) as a channel or group chat. */
export async function createRoom(
  owner: Peer,
  room: string,
  nick: string,
  kind: "channel" | "group" = "channel",
  settings: RoomSettings = { name: "Test channel", description: "for tests" },
): Promise<Element[]> {
  const got = await joinAs(owner, room, nick);
  const offered = parseConfigFields(await owner.link.iq("get", buildConfigFetch(), room));
  await owner.link.iq("set", buildConfigSubmit(roomConfig(kind, settings), offered), room);
  return got;
}
