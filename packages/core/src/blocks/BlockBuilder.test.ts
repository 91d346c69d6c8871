import { describe, expect, it } from "vitest";
import { type Alert, type ScanContext } from "../model.js";
import { SEVERITIES, type Severity } from "../severity.js";
import { BlockBuilder, type BuildResult, countBySeverity } from "./BlockBuilder.js";
import { codeBlock, escapeMrkdwn, inline, isSafeUrl, link, truncate } from "./mrkdwn.js";
import { compareRisk, sortByRisk } from "./risk.js";
import { type Block, messageText, SLACK_LIMITS } from "./types.js";

const SCAN: ScanContext = {
  repo: "acme/web",
  branch: "feature/x",
  pr: "12",
  commitSha: "0123456789abcdef",
  diffUrl: "https://socket.dev/dashboard/org/acme/diff/a/b",
  reportUrl: "https://socket.dev/dashboard/org/acme/sbom/b",
};

const TYPES = ["envVars", "usesEval", "networkAccess", "criticalCVE", "malware", "didYouMean", "copyleftLicense"];

/** n alerts, deterministic, varied: severities, actions, types, several introduced-by sources. */
function alerts(n: number, over: (i: number) => Partial<Alert> = () => ({})): Alert[] {
  return Array.from({ length: n }, (_, i) => {
    const type = TYPES[i % TYPES.length]!;
    const name = `pkg-${i}`;
    const a: Alert = {
      id: `npm/${name}@1.${i}.0#${type}`,
      ecosystem: "npm",
      name,
      version: `1.${i}.0`,
      type,
      severity: SEVERITIES[(i * 7) % 4]!,
      action: i % 3 === 0 ? "block" : "warn",
      title: `${type} in ${name}`,
      description: i % 2 ? `This package does something questionable number ${i}.` : "",
      url: `https://socket.dev/npm/package/${name}/overview/1.${i}.0`,
      purl: `pkg:npm/${name}@1.${i}.0`,
      introducedBy: Array.from({ length: (i % 4) + 1 }, (_, j) => ({
        source: j === 0 ? "direct" : `npm/parent-${j}@2.0.0`,
        manifest: `packages/app-${j}/package.json`,
      })),
      manifests: ["package.json"],
      origin: i % 5 === 0 ? "unchanged" : "new",
      ...(type === "criticalCVE"
        ? { ghsaId: `GHSA-xxxx-yyyy-${String(i).padStart(4, "0")}`, cveId: `CVE-2024-${i}` }
        : {}),
      ...over(i),
    };
    return a;
  });
}

function textsOf(blocks: Block[]): string[] {
  return blocks.flatMap((b) =>
    b.type === "header" || b.type === "section"
      ? [b.text.text]
      : b.type === "context"
        ? b.elements.map((e) => e.text)
        : [],
  );
}

/** Slack's limits and our own promises, for every message of a build. */
function checkLimits(r: BuildResult, input: Alert[], maxMessages: number): void {
  expect(r.messages.length).toBeLessThanOrEqual(maxMessages);
  for (const m of r.messages) {
    const { blocks, text } = m.payload;
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
    expect(messageText(blocks)).toBeLessThanOrEqual(SLACK_LIMITS.maxMessageChars);
    for (const b of blocks) {
      if (b.type === "header") {
        expect(b.text.type).toBe("plain_text");
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxHeaderChars);
      }
      if (b.type === "section") {
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxSectionChars);
        expect(b.text.text.length).toBeGreaterThan(0);
        expect(b.text.verbatim).toBe(true);
      }
    }
    expect(blocks[0]!.type).toBe("header");
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxFallbackChars);
    expect(m.payload.unfurl_links).toBe(false);
    expect(m.payload.unfurl_media).toBe(false);
    if (r.messages.length > 1) expect(text).toContain(`part ${m.index} of ${m.count}`);
    for (const t of textsOf(blocks)) {
      expectWellFormedLinks(t);
      // Bold is balanced (B13): untrusted asterisks are swapped out, ours come in pairs.
      expect((t.match(/\*/g) ?? []).length % 2, t.slice(0, 200)).toBe(0);
    }
  }
  // Nothing silently dropped: every alert shown once or counted.
  const shown = r.messages.flatMap((m) => m.alerts);
  expect(new Set(shown.map((a) => a.id)).size).toBe(shown.length);
  expect(shown.length).toBe(r.shown);
  expect(r.shown + r.omitted).toBe(input.length);
  const omittedIds = new Set(input.map((a) => a.id));
  for (const a of shown) omittedIds.delete(a.id);
  expect(countBySeverity(input.filter((a) => omittedIds.has(a.id)))).toEqual(r.omittedBySeverity);
  // Each shown alert has exactly one section (after the fixed header/context/divider).
  for (const m of r.messages) {
    const sections = m.payload.blocks.filter((b) => b.type === "section");
    const summary = m.index === m.count && r.omitted > 0 ? 1 : 0;
    expect(sections.length).toBe(m.alerts.length + 1 /* context */ + summary);
  }
  if (r.omitted > 0) {
    const last = r.messages[r.messages.length - 1]!;
    const summary = last.payload.blocks[last.payload.blocks.length - 1]!;
    expect(summary.type).toBe("section");
    const text = (summary as { text: { text: string } }).text.text;
    expect(text).toContain(`${r.omitted} more alert${r.omitted === 1 ? "" : "s"} not shown`);
    for (const s of SEVERITIES) if (r.omittedBySeverity[s]) expect(text).toContain(`${r.omittedBySeverity[s]} ${s}`);
    expect(last.payload.text).toContain(`${r.omitted} not shown`);
  }
}

/** Every `<` in our mrkdwn opens a well-formed link to a safe URL; every `>` closes one. */
function expectWellFormedLinks(text: string): void {
  const stripped = text.replace(/<(https?:\/\/[^|<>\s]+)\|([^<>]*)>/g, (_m, url: string) => {
    expect(isSafeUrl(url.replace(/&amp;/g, "&"))).toBe(true);
    return "";
  });
  expect(stripped).not.toMatch(/[<>]/);
}

const builder = new BlockBuilder();

describe("BlockBuilder: limits hold and nothing is dropped", () => {
  for (const n of [0, 1, 24, 25, 500, 10_000]) {
    it(`${n} alerts, default max_messages`, () => {
      const input = alerts(n);
      const r = builder.build(input, SCAN);
      if (n === 0) {
        expect(r).toEqual({
          messages: [],
          shown: 0,
          omitted: 0,
          omittedBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
        });
        return;
      }
      checkLimits(r, input, 5);
      if (n === 1) expect(r.messages).toHaveLength(1);
      if (n >= 500) expect(r.omitted).toBeGreaterThan(0);
    });

    if (n >= 24) {
      it(`${n} alerts, max_messages 100: paginates into continuation messages`, () => {
        const input = alerts(n);
        const r = builder.build(input, SCAN, { maxMessages: 100 });
        checkLimits(r, input, 100);
        if (n <= 500) expect(r.omitted).toBe(0);
        expect(r.messages.map((m) => m.index)).toEqual(r.messages.map((_, i) => i + 1));
      });
    }
  }

  it("worst-case content: huge titles, descriptions, names, URLs, many sources", () => {
    const long = (c: string, n: number) => c.repeat(n);
    const input = alerts(120, (i) => ({
      title: long("T", 5000),
      description: long("<d>", 4000),
      name: long("n", 300) + i,
      namespace: long("@ns", 100),
      version: long("9", 200),
      url: `https://socket.dev/${long("p", 2900)}/${i}`,
      introducedBy: Array.from({ length: 60 }, (_, j) => ({
        source: `npm/${long("s", 400)}@${j}`,
        manifest: long("m", 400),
      })),
      manifests: Array.from({ length: 20 }, () => long("f", 300)),
      ghsaId: long("G", 500),
      cveId: long("C", 500),
      reachability: { state: "reachable", rawState: "reachable", trace: long("frame -> ", 2000) },
    }));
    const scan: ScanContext = {
      repo: long("r", 5000),
      branch: long("b", 5000),
      pr: long("9", 5000),
      commitSha: long("a", 5000),
      diffUrl: `https://socket.dev/${long("d", 2950)}`,
      reportUrl: `https://socket.dev/${long("e", 2950)}`,
    };
    for (const maxMessages of [1, 5, 50]) checkLimits(builder.build(input, scan, { maxMessages }), input, maxMessages);
  });

  it("max_messages 1: one message, and a summary that counts the rest by severity with the report link", () => {
    const input = alerts(200);
    const r = builder.build(input, SCAN, { maxMessages: 1 });
    checkLimits(r, input, 1);
    expect(r.messages).toHaveLength(1);
    const blocks = r.messages[0]!.payload.blocks;
    const summary = (blocks[blocks.length - 1] as { text: { text: string } }).text.text;
    expect(summary).toContain(`<${SCAN.reportUrl}|see all of them in the Socket report>`);
    expect(summary).toMatch(/^➕ \*\d+ more alerts not shown\* \(/);
  });

  it("tighter limits declared by a notifier are respected", () => {
    const input = alerts(300);
    const limits = {
      maxBlocks: 10,
      maxSectionChars: 500,
      maxMessageChars: 3000,
      maxFallbackChars: 300,
      maxHeaderChars: 80,
    };
    const r = builder.build(input, SCAN, { limits, maxMessages: 20 });
    for (const m of r.messages) {
      expect(m.payload.blocks.length).toBeLessThanOrEqual(10);
      expect(messageText(m.payload.blocks)).toBeLessThanOrEqual(3000);
      expect(m.payload.text.length).toBeLessThanOrEqual(300);
      for (const t of textsOf(m.payload.blocks)) expect(t.length).toBeLessThanOrEqual(500);
    }
    expect(r.shown + r.omitted).toBe(300);
  });
});

describe("BlockBuilder: content", () => {
  it("header, context and fallback say what happened and where; no PR 0, no <|scan> (B13, B14)", () => {
    const input = alerts(3);
    const m = builder.build(input, SCAN).messages[0]!;
    const [header, context, divider] = m.payload.blocks;
    expect(header).toEqual({
      type: "header",
      text: { type: "plain_text", text: "🚨 Socket Security: 3 alerts (1 block, 2 warn)", emoji: true },
    });
    expect((context as { text: { text: string } }).text.text).toBe(
      "*Repository:* acme/web  ·  *Branch:* feature/x  ·  *PR:* #12  ·  *Commit:* 01234567\n" +
        `<${SCAN.diffUrl}|View the scan on Socket>  ·  <${SCAN.reportUrl}|Full report>`,
    );
    expect(divider).toEqual({ type: "divider" });
    expect(m.payload.text).toMatch(/^Socket Security: 3 alerts in acme\/web \(feature\/x\): 1 block, 2 warn — /);

    const bare = builder.build(input, {}).messages[0]!;
    expect(bare.payload.blocks[1]).toEqual({ type: "divider" }); // no context section at all
    expect(JSON.stringify(bare.payload)).not.toMatch(/PR|<\||scan>/);
  });

  it("an alert section: severity, level, title, linked package, ids, sources as a list, origin", () => {
    const [a] = alerts(1, () => ({
      type: "criticalCVE",
      severity: "critical",
      action: "block",
      title: "Critical CVE",
      ghsaId: "GHSA-67hx-6x53-jw92",
      cveId: "CVE-2023-45133",
      namespace: "@babel",
      name: "traverse",
      version: "7.22.5",
      url: "https://socket.dev/npm/package/@babel/traverse/overview/7.22.5",
      introducedBy: [
        { source: "npm/a@1.0.0", manifest: "package.json" },
        { source: "npm/b@2.0.0", manifest: "package.json" },
      ],
      origin: "new",
      description: "",
    }));
    const text = builder.renderAlert(a!, 3000);
    expect(text).toBe(
      [
        "🔴 *Critical · Block* — *Critical CVE* `criticalCVE`",
        "<https://socket.dev/npm/package/@babel/traverse/overview/7.22.5|npm/@babel/traverse@7.22.5>",
        "CVE-2023-45133 · GHSA-67hx-6x53-jw92",
        "*Introduced by:*",
        "• npm/a@1.0.0 (package.json)",
        "• npm/b@2.0.0 (package.json)",
      ].join("\n"),
    );
  });

  it("orders by risk: block before warn, then severity, malware and typosquats first", () => {
    const mk = (name: string, action: Alert["action"], severity: Severity, type = "envVars") =>
      alerts(1, () => ({ id: name, name, action, severity, type }))[0]!;
    const input = [
      mk("warn-critical", "warn", "critical"),
      mk("block-low", "block", "low"),
      mk("block-critical", "block", "critical"),
      mk("block-critical-malware", "block", "critical", "malware"),
      mk("block-critical-typo", "block", "critical", "didYouMean"),
      mk("block-high", "block", "high"),
      mk("warn-high-malware", "warn", "high", "malware"),
    ];
    expect(sortByRisk(input).map((a) => a.name)).toEqual([
      "block-critical-malware",
      "block-critical-typo",
      "block-critical",
      "block-high",
      "block-low",
      "warn-critical",
      "warn-high-malware",
    ]);
    const shown = builder.build(input, SCAN).messages[0]!.alerts.map((a) => a.name);
    expect(shown).toEqual(sortByRisk(input).map((a) => a.name));
    expect(compareRisk(input[0]!, input[0]!)).toBe(0);
  });

  it("sortByRisk gives exactly compareRisk's order (it ranks each alert once instead of per comparison)", () => {
    // Deterministic pseudo-random mix of every criterion, with ties on all but the id.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const input = alerts(
      3000,
      (i) =>
        ({
          action: (["block", "warn", "monitor", "ignore"] as const)[next(4)]!,
          severity: SEVERITIES[next(4)]!,
          type: TYPES[next(TYPES.length)]!,
          ecosystem: ["npm", "pypi", "maven"][next(3)]!,
          id: `id-${next(500)}-${i}`,
          ...(next(3) === 0
            ? { reachability: { state: (["reachable", "unreachable", "unknown"] as const)[next(3)]! } }
            : {}),
        }) as Partial<Alert>,
    ) as Alert[];
    expect(sortByRisk(input).map((a) => a.id)).toEqual([...input].sort(compareRisk).map((a) => a.id));
    expect(sortByRisk([])).toEqual([]);
  });

  it("what does not fit is the lowest risk", () => {
    const input = alerts(400);
    const r = builder.build(input, SCAN, { maxMessages: 1 });
    const sorted = sortByRisk(input);
    expect(r.messages[0]!.alerts).toEqual(sorted.slice(0, r.shown));
  });
});

describe("mrkdwn escaping: untrusted text is inert (B12)", () => {
  it.each([
    ["<!channel>", "&lt;!channel&gt;"],
    ["<!here>", "&lt;!here&gt;"],
    ["<@U123>", "&lt;@U123&gt;"],
    ["<#C123|general>", "&lt;#C123|general&gt;"],
    ["<https://evil.example|click me>", "&lt;https://evil.example|click me&gt;"],
    ["Tom & Jerry", "Tom &amp; Jerry"],
    ["&lt;", "&amp;lt;"],
    ["*bold* _it_ ~st~ `code`", "∗bold∗ ＿it＿ ∼st∼ ˋcodeˋ"],
    ["direct_package_3", "direct_package_3"],
    // `_` between letters or digits of any script stays; at any other edge it is swapped.
    ["é_x x_ü 日本_語 ١_٢", "é_x x_ü 日本_語 ١_٢"],
    ["_a a_ a_! (_) __init__ a__b", "＿a a＿ a＿! (＿) ＿＿init＿＿ a＿＿b"],
    ["😀_a a_😀 𝐀_𝐁", "😀＿a a＿😀 𝐀_𝐁"],
    ["_", "＿"],
    ["abc\u202Eevil\u202C", "abcevil"],
    ["a\u0000b\u0007c", "abc"],
    ["\u2066iso\u2069", "iso"],
  ])("%j → %j", (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it("hostile alert content renders inert in the whole payload", () => {
    const evil = "<!channel> <!here> <@U123> <https://evil.example|free> & *x* \u202Eabc\u0000";
    const input = alerts(3, () => ({
      title: evil,
      name: evil,
      description: evil,
      introducedBy: [{ source: evil, manifest: evil }],
      manifests: [evil],
      ghsaId: evil,
    }));
    const r = builder.build(input, { repo: evil, branch: evil, pr: evil, commitSha: evil });
    for (const m of r.messages) {
      for (const t of [...textsOf(m.payload.blocks), m.payload.text]) {
        expect(t).not.toMatch(/<!|<@|<https:\/\/evil/);
        expect(t).not.toMatch(/[\u0000\u202E]/);
      }
      for (const t of textsOf(m.payload.blocks)) expectWellFormedLinks(t);
    }
  });

  it("links only for http(s) URLs without | < > or spaces", () => {
    expect(link("https://socket.dev/x", "pkg")).toBe("<https://socket.dev/x|pkg>");
    expect(link("http://localhost:8080/x?a=1&b=2", "pkg")).toBe("<http://localhost:8080/x?a=1&amp;b=2|pkg>");
    for (const bad of [
      "javascript:alert(1)",
      "ftp://x/y",
      "https://x/y|evil",
      "https://x/<y>",
      "https://x/ y",
      "//x/y",
      "",
      undefined,
      `https://x/${"a".repeat(3000)}`,
      "https://x/\u0000",
    ]) {
      expect(link(bad, "a<b>")).toBe("a&lt;b&gt;");
    }
  });

  it("an alert with an unsafe URL shows its package unlinked", () => {
    const [a] = alerts(1, () => ({ url: "javascript:alert(1)" }));
    const text = builder.renderAlert(a!, 3000);
    expect(text).not.toContain("javascript:");
    expect(text.split("\n")[1]).toBe("npm/pkg-0@1.0.0");
  });

  it("inline, truncate and codeBlock keep their promises", () => {
    expect(inline("a\n\nb   c", 200)).toBe("a b c");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("ab😀cd", 4)).toBe("ab…"); // never half a surrogate pair
    expect(codeBlock("x ``` <!channel> & y", 100)).toBe("```\nx ˋˋˋ &lt;!channel&gt; &amp; y\n```");
  });
});
