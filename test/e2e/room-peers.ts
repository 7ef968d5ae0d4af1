// What the independent xmpp.js peers (test/peers/bob.ts) do in rooms, shared by the group chat e2e files.
import type { Element } from "@xmpp/xml";
import { expect } from "vitest";
import { buildJoin, NS_MUC_USER } from "../../src/xmpp/muc.ts";
import type { Peer } from "../peers/bob.ts";
import { UI_TIMEOUT_MS } from "./browser.ts";

/** The XEP-0045 status codes of a presence or message, as strings. */
export function codesOf(s: Element): string[] {
  return (s.getChild("x", NS_MUC_USER)?.getChildren("status") ?? []).map((c) => String(c.attrs.code));
}

/** `p` joins `room` as `nick` and waits for its own presence (status 110). */
export async function enter(p: Peer, room: string, nick: string): Promise<void> {
  const seen = p.stanzas.length;
  await p.sendStanza(buildJoin(room, nick));
  await expect
    .poll(
      () =>
        p.stanzas
          .slice(seen)
          .some((s) => s.name === "presence" && s.attrs.from === `${room}/${nick}` && codesOf(s).includes("110")),
      { timeout: UI_TIMEOUT_MS, message: `${nick} in ${room}` },
    )
    .toBe(true);
}
