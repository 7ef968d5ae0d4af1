// A loopback control endpoint for tests running inside workerd, which cannot run programs: it changes an
// account's password the way an admin tool does while the server runs (issue #6 §1, §5).
//
//   POST /password {"user": "kim", "password": "new"}
//
// The account file of internal_plain storage is rewritten in place, as Prosody 0.12's `prosodyctl passwd` does
// without telling the running server: sessions stay up, only the next authentication sees the new password.
import { createServer, type Server } from "node:http";
import { writeFile } from "node:fs/promises";
import path from "node:path";

function lua(value: string): string {
  return `"${value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`)}"`;
}

/** Prosody's datamanager file name encoding (util/datamanager.lua: encode). */
function encodeNode(node: string): string {
  return node.replace(/[^a-zA-Z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export async function startControl(
  dataDir: string,
  domain: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      void (async () => {
        try {
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
