import { describe, expect, it } from "vitest";
import { blockHtml, messageLines, mrkdwnHtml, renderPage, spansToTerminal } from "./index.js";

const plain = (s: string) => s;

describe("mrkdwn to HTML", () => {
  it("renders Slack's formatting, links and entities", () => {
    expect(mrkdwnHtml("*Repository:* acme/x _it_ ~old~ `code`")).toBe(
      '<div class="mrkdwn"><span><b>Repository:</b> acme/x <i>it</i> <s>old</s> <code>code</code></span></div>',
    );
    expect(mrkdwnHtml("<https://socket.dev/a?b=1&amp;c=2|npm/x@1.0.0>")).toContain(
      '<a href="https://socket.dev/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">npm/x@1.0.0</a>',
    );
    expect(mrkdwnHtml("&lt;!channel&gt; a &amp; b")).toContain("&lt;!channel&gt; a &amp; b");
    expect(mrkdwnHtml("<!here> <@U123> <#C1|ops>")).toContain('<span class="mention">@here</span>');
  });

  it("keeps formatting marks inside words and code as text", () => {
    expect(mrkdwnHtml("direct_package_3 2*3*4")).toBe('<div class="mrkdwn"><span>direct_package_3 2*3*4</span></div>');
    expect(mrkdwnHtml("`*not bold*`")).toContain("<code>*not bold*</code>");
  });

  it("renders fenced code blocks with their text verbatim", () => {
    const html = mrkdwnHtml("🎯 *Reachable*\n```\nsrc/a.js:3 &lt;script&gt;\n  at b\n```\nafter");
    expect(html).toContain("<pre>src/a.js:3 &lt;script&gt;\n  at b</pre>");
    expect(html).toContain("<b>Reachable</b>");
    expect(html).toContain("after");
  });

  it("never lets text become markup, a script or a javascript: link", () => {
    const hostile = [
      "<script>alert(1)</script>",
      "<javascript:alert(1)|click>",
      '<https://x.example/"onmouseover="alert(1)|x>',
      "<data:text/html,<b>x</b>|y>",
      "&lt;img src=x onerror=alert(1)&gt;",
      "*<style>body{display:none}</style>*",
    ];
    for (const h of hostile) {
      const html = mrkdwnHtml(h);
      expect(html).not.toMatch(/<(script|img|style|iframe)/i);
      expect(html).not.toMatch(/href="(?!https?:)/);
      expect(html).not.toMatch(/<[^>]*\son\w+=/);
    }
  });

  it("renders sections with fields, buttons, actions and unknown blocks by name", () => {
    expect(
      blockHtml({
        type: "section",
        text: { type: "plain_text", text: "<b>x</b>" },
        fields: [{ type: "mrkdwn", text: "*A*" }],
        accessory: { type: "button", text: { type: "plain_text", text: "Open" }, url: "javascript:alert(1)" },
      }),
    ).toBe(
      '<div class="block section"><div class="section-body"><div class="plain">&lt;b&gt;x&lt;/b&gt;</div><div class="fields"><div class="field"><div class="mrkdwn"><span><b>A</b></span></div></div></div></div><div class="accessory"><span class="button">Open</span></div></div>',
    );
    expect(
      blockHtml({
        type: "actions",
        elements: [{ type: "button", style: "danger", text: { type: "plain_text", text: "Mute" }, action_id: "mute" }],
      }),
    ).toBe('<div class="block actions"><span class="button danger" title="action mute">Mute</span></div>');
    expect(blockHtml({ type: "video" })).toContain("[a video block]");
  });
});

describe("page", () => {
  it("is self-contained with a strict CSP; thread replies nest under their parent", () => {
    const html = renderPage({
      title: "t </title><script>",
      groups: [
        {
          title: "ops",
          details: ["filter: all"],
          messages: [
            { payload: { text: "first" }, label: "message 1 of 2", replies: [{ payload: { text: "second" } }] },
          ],
        },
      ],
    });
    expect(html).toContain("default-src 'none'");
    expect(html).toContain("script-src 'none'");
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html).toContain("t &lt;/title&gt;&lt;script&gt;");
    expect(html).toMatch(/first.*class="thread".*second/s);
  });
});

describe("terminal", () => {
  const payload = {
    blocks: [
      { type: "header", text: { type: "plain_text", text: "Alerts" } },
      { type: "section", text: { type: "mrkdwn", text: "*Repository:* acme/x <https://a.example|link>\n&lt;b&gt;" } },
    ],
  };
  it("prints plain text without markup when not a TTY", () => {
    expect(messageLines(payload).map((l) => spansToTerminal(l, false, plain))).toEqual([
      "▌ Alerts",
      "Repository: acme/x link",
      "<b>",
    ]);
  });
  it("prints bold as ANSI bold on a TTY, after the text is cleaned", () => {
    const line = messageLines(payload)[1]!;
    expect(spansToTerminal(line, true, (s) => s.replace(/\x1b/g, "␛"))).toBe("\x1b[1mRepository:\x1b[22m acme/x link");
    expect(spansToTerminal([{ text: "\x1b[31mred", bold: true }], true, (s) => s.replace(/\x1b/g, "␛"))).toBe(
      "\x1b[1m␛[31mred\x1b[22m",
    );
  });
});
