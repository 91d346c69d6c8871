import { describe, expect, it } from "vitest";
import { codeBlock, escapeMrkdwn, inline, isSafeUrl, link } from "./mrkdwn.js";

// Every C1 control (U+0080–U+009F; U+009B is a one-character CSI, U+0085 a newline to some).
const C1 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i));
const BIDI = [
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\u200e",
  "\u200f",
  "\u061c",
];
const ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"];

describe("untrusted text in Slack fields", () => {
  it("loses every C0, C1, bidi and separator character, in one-line fields and in multi-line text", () => {
    for (const c of [...C1, ...BIDI, "\u0000", "\u001b", "\u007f", "\r", "\u2028", "\u2029"]) {
      const t = `a${c}b`;
      expect(escapeMrkdwn(t), JSON.stringify(c)).toBe("ab");
      expect(inline(t), JSON.stringify(c)).toMatch(/^a ?b$/);
    }
    expect(escapeMrkdwn("line 1\r\nline 2")).toBe("line 1\nline 2");
  });

  it("a leading > (of the text or of any line in it) does not make a quote", () => {
    expect(escapeMrkdwn("> quoted")).toBe("\u200b&gt; quoted");
    expect(escapeMrkdwn("ok\n>> also")).toBe("ok\n\u200b&gt;&gt; also");
    expect(inline("  > after trimming")).toBe("\u200b&gt; after trimming");
    expect(escapeMrkdwn("a > b")).toBe("a &gt; b");
  });

  it("emoji shortcodes are shown as text; other colons are kept", () => {
    expect(escapeMrkdwn(":white_check_mark: safe")).toBe("\u2236white_check_mark: safe");
    expect(escapeMrkdwn(":a::b::+1::thumbsup:")).not.toMatch(/:[\w+'-]+:/);
    expect(escapeMrkdwn("12:30:45")).not.toMatch(/:[\w+'-]+:/);
    expect(escapeMrkdwn("Known malware: evil https://x.example/a:b")).toBe("Known malware: evil https://x.example/a:b");
  });

  it("URLs with bidi, C1, zero-width or separator characters are shown as text, not linked", () => {
    for (const c of [...C1, ...BIDI, ...ZERO_WIDTH, "\u2028", "\u2029", "\u3164"]) {
      const url = `https://socket.dev/npm/package/evil${c}moc.elgoog`;
      expect(isSafeUrl(url), JSON.stringify(c)).toBe(false);
      expect(link(url, "see it")).toBe("see it");
    }
    expect(link("https://socket.dev/npm/package/x", "see it")).toBe("<https://socket.dev/npm/package/x|see it>");
  });

  it("code blocks (reachability traces) keep newlines but lose CR, U+2028/U+2029 and C1", () => {
    const block = codeBlock(`a.js:1\r\nb.js:2\rc.js:3\u2028d.js:4\u2029e.js:5\u009b31mred`, 500);
    expect(block).toBe("```\na.js:1\nb.js:2c.js:3d.js:4e.js:531mred\n```");
  });
});
