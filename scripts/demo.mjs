// Demo content for `npm start` (issue #7 §1): alice, bob and carol are mutual contacts with display names, and each
// has an avatar (XEP-0084) and a nickname (XEP-0172), so the first screen after sign-in has people to talk to.
//
// Rosters are written into Prosody's own storage (internal, the same format on 0.12 and 13) only when an account
// has no roster yet: a second run changes nothing, and contacts a person added or removed stay as they are.
// Avatars are published over XMPP by each account itself, again only when it has none.
//
// Plain Node ESM, node: builtins and @xmpp/client (a devDependency, installed by `npm ci`).
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { deflateSync, crc32 } from "node:zlib";
import { createHash } from "node:crypto";

/** @typedef {{ user: string, name: string, colour: [number, number, number] }} Person */

/** @type {Person[]} */
export const DEMO_PEOPLE = [
  { user: "alice", name: "Alice", colour: [0x3b, 0x5b, 0xdb] },
  { user: "bob", name: "Bob", colour: [0x2b, 0x8a, 0x3e] },
  { user: "carol", name: "Carol", colour: [0xc2, 0x25, 0x5c] },
];

/** Lua string literal (the same escaping scripts/prosody.mjs uses). */
function lua(value) {
  return `"${String(value).replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`)}"`;
}

/** Prosody's datamanager file name encoding (util/datamanager.lua: every non-alphanumeric byte as %xx). */
export function encodeNode(node) {
  return [...Buffer.from(node, "utf8")]
    .map((b) =>
      /[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`,
    )
    .join("");
}

/**
 * A roster as Prosody's internal storage keeps it (core/rostermanager.lua): one entry per contact, plus the
 * `[false]` metadata entry.
 * @param {{ jid: string, name: string }[]} contacts
 */
export function renderRoster(contacts) {
  const items = contacts
    .map(
      (c) =>
        `\t[${lua(c.jid)}] = {\n\t\t["name"] = ${lua(c.name)};\n\t\t["subscription"] = "both";\n\t\t["groups"] = {};\n\t};\n`,
    )
    .join("");
  return `return {\n\t[false] = {\n\t\t["version"] = 1;\n\t\t["pending"] = {};\n\t};\n${items}};\n`;
}

/**
 * Writes mutual rosters for `people` into the Prosody data directory, for each account that has none yet.
 * @returns {Promise<string[]>} the accounts whose roster was written
 */
export async function seedRosters(storePath, domain, people = DEMO_PEOPLE) {
  const dir = path.join(storePath, encodeNode(domain), "roster");
  await mkdir(dir, { recursive: true });
  const written = [];
  for (const person of people) {
    const file = path.join(dir, `${encodeNode(person.user)}.dat`);
    if (existsSync(file)) continue;
    const contacts = people.filter((p) => p !== person).map((p) => ({ jid: `${p.user}@${domain}`, name: p.name }));
    await writeFile(file, renderRoster(contacts));
    written.push(person.user);
  }
  return written;
}

// ---- avatars -------------------------------------------------------------------------------------------------

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A 96×96 PNG: a symmetric 5×5 pattern derived from `seed` in `colour` on a light background (an identicon), so
 * no font or image file is needed.
 * @param {string} seed
 * @param {[number, number, number]} colour
 */
export function identiconPng(seed, colour, size = 96) {
  const bits = createHash("sha256").update(seed).digest();
  const cell = Math.floor(size / 6);
  const margin = Math.floor((size - cell * 5) / 2);
  const on = (x, y) => {
    const col = x < 3 ? x : 4 - x; // mirrored left-right
    return ((bits[y * 3 + col] ?? 0) & 1) === 1;
  };
  const background = [0xf1, 0xf3, 0xf5];
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const gx = Math.floor((x - margin) / cell);
      const gy = Math.floor((y - margin) / cell);
      const inside = x >= margin && y >= margin && gx < 5 && gy < 5;
      const [r, g, b] = inside && on(gx, gy) ? colour : background;
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
const NS_AVATAR_DATA = "urn:xmpp:avatar:data";
const NS_AVATAR_METADATA = "urn:xmpp:avatar:metadata";
const NS_NICK = "http://jabber.org/protocol/nick";

/**
 * Publishes a nickname (XEP-0172) and an avatar (XEP-0084: data, then metadata) for each person that has no avatar
 * yet, logged in as that person over c2s.
 * @returns {Promise<string[]>} the accounts that got an avatar
 */
export async function publishAvatars({ host = "127.0.0.1", port, domain, password = "parley", people = DEMO_PEOPLE }) {
  const { client, xml } = await import("@xmpp/client");
  const done = [];
  for (const person of people) {
    const xmpp = client({
      service: `xmpp://${host}:${port}`,
      domain,
      username: person.user,
      password,
      resource: "parley-demo",
    });
    xmpp.on("error", () => {});
    await xmpp.start();
    try {
      const have = await xmpp.iqCaller
        .request(
          xml("iq", { type: "get" }, xml("pubsub", { xmlns: NS_PUBSUB }, xml("items", { node: NS_AVATAR_METADATA }))),
        )
        .then((iq) => (iq.getChild("pubsub")?.getChild("items")?.getChildren("item").length ?? 0) > 0)
        .catch(() => false);
      if (have) continue;
      const png = identiconPng(`${person.user}@${domain}`, person.colour);
      const id = createHash("sha1").update(png).digest("hex");
      const publish = (node, itemId, payload) =>
        xmpp.iqCaller.request(
          xml(
            "iq",
            { type: "set" },
            xml("pubsub", { xmlns: NS_PUBSUB }, xml("publish", { node }, xml("item", { id: itemId }, payload))),
          ),
        );
      await publish(NS_NICK, "current", xml("nick", { xmlns: NS_NICK }, person.name));
      await publish(NS_AVATAR_DATA, id, xml("data", { xmlns: NS_AVATAR_DATA }, png.toString("base64")));
      await publish(
        NS_AVATAR_METADATA,
        id,
        xml(
          "metadata",
          { xmlns: NS_AVATAR_METADATA },
          xml("info", { id, bytes: String(png.length), type: "image/png", width: "96", height: "96" }),
        ),
      );
      done.push(person.user);
    } finally {
      await xmpp.stop().catch(() => {});
    }
  }
  return done;
}
