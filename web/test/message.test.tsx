// The message component rendered to markup (preact-render-to-string): an article with the text, styled as
// elements, remote markup escaped, the marks of the meta line. No DOM needed.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import type { MessageSecurity } from "../src/core/e2ee.ts";
import { Message, type MessageProps } from "../src/features/chat/message.tsx";
import { msg } from "./fixtures.ts";

const html = (props: Partial<MessageProps> & Pick<MessageProps, "m">) =>
  render(
    <Message
      plain={undefined}
      editPlain={undefined}
      quotePlain={undefined}
      sec={null}
      clear={false}
      continued={false}
      status={null}
      peer="bob@example.org"
      name="Bob"
      {...props}
    />,
  );

describe("Message", () => {
  it("is a list item holding an article with the text", () => {
    const out = html({ m: msg("k1", Date.now(), { body: "hello there" }) });
    expect(out).toMatch(
      /^<li class="msg msg-in" data-key="k1"><span class="avatar avatar-md avatar-h\d+" aria-hidden="true">B<\/span><article class="bubble" tabindex="-1"><span class="sr-only">Bob: <\/span><p class="body">hello there<\/p>/u,
    );
  });

  it("never turns remote text into markup, and styles it with elements (XEP-0393)", () => {
    const out = html({ m: msg("k2", Date.now(), { body: '<img src=x onerror="1"> *bold* https://example.org/a' }) });
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;img src=x onerror=&quot;1&quot;>");
    expect(out).toContain(
      '<strong><span class="styling-directive">*</span>bold<span class="styling-directive">*</span></strong>',
    );
    expect(out).toContain(
      '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">https://example.org/a</a>',
    );
  });

  it("says who sent it, its receipt, and continues a group", () => {
    const out = html({
      m: msg("k3", Date.now(), { direction: "out", receipt: "received" }),
      continued: true,
      status: "Delivered",
    });
    expect(out).toContain('class="msg msg-out msg-continued"');
    expect(out).toContain('<span class="sr-only">You: </span>');
    expect(out).toContain('role="img" aria-label="Delivered"');
    expect(html({ m: msg("k4", Date.now(), { direction: "out", receipt: "sent" }), status: "Read" })).toContain(
      'aria-label="Read"',
    );
  });

  it("marks an encrypted message with its device, and hides a key-transport message", () => {
    const encrypted = { namespace: "eu.siacs.conversations.axolotl", xml: "<encrypted/>", hasPayload: true } as const;
    const sec: MessageSecurity = { deviceId: 42, trust: "untrusted", self: false };
    const out = html({
      m: msg("k4", Date.now(), { body: "", encrypted }),
      sec,
      plain: { kind: "text", text: "secret" },
    });
    expect(out).toContain("msg-encrypted msg-untrusted");
    expect(out).toContain(">secret<");
    expect(out).toContain('<span class="sr-only">encrypted by device 42, untrusted</span>');
    const pending = html({ m: msg("k5", Date.now(), { body: "", encrypted }) });
    expect(pending).toContain('<p class="body body-encrypted body-pending">Decrypting…</p>');
    const transport = html({ m: msg("k6", Date.now(), { body: "", encrypted: { ...encrypted, hasPayload: false } }) });
    expect(transport).toContain(" hidden");
  });

  it("marks a clear message where OMEMO is in use", () => {
    const out = html({ m: msg("k7", Date.now()), clear: true });
    expect(out).toContain('role="img" aria-label="Not encrypted"');
  });
});
