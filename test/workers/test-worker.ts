// The workers tests' entry (test/workers/wrangler.test.toml): the production Worker, and the object with a few
// test-only methods in a subclass, so the production class carries no test hooks (issue #6 §13). Tests reach them
// with runInDurableObject(stub, (instance: TestUserSession) => ...).
import worker from "../../src/worker/index.ts";
import { UserSession } from "../../src/durable/user-session.ts";
import { parseXml } from "../../src/xmpp/parse.ts";

/**
 * Accounts whose archive catch-up brings one page and whose hole fills one page per history read
 * (test/workers/gaps.test.ts, read-state-catchup.test.ts): a real hole, and a fill in several steps, from a few
 * hundred messages.
 */
const SMALL_ARCHIVE = new Set(["jules@localhost", "rc-lou@localhost", "rc-max@localhost", "muc-eli@localhost"]);

export class TestUserSession extends UserSession {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, {
      archiveLimits: (jid) => (SMALL_ARCHIVE.has(jid) ? { catchUpPages: 1, fillPages: 1, probePeers: 10 } : undefined),
    });
  }

  /** Waits until every stanza received so far is handled and stored. */
  async settleForTests(): Promise<void> {
    await this.connecting;
    await this.account?.settle();
  }

  /** Stanzas (XML text) handled as if they came from the server, through the link's own stanza event. */
  async receiveForTests(stanzas: string[]): Promise<void> {
    const entity = this.account?.link?.entity;
    if (!entity) throw new Error("no link");
    for (const text of stanzas) entity.emit("stanza", parseXml(text));
    await this.account?.settle();
  }

  /** Contacts in the roster as if the server had sent them (a large roster without 5,000 real accounts). */
  async seedRosterForTests(jids: string[]): Promise<void> {
    const state = this.account?.state;
    if (!state) throw new Error("no account");
    state.applyRoster(
      jids.map((jid) => ({ kind: "set", item: { jid, name: "", subscription: "both", ask: false, groups: [] } })),
    );
  }

  /** A stanza sent on the object's own link, behind the features' backs (a room left as if by the server). */
  async sendForTests(stanza: string): Promise<void> {
    const link = this.account?.link;
    if (!link) throw new Error("no link");
    await link.send(parseXml(stanza));
  }

  /** XEP-0410 self-pings of every joined room now, as after five minutes of silence. */
  async pingRoomsForTests(): Promise<void> {
    await this.account?.pingRooms(Number.POSITIVE_INFINITY);
  }

  /** A room's tracked affiliations (real bare JID → affiliation), sorted by address. */
  async roomMembersForTests(room: string): Promise<[string, string][]> {
    return [...(this.account?.roomMembers(room) ?? new Map<string, string>())].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** The XMPP socket drops as it would on a network failure, and no reconnect is scheduled. */
  async dropConnectionForTests(): Promise<void> {
    this.ended = true; // keeps the lost handler from scheduling a reconnect in this (about to be evicted) instance
    const account = this.account;
    await account?.settle();
    const sm = account?.link?.smState;
    if (sm) await this.ctx.storage.put("sm", sm);
    await account?.link?.abort();
    await this.ctx.storage.deleteAlarm();
  }
}

export { TestUserSession as UserSession };
export default worker;
