/**
 * What a triager sees in a message (issue 15 §4): Socket's suggestion and next step, the alert
 * type key, linked repository / PR / commit / CI run, one entry per package, and mentions.
 */
import { describe, expect, it } from "vitest";
import { parseScan } from "../input/parse.js";
import { type Alert, type ScanContext } from "../model.js";
import { type Severity } from "../severity.js";
import { BlockBuilder, type BuildResult, countBySeverity } from "./BlockBuilder.js";
import { forgeFromRepoUrl, forgeLinks } from "./forge.js";
import { type Block, messageText, SLACK_LIMITS } from "./types.js";

const builder = new BlockBuilder();

function alert(name: string, type: string, severity: Severity = "high", over: Partial<Alert> = {}): Alert {
  return {
    id: `npm/${name}@1.0.0#${type}`,
    ecosystem: "npm",
    name,
    version: "1.0.0",
    type,
    severity,
    action: severity === "critical" ? "block" : "warn",
    title: `${type} title`,
    description: "",
    url: `https://socket.dev/npm/package/${name}/overview/1.0.0`,
    purl: `pkg:npm/${name}@1.0.0`,
    introducedBy: [{ source: "direct", manifest: "package.json" }],
    manifests: ["package.json"],
    origin: "new",
    ...over,
  };
}

const sections = (b: Block[]) =>
  b.filter((x): x is Extract<Block, { type: "section" }> => x.type === "section").map((x) => x.text.text);
const contexts = (b: Block[]) =>
  b
    .filter((x): x is Extract<Block, { type: "context" }> => x.type === "context")
    .map((x) => x.elements.map((e) => e.text).join(" "));

function everyAlertShownOrCounted(r: BuildResult, input: Alert[]): void {
  const shown = r.messages.flatMap((m) => m.alerts);
  expect(new Set(shown.map((a) => a.id)).size).toBe(shown.length);
  expect(shown.length + r.omitted).toBe(input.length);
  const ids = new Set(shown.map((a) => a.id));
  expect(r.omittedBySeverity).toEqual(countBySeverity(input.filter((a) => !ids.has(a.id))));
  for (const m of r.messages) {
    expect(m.payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
    expect(messageText(m.payload.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.maxMessageChars);
    for (const t of [...sections(m.payload.blocks), ...contexts(m.payload.blocks)])
      expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.maxSectionChars);
    // Every shown alert's package and title appear in its message.
    const text = JSON.stringify(m.payload.blocks);
    for (const a of m.alerts) expect(text).toContain(a.name);
  }
}

describe("suggestion, next step and type key", () => {
  it("shows Socket's suggestion and next step, escaped and cut, and the type key in small text", () => {
    const a = alert("evil", "obfuscatedFile", "critical", {
      suggestion: `Remove it <!channel> *now* ${"x".repeat(600)}`,
      nextStep: "What is obfuscated code?",
    });
    const blocks = builder.build([a], {}).messages[0]!.payload.blocks;
    const [section] = sections(blocks);
    expect(section).toContain("*Suggestion:* Remove it &lt;!channel&gt; ∗now∗ xxx");
    expect(section).toContain("*Next step:* What is obfuscated code?");
    const suggestion = section!.split("\n").find((l) => l.startsWith("*Suggestion:*"))!;
    expect(suggestion.length).toBeLessThanOrEqual("*Suggestion:* ".length + 300 + 12); // cut at 300, then escaped
    expect(suggestion.endsWith("…")).toBe(true);
    // The filterable key is on the alert's own line, and in the page's context block (Slack's small text).
    expect(section!.split("\n")[0]).toMatch(/— \*obfuscatedFile title\* `obfuscatedFile`$/);
    expect(blocks[blocks.length - 1]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "Alert types (for alert_types / exclude_alert_types): `obfuscatedFile`",
          verbatim: true,
        },
      ],
    });
  });

  it("no suggestion lines when the report has none (offline Socket CLI runs leave them empty)", () => {
    const text = sections(builder.build([alert("a", "envVars")], {}).messages[0]!.payload.blocks).join("\n");
    expect(text).not.toMatch(/Suggestion|Next step/);
  });

  it("a hostile type key is escaped", () => {
    const c = contexts(builder.build([alert("a", "x`<!here>*")], {}).messages[0]!.payload.blocks)[0]!;
    expect(c).toBe("Alert types (for alert_types / exclude_alert_types): `xˋ&lt;!here&gt;∗`");
  });
});

describe("one package, one entry", () => {
  it("a package with several alerts reads as one entry: package once, its alerts beneath, all type keys", () => {
    const input = [
      alert("lodash", "criticalCVE", "critical", { cveId: "CVE-2021-23337", title: "Critical CVE" }),
      alert("other", "envVars", "low"),
      alert("lodash", "usesEval", "medium", { title: "Uses eval" }),
      alert("lodash", "networkAccess", "medium", {
        title: "Network access",
        introducedBy: [{ source: "npm/app@1.0.0", manifest: "package.json" }],
      }),
    ];
    const r = builder.build(input, {});
    const blocks = r.messages[0]!.payload.blocks;
    // One block per entry; one small-text line of type keys per message.
    expect(blocks.map((b) => b.type)).toEqual(["header", "divider", "section", "section", "context"]);
    const [lodash, other] = sections(blocks);
    expect(lodash).toBe(
      [
        "📦 <https://socket.dev/npm/package/lodash/overview/1.0.0|npm/lodash@1.0.0> · 3 alerts",
        "*Introduced by:*",
        "• direct (package.json)",
        "• npm/app@1.0.0 (package.json)",
        "🔴 *Critical · Block* — *Critical CVE* `criticalCVE`",
        "CVE-2021-23337",
        "🟡 *Medium · Warn* — *Network access* `networkAccess`",
        "🟡 *Medium · Warn* — *Uses eval* `usesEval`",
      ].join("\n"),
    );
    expect((lodash!.match(/npm\/lodash@1\.0\.0/g) ?? []).length).toBe(1);
    expect(other).toContain("npm/other@1.0.0");
    expect(contexts(blocks)).toEqual([
      "Alert types (for alert_types / exclude_alert_types): `criticalCVE` · `networkAccess` · `usesEval` · `envVars`",
    ]);
    expect(r.messages[0]!.alerts.map((a) => a.type)).toEqual(["criticalCVE", "networkAccess", "usesEval", "envVars"]);
    // The header still counts alerts, not packages.
    expect(blocks[0]).toMatchObject({ text: { text: "🚨 Socket Security: 4 alerts (1 block, 3 warn)" } });
  });

  it("a message holds 47 package entries (one block each, plus header, divider and the type-key line), not 23", () => {
    const input = Array.from({ length: 100 }, (_, i) => alert(`p${i}`, i % 2 ? "envVars" : "networkAccess", "low"));
    const r = builder.build(input, {}, { maxMessages: 5 });
    expect(r.messages.map((m) => m.alerts.length)).toEqual([47, 47, 6]);
    for (const m of r.messages) {
      expect(m.payload.blocks).toHaveLength(m.alerts.length + 3);
      const [types] = contexts(m.payload.blocks);
      expect(types).toMatch(/^Alert types \(for alert_types \/ exclude_alert_types\): `\w+` · `\w+`$/);
      expect(types).toContain("`envVars`");
      expect(types).toContain("`networkAccess`");
    }
    everyAlertShownOrCounted(r, input);
  });

  it("a package with more alerts than one section holds continues in the next entry; every alert shown or counted", () => {
    const input = Array.from({ length: 400 }, (_, i) =>
      alert("huge", `type${i}`, "high", { description: "d".repeat(250), title: `Problem ${i}` }),
    );
    for (const maxMessages of [1, 3, 100]) {
      const r = builder.build(input, {}, { maxMessages });
      everyAlertShownOrCounted(r, input);
      const secs = r.messages.flatMap((m) => sections(m.payload.blocks)).filter((s) => s.startsWith("📦"));
      expect(secs.length).toBeGreaterThan(1);
      expect(secs[0]).toContain("· 400 alerts");
      expect(secs.slice(1).every((s) => s.includes("(continued)"))).toBe(true);
      if (maxMessages === 100) expect(r.omitted).toBe(0);
      else expect(r.omitted).toBeGreaterThan(0);
    }
  });

  it("many packages with several alerts each, over many pages: limits hold and nothing is dropped", () => {
    const input: Alert[] = [];
    for (let p = 0; p < 300; p++)
      for (let k = 0; k < (p % 5) + 1; k++)
        input.push(
          alert(`pkg-${p}`, `t${k}`, (["critical", "high", "medium", "low"] as const)[(p + k) % 4], {
            description: "x".repeat(p % 200),
          }),
        );
    for (const maxMessages of [1, 5, 100]) everyAlertShownOrCounted(builder.build(input, {}, { maxMessages }), input);
  });
});

describe("links to the forge and the CI run", () => {
  const base: ScanContext = {
    repo: "acme/web",
    branch: "feature/x",
    pr: "12",
    commitSha: "0123456789abcdef0123456789abcdef01234567",
  };

  it.each([
    [
      "github",
      "https://github.com",
      "https://github.com/acme/web/pull/12",
      "https://github.com/acme/web/commit/0123456789abcdef0123456789abcdef01234567",
    ],
    [
      "gitlab",
      "https://gitlab.example.com",
      "https://gitlab.example.com/acme/web/-/merge_requests/12",
      "https://gitlab.example.com/acme/web/-/commit/0123456789abcdef0123456789abcdef01234567",
    ],
    [
      "bitbucket",
      "https://bitbucket.org",
      "https://bitbucket.org/acme/web/pull-requests/12",
      "https://bitbucket.org/acme/web/commits/0123456789abcdef0123456789abcdef01234567",
    ],
  ] as const)("%s: repository, PR and commit are links, and the CI run", (kind, url, pr, commit) => {
    const scan: ScanContext = { ...base, forge: { kind, url }, runUrl: "https://ci.example/run/7?x=1&y=2" };
    const context = sections(builder.build([alert("a", "envVars")], scan).messages[0]!.payload.blocks)[0]!;
    expect(context).toContain(`*Repository:* <${url}/acme/web|acme/web>`);
    expect(context).toContain(`*PR:* <${pr}|#12>`);
    expect(context).toContain(`*Commit:* <${commit}|01234567>`);
    expect(context).toContain("<https://ci.example/run/7?x=1&amp;y=2|CI run>");
  });

  it("without a forge nothing is linked; unsafe run URLs and odd PRs/commits are not linked", () => {
    const plain = sections(
      builder.build([alert("a", "envVars")], { ...base, runUrl: "javascript:alert(1)" }).messages[0]!.payload.blocks,
    )[0]!;
    expect(plain).toBe("*Repository:* acme/web  ·  *Branch:* feature/x  ·  *PR:* #12  ·  *Commit:* 01234567");
    const links = forgeLinks({
      repo: "acme/web",
      pr: "12abc",
      commitSha: "not-hex!",
      forge: { kind: "github", url: "https://github.com" },
    });
    expect(links).toEqual({ repo: "https://github.com/acme/web" });
    // A branch or repo name from the report is percent-encoded segment by segment, never breaking the link.
    expect(
      forgeLinks({ repo: "acme/we b|x", branch: "a>b/c", forge: { kind: "github", url: "https://github.com" } }),
    ).toEqual({
      repo: "https://github.com/acme/we%20b%7Cx",
      branch: "https://github.com/acme/we%20b%7Cx/tree/a%3Eb/c",
    });
    expect(forgeLinks({ repo: "../x", forge: { kind: "github", url: "https://github.com" } })).toEqual({});
    expect(forgeLinks({ repo: "acme/web", forge: { kind: "github", url: "javascript:x" } })).toEqual({});
  });

  it("repository URLs of public forges are recognised", () => {
    expect(forgeFromRepoUrl("git@github.com:acme/app.git")).toEqual({
      forge: { kind: "github", url: "https://github.com" },
      repo: "acme/app",
    });
    expect(forgeFromRepoUrl("https://gitlab.com/group/sub/app.git")).toEqual({
      forge: { kind: "gitlab", url: "https://gitlab.com" },
      repo: "group/sub/app",
    });
    expect(forgeFromRepoUrl("https://x-token-auth:secret@bitbucket.org/team/app.git")?.forge).toEqual({
      kind: "bitbucket",
      url: "https://bitbucket.org",
    });
    expect(forgeFromRepoUrl("https://git.example.com/acme/app")).toBeUndefined();
    // A PR's or a commit's page names the repository, and the PR or commit.
    expect(forgeFromRepoUrl("https://github.com/acme/app/pull/42/files?w=1")).toEqual({
      forge: { kind: "github", url: "https://github.com" },
      repo: "acme/app",
      pr: "42",
    });
    expect(forgeFromRepoUrl("https://gitlab.com/group/sub/app/-/merge_requests/7")).toMatchObject({
      repo: "group/sub/app",
      pr: "7",
    });
    expect(forgeFromRepoUrl("https://bitbucket.org/team/app/commits/0123abcd")).toMatchObject({
      repo: "team/app",
      commitSha: "0123abcd",
    });
    expect(forgeFromRepoUrl("javascript://github.com/acme/app")).toBeUndefined();
    expect(forgeFromRepoUrl("acme/app")).toBeUndefined();
  });

  it.each([
    ["https://github.com/acme/web", "https://github.com/acme/web/pull/12"],
    ["git@gitlab.com:acme/web.git", "https://gitlab.com/acme/web/-/merge_requests/12"],
    ["https://bitbucket.org/acme/web/pull-requests/12", "https://bitbucket.org/acme/web/pull-requests/12"],
  ])("a report whose repo is %s links repository, PR and commit with no CI environment at all", (repo, pr) => {
    const input = parseScan(
      JSON.stringify({
        scan_failed: false,
        repo,
        branch: "main",
        commit_sha: "0123456789abcdef0123456789abcdef01234567",
        pr_number: 12,
        new_alerts: [],
      }),
    );
    expect(input.context.repo).toBe("acme/web");
    const context = sections(builder.build([alert("a", "envVars")], input.context).messages[0]!.payload.blocks)[0]!;
    expect(context).toContain(`*Repository:* <${pr.slice(0, pr.indexOf("/acme/web") + 9)}|acme/web>`);
    expect(context).toContain(`*PR:* <${pr}|#12>`);
    expect(context).toMatch(/\*Commit:\* <https:\/\/[^|]+\/0123456789abcdef0123456789abcdef01234567\|01234567>/);
  });

  it("a report URL on another host, or not http(s), links nothing", () => {
    for (const repo of ["https://git.example.com/acme/web", "javascript:alert(1)//github.com/acme/web"]) {
      const input = parseScan(JSON.stringify({ scan_failed: false, repo, pr_number: 12, new_alerts: [] }));
      expect(input.context.forge).toBeUndefined();
      const context = sections(builder.build([alert("a", "envVars")], input.context).messages[0]!.payload.blocks)[0]!;
      expect(context).not.toContain("<");
    }
  });
});

describe("mention", () => {
  const mention = { tokens: ["<@U012AB3CD>", "<!subteam^SAZ94GDB8>", "!here"], minSeverity: "critical" as const };

  it("at or above the severity: a mention line on the first page, and in the notification text", () => {
    const input = [
      alert("evil", "malware", "critical"),
      ...Array.from({ length: 60 }, (_, i) => alert(`p${i}`, "envVars", "low")),
    ];
    const r = builder.build(input, {}, { mention, maxMessages: 5 });
    expect(r.messages.length).toBeGreaterThan(1);
    const first = r.messages[0]!.payload;
    expect(sections(first.blocks)[0]).toBe("🔔 <@U012AB3CD> <!subteam^SAZ94GDB8> <!here>: 1 critical alert");
    expect(first.text.startsWith("<@U012AB3CD> <!subteam^SAZ94GDB8> <!here> Socket Security:")).toBe(true);
    for (const m of r.messages.slice(1)) expect(JSON.stringify(m.payload)).not.toMatch(/<@U|<!/);
    everyAlertShownOrCounted(r, input);
  });

  it("below the severity: no mention", () => {
    const r = builder.build([alert("a", "envVars", "high")], {}, { mention });
    expect(JSON.stringify(r.messages[0]!.payload)).not.toMatch(/<@U|<!|🔔/);
    const high = builder.build(
      [alert("a", "envVars", "high")],
      {},
      { mention: { tokens: ["!channel"], minSeverity: "high" } },
    );
    expect(sections(high.messages[0]!.payload.blocks)[0]).toBe("🔔 <!channel>: 1 high or higher alert");
  });

  it("tight block limits still leave room for the mention", () => {
    const input = Array.from({ length: 30 }, (_, i) => alert(`p${i}`, "malware", "critical"));
    const r = builder.build(input, {}, { mention, maxMessages: 3, limits: { maxBlocks: 8 } });
    for (const m of r.messages) expect(m.payload.blocks.length).toBeLessThanOrEqual(8);
    everyAlertShownOrCounted(r, input);
  });
});
