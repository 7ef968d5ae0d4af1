// A loopback control endpoint for tests running inside workerd, which cannot run programs: it changes an
// account's password the way an admin tool does while the server runs (issue #6 §1, §5).
//
//   POST /password {"user": "kim", "password": "new"}
//   POST /proxy {"frozen": true}
//   POST /flood {"room": "big@conference.localhost", "join": 1000, "from": 0} (or "leave": n): the flood peer
//   (test/peers/flood.ts, an XEP-0114 component) puts participants in a room or takes them out (issue #8 §4)
//
// The second drives a TCP proxy in front of Prosody's HTTP port (its WebSocket URL is `proxyWs`): while frozen,
// whatever crosses it in either direction is dropped, as on a network that died without closing the connection.
//
// The account file of internal_plain storage is rewritten in place, as Prosody 0.12's `prosodyctl passwd` does
// without telling the running server: sessions stay up, only the next authentication sees the new password.
import { createServer, type Server } from "node:http";
import net from "node:net";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { FloodPeer } from "./peers/flood.ts";

function lua(value: string): string {
  return `"${value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`)}"`;
}

/** Prosody's datamanager file name encoding (util/datamanager.lua: encode). */
function encodeNode(node: string): string {
  return node.replace(/[^a-zA-Z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A TCP proxy to 127.0.0.1:`port` that can be frozen (bytes dropped both ways, connections kept). */
async function startProxy(port: number): Promise<{ port: number; freeze: (on: boolean) => void; close: () => void }> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port });
    sockets.add(client).add(upstream);
    client.on("data", (chunk) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!frozen) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    freeze: (on) => {
      frozen = on;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

export async function startControl(
  dataDir: string,
  domain: string,
  httpPort: number,
  flood?: { port: number; secret: string },
): Promise<{ url: string; proxyWs: string; close: () => Promise<void> }> {
  const proxy = await startProxy(httpPort);
  let floodPeer: Promise<FloodPeer> | null = null;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      void (async () => {
        try {
          if (req.url === "/proxy") {
            const { frozen } = JSON.parse(body) as { frozen: unknown };
            proxy.freeze(frozen === true);
            res.writeHead(204).end();
            return;
          }
          if (req.url === "/flood" && flood) {
            const ask = JSON.parse(body) as { room?: unknown; join?: unknown; leave?: unknown; from?: unknown };
            if (typeof ask.room !== "string") throw new Error("room?");
            floodPeer ??= FloodPeer.connect({ port: flood.port, secret: flood.secret, domain });
            const peer = await floodPeer;
            const from = typeof ask.from === "number" ? ask.from : 0;
            if (typeof ask.join === "number") await peer.join(ask.room, ask.join, { from });
            if (typeof ask.leave === "number") await peer.leave(ask.room, ask.leave, { from });
            res.writeHead(204).end();
            return;
          }
          const { user, password } = JSON.parse(body) as { user: unknown; password: unknown };
          if (req.url !== "/password" || typeof user !== "string" || typeof password !== "string") {
            res.writeHead(400).end("bad request");
            return;
          }
          const now = Math.floor(Date.now() / 1000);
          const file = path.join(dataDir, "data", encodeNode(domain), "accounts", `${encodeNode(user)}.dat`);
          await writeFile(
            file,
            `return {\n\t["password"] = ${lua(password)};\n\t["created"] = ${now};\n\t["updated"] = ${now};\n};\n`,
          );
          res.writeHead(204).end();
        } catch (err) {
          res.writeHead(500).end(String(err));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    proxyWs: `ws://127.0.0.1:${proxy.port}/xmpp-websocket`,
    close: () =>
      new Promise<void>((resolve) => {
        void floodPeer?.then((p) => p.close());
        proxy.close();
        server.close(() => resolve());
      }),
  };
}
