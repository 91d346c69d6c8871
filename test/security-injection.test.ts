/**
 * Mention and link injection (issue 9), checked on what Slack would receive. Alert text comes
 * from package registries (anyone can publish) and repo/branch names from pull requests: every
 * field of a report, and --repo/--branch, carries hostile text; the report goes through the CLI
 * (`main()` in-process) in webhook mode and in bot mode to the Slack emulator, and every text
 * field that arrived (blocks and the fallback `text`) is checked: no `<!…>`, `<@…>`, `<#…>`, no
 * link but the report's own http(s) URLs, no control or bidi characters, formatting balanced,
 * Slack's limits respected, and the hostile text still there as visible, inert text.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@socket-notify/cli";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type EmulatorRecord, type SlackEmulator, startEmulator, validateMessage } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LONG = `${"A".repeat(4990)}<!channel>${"B".repeat(5000)}`; // 10,000 characters, mention in the middle
const HOSTILE = [
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "@everyone please look",
  "@channel @here",
  "<@U123>",
  "<#C123|x>",
  "<https://evil.example|socket.dev>",
  "&lt;!here&gt; &amp; &lt;",
  "*bold _under ~strike `tick",
  "a_b_ *x* _y_ ~z~ `w`",
  "\u202Eevil.exe\u202C \u2066iso\u2069 \u200Fmark",
  "nul\u0000byte\u0007bell\u001bESC",
  "<!subteam^S0123|team> <!date^1392734382^{date}|x>",
  "line one\n<!here>\r\nline two",
  "c1\u009b31mcsi\u0085nel\u0080\u009fend",
  "sep\u2028line\u2029para\rcr",
  "> quoted text\n>> nested",
  ":white_check_mark: no issues :rotating_light::+1:",
  LONG,
];

/** URLs the report's `url` fields give, and whether they may become a link. */
const URLS: [string, boolean][] = [
  ["https://socket.dev/npm/package/left-pad/overview/1.3.0", true],
  ["http://socket.dev/npm/package/plain-http", true],
  ["https://socket.dev/npm/package/a?x=1&y=2", true],
  ["javascript:alert(1)", false],
  ["data:text/html,<script>alert(1)</script>", false],
  ["https://socket.dev/npm/package/x|<!channel>", false],
  ["https://socket.dev/npm/package/<!here>", false],
  ["https://socket.dev/a>b", false],
  ["https://socket.dev/npm/package/with space", false],
  ["vbscript:msgbox", false],
  ["//evil.example/no-scheme", false],
  ["https://evil.example|https://socket.dev", false],
  ["https://socket.dev/npm/package/\u202eexe.live", false],
  ["https://socket.dev/npm/package/c1\u009bx", false],
  ["https://socket.dev/npm/package/zw\u200bsp", false],
  ["https://socket.dev/npm/package/ls\u2028x", false],
  ["https://socket.dev/npm/package/bom\ufeffx", false],
];
const DIFF_URL = "https://socket.dev/dashboard/org/acme/diff/1";
const REPORT_URL = "javascript:alert(document.cookie)";

function issue(h: string, i: number) {
  const [url] = URLS[i % URLS.length]!;
  return {
    pkg_type: i % 3 === 0 ? h : "npm",
    pkg_name: `${h}-${i}`,
    pkg_version: i % 2 ? h : "1.0.0",
    type: i % 4 === 0 ? h : "malware",
    severity: ["critical", "high", "middle", "low"][i % 4],
    title: h,
    description: `${h} ${h}`,
    suggestion: h,
    props: { ghsaId: h, cveId: h },
    purl: `${h}/${h}-${i}@1.0.0`,
    url,
    introduced_by: [
      [h, h],
      ["direct", `${h}/package.json`],
    ],
    manifests: `${h};package.json`,
    error: i % 2 === 0,
    warn: i % 2 === 1,
  };
}

function report(): string {
  const alerts = HOSTILE.map(issue);
  // Every URL case once more, with a plain title, so each is the alert's only link candidate.
  URLS.forEach(([url], i) =>
    alerts.push({
      ...issue("plain", 100 + i),
      pkg_type: "npm",
      type: "malware",
      url,
      title: `url case ${i}`,
      pkg_name: `urlcase${i}`,
    }),
  );
  return JSON.stringify({
    scan_failed: true,
    full_scan_id: "<!here>",
    repo: "<!channel>/<@U123> \u202E",
    branch: "<https://evil.example|main> @everyone *x",
    commit_sha: "<!everyone>deadbeef",
    pr_number: "<!here>",
    diff_url: DIFF_URL,
    report_url: REPORT_URL,
    new_alerts: alerts,
  });
}

const ALLOWED_LINKS = new Set([...URLS.filter(([, ok]) => ok).map(([u]) => u), DIFF_URL]);

let dir: string;
let emu: SlackEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sec-inject-"));
  await writeFile(join(dir, "report.json"), report());
  await writeFile(join(dir, "package.json"), '{"name": "fixture"}');
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
});
afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

const BOT_TOKEN = "xoxb-emulator-bot-token";

async function run(mode: "webhook" | "bot", extra: string[] = []) {
  emu.reset();
  const config =
    mode === "webhook"
      ? { url: [{ url: { env: "HOOK_URL" }, name: "sec" }], url_configs: { sec: { max_messages: 30 } } }
      : {
          mode: "bot",
          bot_token: { env: "BOT_TOKEN" },
          slack_api_url: emu.apiUrl,
          bot_configs: [{ name: "sec", channels: ["security-alerts"], max_messages: 30 }],
        };
  let stdout = "";
  let stderr = "";
  const code = await main(["send", "report.json", ...extra], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { SOCKET_SLACK_CONFIG_JSON: JSON.stringify(config), HOOK_URL: emu.webhookUrl("security"), BOT_TOKEN },
    cwd: dir,
  });
  expectNoSecrets({ stdout, stderr }, [emu.webhookUrl("security"), BOT_TOKEN, "emulatorhooksecret0001"]);
  return { code, stdout, stderr, messages: emu.messages({ channel: "security-alerts" }), records: emu.records() };
}

/** Every text Slack renders: block texts (mrkdwn and plain_text, any nesting) and the fallback. */
function textsOf(payload: Record<string, unknown>): { where: string; text: string; mrkdwn: boolean }[] {
  const out: { where: string; text: string; mrkdwn: boolean }[] = [];
  if (typeof payload.text === "string") out.push({ where: "text", text: payload.text, mrkdwn: true });
  const visit = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${where}[${i}]`));
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if ((o.type === "mrkdwn" || o.type === "plain_text") && typeof o.text === "string") {
        out.push({ where, text: o.text, mrkdwn: o.type === "mrkdwn" });
        if (o.type === "mrkdwn")
          expect(o.verbatim, `${where}: mrkdwn without verbatim: true lets Slack parse plain @here/#chan`).toBe(true);
      }
      for (const [k, x] of Object.entries(o)) if (k !== "text" || typeof x !== "string") visit(x, `${where}.${k}`);
    }
  };
  visit(payload.blocks, "blocks");
  return out;
}

// C0 but newline (CR included), DEL, C1, separators, bidi.
const CONTROL_OR_BIDI = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Links in mrkdwn: the only `<…>` sequences left after escaping are ours. */
function linksIn(text: string): string[] {
  return [...text.matchAll(/<([^<>|]*)\|[^<>]*>/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
}

function checkMessage(payload: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const v = validateMessage(payload);
  if (!v.ok) problems.push(`Slack would refuse it: ${JSON.stringify(v)}`);
  const blocks = payload.blocks as { type: string; text?: { text: string } }[];
  if (blocks.length > 50) problems.push(`${blocks.length} blocks`);
  let total = 0;
  for (const b of blocks) {
    const t = b.text?.text ?? "";
    total += t.length;
    if (b.type === "header" && t.length > 150) problems.push(`header of ${t.length} chars`);
    if (b.type === "section" && t.length > 3000) problems.push(`section of ${t.length} chars`);
  }
  if (total > 12000) problems.push(`${total} chars of block text`);
  for (const { where, text, mrkdwn } of textsOf(payload)) {
    for (const seq of ["<!", "<@", "<#", "<mailto", "<javascript", "<data:"])
      if (text.includes(seq)) problems.push(`${where}: contains ${seq}`);
    if (CONTROL_OR_BIDI.test(text))
      problems.push(
        `${where}: control or bidi character U+${text.match(CONTROL_OR_BIDI)![0].charCodeAt(0).toString(16)}`,
      );
    // After removing our links, no `<` or `>` may be left: everything else was escaped.
    const rest = text.replace(/<([^<>|]*)\|[^<>]*>/g, "");
    if (/[<>]/.test(rest))
      problems.push(
        `${where}: unescaped < or > in ${JSON.stringify(rest.slice(Math.max(0, rest.search(/[<>]/) - 30), rest.search(/[<>]/) + 30))}`,
      );
    for (const l of linksIn(text)) if (!ALLOWED_LINKS.has(l)) problems.push(`${where}: link to ${l}`);
    if (where === "text" && linksIn(text).length) problems.push("fallback text has a link");
    // socket-notify's own text uses emoji characters, never shortcodes: any shortcode is untrusted.
    const code = /:[\w+'-]+:/.exec(text.replace(/<[^<>|]*\|/g, "").replace(/https?:\/\/\S+/g, ""));
    if (code) problems.push(`${where}: emoji shortcode ${code[0]}`);
    if (mrkdwn && /(^|\n)(&gt;|>)/.test(text)) problems.push(`${where}: a line starts with > (a quote)`);
    if (mrkdwn) {
      // Our own styling is balanced; untrusted * ~ ` can't open or close any (code fences aside).
      const noFences = text.replace(/```[\s\S]*?```/g, "");
      for (const line of noFences.split("\n")) {
        if ((line.match(/\*/g)?.length ?? 0) % 2)
          problems.push(`${where}: odd number of * in ${JSON.stringify(line.slice(0, 80))}`);
        if ((line.match(/`/g)?.length ?? 0) % 2)
          problems.push(`${where}: odd number of \` in ${JSON.stringify(line.slice(0, 80))}`);
        if (line.includes("~")) problems.push(`${where}: ~ in ${JSON.stringify(line.slice(0, 80))}`);
      }
    }
  }
  return problems;
}

describe("the checker", () => {
  it("finds what it looks for (so a pass means something)", () => {
    const msg = (text: string, fallback = "ok") => ({
      text: fallback,
      blocks: [{ type: "section", text: { type: "mrkdwn", text, verbatim: true } }],
    });
    expect(checkMessage(msg("hi <!here>")).join()).toContain("contains <!");
    expect(checkMessage(msg("x", "<@U1> hi")).join()).toContain("contains <@");
    expect(checkMessage(msg("<https://evil.example|socket.dev>")).join()).toContain("link to https://evil.example");
    expect(checkMessage(msg("a \u202e b")).join()).toContain("bidi");
    expect(checkMessage(msg("*bold")).join()).toContain("odd number of *");
    expect(checkMessage(msg("x".repeat(3001))).join()).toContain("section of 3001 chars");
    expect(checkMessage(msg("a \u009b b")).join()).toContain("control");
    expect(checkMessage(msg("a\u2028b")).join()).toContain("control");
    expect(checkMessage(msg("&gt; quote")).join()).toContain("a quote");
    expect(checkMessage(msg("hi :tada:")).join()).toContain("shortcode :tada:");
    expect(checkMessage(msg(`<${DIFF_URL}|scan>`))).toEqual([]);
  });
});

describe.each(["webhook", "bot"] as const)("hostile report through %s mode", (mode) => {
  let result: Awaited<ReturnType<typeof run>>;
  let allText: string;
  beforeAll(async () => {
    result = await run(mode);
    allText = result.messages
      .map((m) =>
        textsOf(m.payload)
          .map((t) => t.text)
          .join("\n"),
      )
      .join("\n");
  });

  it("is delivered: exit 0, every request accepted, all alerts shown", () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages.length).toBeGreaterThanOrEqual(1);
    expect(result.records.filter((r: EmulatorRecord) => !r.ok)).toEqual([]);
    expect(allText).not.toContain("not shown");
    for (let i = 0; i < URLS.length; i++) expect(allText).toContain(`url case ${i}`);
  });

  it("every message that arrived is inert and within Slack's limits", () => {
    const problems = result.messages.flatMap((m, i) => checkMessage(m.payload).map((p) => `message ${i + 1}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("the hostile text is still there, as text", () => {
    for (const s of [
      "&lt;!channel&gt;",
      "&lt;!here&gt;",
      "&lt;!everyone&gt;",
      "&lt;@U123&gt;",
      "&lt;#C123|x&gt;",
      "&lt;https://evil.example|socket.dev&gt;",
      "@everyone please look",
    ]) {
      expect(allText).toContain(s);
    }
    // A literal "&lt;" in the input must display as "&lt;", not as "<".
    expect(allText).toContain("&amp;lt;!here&amp;gt;");
    expect(allText).toContain("evil.exe"); // the bidi override is gone, the text stays
    expect(allText).toContain("nulbytebellESC");
    // 10,000 characters are cut, with a mark.
    expect(allText).toMatch(/A{100,}…/);
    expect(allText).not.toContain("B".repeat(200));
  });

  it("links only the report's own http(s) URLs; others are shown as text", () => {
    const linked = new Set(result.messages.flatMap((m) => textsOf(m.payload).flatMap((t) => linksIn(t.text))));
    for (const [url, ok] of URLS) expect(linked.has(url), url).toBe(ok);
    expect(linked.has(DIFF_URL)).toBe(true);
    // The report URL is javascript: and never becomes a link.
    expect([...linked].some((l) => l.startsWith("javascript"))).toBe(false);
    // The alert with a javascript: url still names its package, unlinked.
    const idx = URLS.findIndex(([u]) => u === "javascript:alert(1)");
    const section = allText.split("\n\n").find((s) => s.includes(`url case ${idx}*`)) ?? allText;
    expect(section).toContain(`urlcase${idx}`);
  });
});

describe.each(["webhook", "bot"] as const)("hostile --repo and --branch through %s mode", (mode) => {
  it("arrive escaped in the context and the fallback", async () => {
    const r = await run(mode, [
      "--repo",
      "<!channel>/<@U999>",
      "--branch",
      "<https://evil.example|release> \u202E@here*",
      "--pr",
      "12",
      "--sha",
      "<#C1|x>",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const problems = r.messages.flatMap((m, i) => checkMessage(m.payload).map((p) => `message ${i + 1}: ${p}`));
    expect(problems).toEqual([]);
    const first = r.messages[0]!.payload;
    expect(first.text).toContain("&lt;!channel&gt;/&lt;@U999&gt;");
    expect(first.text).toContain("&lt;https://evil.example|release&gt;");
    const context = textsOf(first)
      .map((t) => t.text)
      .join("\n");
    expect(context).toContain("*Repository:* &lt;!channel&gt;/&lt;@U999&gt;");
    expect(context).toContain("*PR:* #12");
  });

  it("a PR that is not a number is refused before anything is sent", async () => {
    const r = await run(mode, ["--pr", "<!everyone>"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--pr: expected a pull request number");
    expect(r.records).toEqual([]);
  });
});
