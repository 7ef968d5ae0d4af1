// Small process and port helpers shared by the scripts and the benchmarks (plain Node, no dependencies).
import net from "node:net";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Stops a child started with `detached: true` and its whole process group (npx -> wrangler -> workerd): SIGTERM,
 * SIGKILL after `graceMs`, and a last SIGKILL since workerd may outlive wrangler's exit by a moment.
 * @param {import("node:child_process").ChildProcess | undefined} child
 */
export async function stopProcessGroup(child, graceMs = 5_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const killGroup = (signal) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone
    }
  };
  killGroup("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) killGroup("SIGKILL");
  await Promise.race([exited, sleep(2_000)]);
  killGroup("SIGKILL");
}
