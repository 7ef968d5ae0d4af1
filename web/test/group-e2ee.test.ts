// OMEMO in group chats, the tab's part (web/src/core/group-e2ee.ts) against a fake object that answers
// room.members and relays a room's encrypted messages to every member with the sender's real address, as a
// non-anonymous room does. The real OMEMO engine runs on fake-indexeddb and an in-memory PEP service.
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it, vi } from "vitest";
import type { ChatMessage, ClientFrame, ServerFrame } from "../../src/protocol/index.ts";
import { E2EEService } from "../src/core/e2ee.ts";
import { listWords } from "../src/core/group-e2ee.ts";
import { NOT_FOR_US } from "../src/crypto/device.ts";
import { parseEncrypted } from "../src/crypto/omemo03-xml.ts";
import { FakePep } from "./omemo-helpers.ts";
import { conv, snapshot } from "./fixtures.ts";

const ROOM = "team@conference.localhost";

class FakeRoomObject {
  readonly pep = new FakePep();
  readonly tabs = new Map<string, E2EEService>();
  readonly frames = new Map<string, ServerFrame[]>();
  /** The room's owners, admins and members (real addresses). */
  members = new Set<string>();
  /** Set: room.members is refused with this message (e.g. the room became open). */
  refuse: string | null = null;
  #n = 0;

  connect(jid: string): E2EEService {
    const indexedDB = new IDBFactory();
    const service: E2EEService = new E2EEService({
      jid,
      send: (frame) => {
        queueMicrotask(() => void this.#handle(jid, frame));
        return true;
      },
      onChange: () => undefined,
      load: async () => {
        const m = await import("../src/crypto/device.ts");
        return { ...m, openOmemoDevice: (o) => m.openOmemoDevice({ ...o, indexedDB }) };
      },
      storage: null,
    });
    this.tabs.set(jid, service);
    this.deliver(jid, snapshot({ self: { jid, show: "online", status: "" } }));
    return service;
  }

  deliver(jid: string, frame: ServerFrame): void {
    this.frames.set(jid, [...(this.frames.get(jid) ?? []), frame]);
    this.tabs.get(jid)?.handleFrame(frame);
  }

  messages(jid: string): ChatMessage[] {
    return (this.frames.get(jid) ?? []).flatMap((f) => (f.type === "message" ? [f.message] : []));
  }

  async #handle(jid: string, frame: ClientFrame): Promise<void> {
    const t = this.pep.transport(jid);
    switch (frame.type) {
      case "pep.fetch":
        try {
          const items = await t.fetch(frame.jid, frame.node);
          this.deliver(jid, { ...frame, type: "pep.items", items: [...items] });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.deliver(jid, { type: "error", code: "pep-failed", message, requestId: frame.requestId });
        }
        return;
      case "pep.publish":
        await t.publish(frame.node, frame.itemId, frame.payload);
        this.deliver(jid, { type: "ack", requestId: frame.requestId });
        return;
      case "room.members":
        if (this.refuse !== null) {
          this.deliver(jid, { type: "error", code: "room-failed", message: this.refuse, requestId: frame.requestId });
          return;
        }
        this.deliver(jid, {
          type: "room.members",
          requestId: frame.requestId,
          room: frame.room,
          members: [...this.members].filter((m) => m !== jid),
        });
        return;
      case "message.send-encrypted": {
        const ts = 1000 + this.#n++;
        const encrypted = {
          namespace: "eu.siacs.conversations.axolotl" as const,
          xml: frame.encrypted,
          hasPayload: frame.encrypted.includes("<payload>"),
        };
        // The room reflects the message to every occupant present: here, every member with a tab.
        for (const member of this.tabs.keys()) {
          const ours = member === jid;
          const message: ChatMessage = {
            key: `r${ts}`,
            peer: ROOM,
            direction: ours ? "out" : "in",
            body: "",
            ts,
            receipt: ours ? "sent" : null,
            encrypted,
            from: { nick: jid.split("@")[0] ?? "", jid },
          };
          this.deliver(member, {
            type: "message",
            message,
            conversation: conv(ROOM, ts),
            ...(ours ? { requestId: frame.requestId } : {}),
          });
        }
        return;
      }
      default:
        return;
    }
  }
}

async function ready(...services: E2EEService[]): Promise<void> {
  for (const s of services) {
    s.start();
    await vi.waitFor(() => expect(s.status).toBe("ready"), { timeout: 10_000 });
  }
}

function lastIn(server: FakeRoomObject, jid: string): ChatMessage | undefined {
  return server.messages(jid).findLast((m) => m.direction === "in");
}

/** `tab` (of `jid`) shows the last message it received as `text`, decrypted. */
async function shows(server: FakeRoomObject, tab: E2EEService, jid: string, text: string): Promise<void> {
  await vi.waitFor(() => {
    const m = lastIn(server, jid);
    expect(m && tab.plaintext(m.key)).toMatchObject({ kind: "text", text });
  });
}

describe("OMEMO in a group chat", () => {
  it("encrypts one message for every member's devices; each member decrypts it by the sender's real address", async () => {
    const server = new FakeRoomObject();
    server.members = new Set(["alice@localhost", "bob@localhost", "carol@localhost"]);
    const alice = server.connect("alice@localhost");
    const bob = server.connect("bob@localhost");
    const carol = server.connect("carol@localhost");
    await ready(alice, bob, carol);

    // Undecided: the members use OMEMO, so the message is encrypted.
    expect(alice.groups.composer(ROOM).encrypt).toBeNull();
    expect(await alice.groups.encryptFor(ROOM)).toBe(true);
    const sent = await alice.groups.send(ROOM, "hello team");
    expect(sent).toMatchObject({ ok: true });
    await shows(server, bob, "bob@localhost", "hello team");
    await shows(server, carol, "carol@localhost", "hello team");
    // Our own echo shows the text we sent (this device cannot decrypt its own message).
    await vi.waitFor(() => {
      const own = server.messages("alice@localhost").find((m) => m.direction === "out");
      expect(own && alice.plaintext(own.key)).toMatchObject({ kind: "text", text: "hello team" });
    });
    // Now in use: encrypted from here on without asking.
    expect(alice.groups.composer(ROOM).encrypt).toBe(true);
  }, 30_000);

  it("a removed member gets no key for the next message", async () => {
    const server = new FakeRoomObject();
    server.members = new Set(["alice@localhost", "bob@localhost", "carol@localhost"]);
    const alice = server.connect("alice@localhost");
    const bob = server.connect("bob@localhost");
    const carol = server.connect("carol@localhost");
    await ready(alice, bob, carol);
    expect(await alice.groups.send(ROOM, "before")).toMatchObject({ ok: true });
    server.members.delete("carol@localhost");
    expect(await alice.groups.send(ROOM, "after")).toMatchObject({ ok: true });
    const last = server.messages("carol@localhost").at(-1);
    const carolDevice = carol.deviceId;
    expect(last?.encrypted && parseEncrypted(last.encrypted.xml).keys.map((k) => k.rid)).not.toContain(carolDevice);
    await vi.waitFor(() => {
      const m = lastIn(server, "carol@localhost");
      expect(m && carol.plaintext(m.key)).toMatchObject({ kind: "failed", reason: NOT_FOR_US });
    });
    await shows(server, bob, "bob@localhost", "after");
  }, 30_000);

  it("names a member without a device and sends only once the user agrees to leave them out", async () => {
    const server = new FakeRoomObject();
    server.members = new Set(["alice@localhost", "bob@localhost", "dave@localhost"]);
    const alice = server.connect("alice@localhost");
    const bob = server.connect("bob@localhost");
    await ready(alice, bob);
    const refused = await alice.groups.send(ROOM, "hi");
    expect(refused).toMatchObject({ ok: false, offerPlain: false, missing: ["dave@localhost"] });
    expect(refused.ok ? "" : refused.error).toContain("dave@localhost has no OMEMO device");
    expect(server.messages("bob@localhost")).toEqual([]);
    expect(await alice.groups.send(ROOM, "hi", {}, ["dave@localhost"])).toMatchObject({ ok: true });
    await shows(server, bob, "bob@localhost", "hi");
  }, 30_000);

  it("a room that stopped being a group chat refuses the send and is not encrypted any more", async () => {
    const server = new FakeRoomObject();
    server.members = new Set(["alice@localhost", "bob@localhost"]);
    const alice = server.connect("alice@localhost");
    await ready(alice);
    server.refuse = "This room is not a private group chat";
    expect(await alice.groups.send(ROOM, "x")).toMatchObject({ ok: false, offerPlain: false });
    alice.setEncrypt(ROOM, true);
    expect(alice.groups.notGroup(ROOM)).toMatchObject({ encrypt: false, warning: true });
  }, 30_000);

  it("lists names in words", () => {
    expect(listWords(["a"])).toBe("a");
    expect(listWords(["a", "b", "c"])).toBe("a, b and c");
  });
});
