// Global setup: a private Prosody on test ports with its own data dir, so tests run while `npm start` is up.
import path from "node:path";
import type { TestProject } from "vitest/node";
import { FLOOD_SECRET, startProsody, type ProsodyServer } from "../scripts/prosody.mjs";
import { startControl } from "./prosody-control.ts";

export const TEST_ACCOUNTS = [
  "alice",
  "bob",
  "carol",
  "dave",
  "erin",
  "frank",
  "grace",
  "heidi",
  "ivan",
  "judy",
  "kim",
  "leo",
  "mia",
  "nina",
  "oscar",
  "pat",
  "quinn",
  "rae",
  "sam",
  // test/workers/hardening.test.ts: one account per probe, since some change passwords or get locked out.
  "tina",
  "uma",
  "victor",
  "wendy",
  "xena",
  "yuri",
  "zoe",
  // test/workers/outbox.test.ts
  "amy",
  "ben",
  "cal",
  "deb",
  // test/workers/hardening.test.ts, sign-out
  "eve",
  "fay",
  // test/workers/actions.test.ts
  "gil",
  "hal",
  // test/workers/search.test.ts: the searcher and another account
  "olga",
  "pia",
  // test/workers/read-state.test.ts
  "rs-ann",
  "rs-bea",
  "rs-cid",
  "rs-dan",
  "rs-eva",
  "rs-fin",
  // test/workers/read-state-catchup.test.ts
  "rc-ann",
  "rc-bea",
  "rc-eva",
  "rc-cal",
  "rc-dora",
  "rc-lou",
  "rc-mia",
  "rc-max",
  "rc-nia",
  "rc-oli",
  // test/workers/big-room.test.ts, test/e2e/big-room.test.ts
  "big-ann",
  "big-bo",
  "big-e2e",
  // test/workers/muc.test.ts
  "muc-ann",
  "muc-bo",
  "muc-cy",
  "muc-dee",
  "muc-eli",
  // test/workers/room-directory.test.ts, room-settings.test.ts: the searcher/owner, the peers' rooms, participants
  "dir-ann",
  "dir-bo",
  "dir-cy",
  "set-ann",
  "set-bo",
  "set-cy",
  "set-dee",
  // test/e2e/room-directory.test.ts
  "rd-ann",
  "rd-bo",
  "rd-cy",
  // test/workers/room-create.test.ts: the creator, two invitees, someone else
  "mk-ann",
  "mk-bo",
  "mk-cy",
  "mk-dee",
  // test/workers/gaps.test.ts
  "hugo",
  "ines",
  "jules",
  "kurt",
  // test/e2e/actions.test.ts
  "lena",
  "milo",
  // test/e2e/read-state.test.ts
  "rui-ann",
  "rui-bob",
  "rui-cat",
  "rui-dan",
  "rui-eli",
  // test/e2e/search.test.ts: the searcher and two peers
  "rosa",
  "saul",
  "tara",
  // test/e2e/omemo-actions.test.ts: the user and the python OMEMO peer
  "oa-ann",
  "oa-bob",
  // test/e2e/omemo-search.test.ts: the user, the python OMEMO peer, a clear peer
  "os-ann",
  "os-bob",
  "os-cy",
  // test/workers/room-actions.test.ts and test/e2e/room-actions.test.ts: the user, the room's owner, others
  "ra-ann",
  "ra-bo",
  "ra-cy",
  "ra-dee",
  "rae-ann",
  "rae-bo",
  // test/e2e/rooms.test.ts: the user, the room's owner, another participant
  "rm-ann",
  "rm-bo",
  "rm-cy",
  // test/e2e/room-create.test.ts: the creator, two invitees (scripted peers), an inviter
  "cr-ann",
  "cr-bob",
  "cr-cy",
  "cr-dee",
  // test/e2e/a11y.test.ts: the user, two contacts, and someone asking to be one
  "axe-ada",
  "axe-ben",
  "axe-cy",
  "axe-dee",
  // test/workers/room-omemo.test.ts: the user, the group chat's owner, another member
  "go-ann",
  "go-bo",
  "go-cy",
  // test/e2e/omemo-rooms.test.ts: the user and two python OMEMO peers (the group chat's owner, a member)
  "og-ann",
  "og-bob",
  "og-cy",
  // An address the server maps further than Parley does (nodeprep: ß -> ss; issue #6 §8).
  "strasse",
];

/** Which Prosody the suite runs against: `npm test -- --server prosody-0.12` sets PARLEY_PROSODY=0.12. */
function prosodyServer(): ProsodyServer {
  const value = process.env.PARLEY_PROSODY ?? "13";
  if (value !== "13" && value !== "0.12") throw new Error(`PARLEY_PROSODY must be 13 or 0.12 (got ${value})`);
  return value;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Each project that needs XMPP gets its own Prosody, so projects can run in parallel (and beside `npm start`).
  // PARLEY_TEST_PORT_OFFSET lets a second checkout run its suite beside this one (another agent, another branch).
  const offset = (project.name === "e2e" ? 1000 : 0) + Number(process.env.PARLEY_TEST_PORT_OFFSET ?? 0);
  const c2sPort = 15222 + offset;
  const httpPort = 15280 + offset;
  const componentPort = 15347 + offset; // the flood peer's component (issue #8 §4)
  const prosody = await startProsody({
    dataDir: path.resolve(`.parley/prosody-test-${project.name}`),
    c2sPort,
    httpPort,
    accounts: TEST_ACCOUNTS.map((u) => [u, "parley"]),
    fresh: true,
    server: prosodyServer(),
    componentPort,
  });
  project.provide("prosodyWs", prosody.wsUrl);
  project.provide("prosodyHttpPort", httpPort);
  project.provide("prosodyC2sPort", c2sPort);
  const control = await startControl(prosody.dataDir, prosody.domain, httpPort, {
    port: componentPort,
    secret: FLOOD_SECRET,
  });
  project.provide("prosodyControl", control.url);
  project.provide("prosodyProxyWs", control.proxyWs);
  return async () => {
    await control.close();
    await prosody.stop();
  };
}
