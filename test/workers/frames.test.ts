import { describe, expect, it } from "vitest";
import { isMessage, login, openTab, peer } from "./helpers.ts";

describe("bad input from a tab", () => {
  it("answers malformed, unknown and oversized frames with an error frame and keeps the session", async () => {
    const judy = await login("judy");
    expect(judy.status).toBe(200);
    const tab = await openTab(judy.cookie);
    await tab.waitFor((f) => f.type === "snapshot");

    tab.send("{not json");
    expect(await tab.waitFor((f) => f.type === "error" && f.code === "bad-frame")).toMatchObject({
      message: "frame is not JSON",
    });
    tab.send(JSON.stringify({ type: "self.destruct" }));
    await tab.waitFor((f) => f.type === "error" && f.code === "unknown-type");
    tab.send(JSON.stringify({ type: "message.send", requestId: "x", to: "ivan@localhost" }));
    await tab.waitFor((f) => f.type === "error" && f.code === "bad-frame" && f.message.includes("body"));
    tab.send(
      JSON.stringify({ type: "message.send", requestId: "big", to: "ivan@localhost", body: "x".repeat(70 * 1024) }),
    );
    await tab.waitFor((f) => f.type === "error" && f.code === "frame-too-large");
    tab.send(JSON.stringify({ type: "message.send", requestId: "addr", to: "not an address", body: "hi" }));
    // Every address is parsed with the frame: a bad one refuses the frame, naming the request.
    await tab.waitFor((f) => f.type === "error" && f.code === "bad-frame" && f.requestId === "addr");

    // The session is still alive and delivers messages, HTML and all, as plain data.
    const ivan = await peer("ivan");
    const html = `<img src=x onerror="alert(1)"><script>alert(2)</script> ${crypto.randomUUID()}`;
    await ivan.send("judy@localhost", html);
    const got = await tab.waitFor(isMessage(html));
    expect(got.message.body).toBe(html);
    tab.send({ type: "ping" });
    await tab.waitFor((f) => f.type === "pong");
    tab.close();
    await ivan.close();
  });
});
