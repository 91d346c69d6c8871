import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Block, messageText, SLACK_LIMITS } from "../blocks/types.js";
import { type FilterOptions } from "../config/schema.js";
import { type FilterContext } from "../filter/AlertFilter.js";
import { parseScan } from "../input/parse.js";
import { type Alert } from "../model.js";
import { applyFacts } from "./apply.js";
import { type Facts, parseFacts } from "./facts.js";
import { reachabilitySummary } from "./summary.js";
import { type ConfigSource } from "../config/load.js";
import { type LayoutFactory } from "../contract/layout.js";
import { blockKitLayout, plannedMessages, planRun } from "../run/plan.js";

const facts = parseFacts(readFileSync(`${process.env.SOCKET_FIXTURES}/synthetic__socket_facts.json`, "utf8"), {
  source: "/repo/.socket.facts.json",
});
const ctx: FilterContext = {
  scan: { repo: "acme/web", branch: "main", reportUrl: "https://socket.dev/dashboard/org/acme/sbom/1" },
  factsLoaded: true,
};

/** The scan's alert for the reachable @babel/traverse vulnerability, blocking by policy. */
const traverseAlert: Alert[] = parseScan(
  JSON.stringify({
    new_alerts: [
      {
        pkg_type: "npm",
        pkg_name: "traverse",
        pkg_version: "7.22.5",
        type: "criticalCVE",
        severity: "critical",
        purl: "@babel/traverse@7.22.5",
        props: { ghsaId: "GHSA-67hx-6x53-jw92" },
        error: true,
      },
    ],
  }),
).alerts;

const sections = (blocks: Block[]) =>
  blocks.filter((b): b is Extract<Block, { type: "section" }> => b.type === "section").map((b) => b.text.text);
const summarise = (filter: FilterOptions = {}, f: Facts = facts, alerts: Alert[] = traverseAlert) =>
  reachabilitySummary(applyFacts(alerts, f), filter, ctx);
const ids = (filter: FilterOptions) => summarise(filter).matched.map((f) => f.id);

function expectWithinSlackLimits(blocks: Block[], text: string): void {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
  expect(messageText(blocks)).toBeLessThanOrEqual(SLACK_LIMITS.maxMessageChars);
  for (const t of sections(blocks)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.maxSectionChars);
  for (const b of blocks)
    if (b.type === "header") expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxHeaderChars);
  expect(text.length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxFallbackChars);
}

describe("whole-repository summary of the synthetic facts", () => {
  const s = summarise();
  const { blocks, text } = s.message.payload;
  const body = sections(blocks);

  it("one message: header, counts by state and priority, the findings in risk order, what is not shown", () => {
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "🎯 Socket reachability: 1 reachable of 6 vulnerabilities", emoji: true },
    });
    expect(body[0]).toBe(
      "Whole repository, from .socket.facts.json  ·  *Repository:* acme/web  ·  *Branch:* main\n" +
        "*By state:* 🎯 1 reachable · ❓ 3 unknown (1 undeterminable, 1 missing_support) · ⚠️ 1 analysis failed · ✓ 1 unreachable\n" +
        "*By priority:* 🔴 1 critical · 🟠 4 high · ⚪ 1 low",
    );
    expect(s.shown.map((f) => f.id)).toEqual([
      "GHSA-67hx-6x53-jw92",
      "GHSA-zzzz-unkn-0001",
      "GHSA-29mw-wpgm-hmr9",
      "CVE-2024-35195",
      "GHSA-x84v-xcm2-53pg",
    ]);
    expect(body.at(-1)).toBe(
      "➕ *1 finding not shown* (1 unreachable) — <https://socket.dev/dashboard/org/acme/sbom/1|see all of them in the Socket report>",
    );
    expect(text).toBe(
      "Socket reachability in acme/web (main): 1 reachable · 3 unknown (1 undeterminable, 1 missing_support) · 1 analysis failed · 1 unreachable · 1 not shown",
    );
    expectWithinSlackLimits(blocks, text);
  });

  it("the reachable finding shows its call path in a code block, and that it is in this change", () => {
    expect(body[1]).toBe(
      "🎯 *Reachable* · 🔴 *Critical* — *GHSA-67hx-6x53-jw92 · CVE-2023-45133*\n" +
        "npm/@babel/traverse@7.22.5 · affected &lt;7.23.2 · transitive · dev · _in this change_\n" +
        "```\nsrc/build.js 12:4-14:2\n  -&gt; @babel/core 88:10\n  -&gt; @babel/traverse 400:7\nsrc/other.js 3:1\n  -&gt; traverse@7.22.5\n```",
    );
  });

  it("states the Socket CLI dropped (missing_support) are shown as unknown, with their raw state (B19)", () => {
    expect(body.find((t) => t.includes("GHSA-29mw-wpgm-hmr9"))).toMatch(
      /^❓ \*Reachability unknown\* \(missing_support\) · 🟠 \*High\*/,
    );
    expect(body.find((t) => t.includes("CVE-2024-35195"))).toMatch(/🟠 \*High\* \(advisory: medium\)/);
  });

  it("the message's alerts are the listed findings, as vulnerability alerts with their reachability", () => {
    expect(s.message.alerts.map((a) => [a.title, a.type, a.reachability?.state])).toEqual(
      s.shown.map((f) => [f.id, "vulnerability", f.state]),
    );
    expect(s.message.alerts[0]!.action).toBe("block"); // the scan's alert for it blocks
    expect(s.message.alerts[1]!.action).toBe("warn"); // not in this change
  });
});

describe("destination filters apply to the findings (B4, B5)", () => {
  it("B4: severities filter the findings by priority instead of dropping all of them", () => {
    expect(ids({ severities: ["critical"] })).toEqual(["GHSA-67hx-6x53-jw92"]);
    expect(ids({ severities: ["HIGH"] })).toHaveLength(4);
    expect(ids({ min_severity: "high" })).toHaveLength(5);
    expect(ids({ severities: ["low"] })).toEqual(["GHSA-35jh-r3h4-6jhm"]);
  });

  it("B5: repos — a destination for another repository gets no findings", () => {
    const s = summarise({ repos: ["acme/api"] });
    expect(s.matched).toEqual([]);
    expect(s.excluded[0]!.reason).toBe("repo acme/web not in repos [acme/api]");
    expect(s.message.payload.blocks[0]).toMatchObject({ text: { text: "✅ Socket reachability: no vulnerabilities" } });
    expect(sections(s.message.payload.blocks)[0]).toContain("No vulnerabilities match this destination's filters.");
  });

  it("B5: alert_types — findings are vulnerabilities: a CVE type admits them, others do not; exclude_alert_types vulnerability drops them", () => {
    expect(ids({ alert_types: ["malware", "didYouMean"] })).toEqual([]);
    expect(ids({ alert_types: ["criticalCVE"] })).toHaveLength(6);
    expect(ids({ alert_types: ["mildcve"], severities: ["critical"] })).toEqual(["GHSA-67hx-6x53-jw92"]);
    expect(ids({ exclude_alert_types: ["vulnerability"] })).toEqual([]);
    expect(ids({ exclude_alert_types: ["malware"] })).toHaveLength(6);
  });

  it("B5: reachability_alerts_only — only the reachable findings", () => {
    const s = summarise({ reachability_alerts_only: true });
    expect(s.matched.map((f) => f.id)).toEqual(["GHSA-67hx-6x53-jw92"]);
    expect(s.message.payload.blocks[0]).toMatchObject({
      text: { text: "🎯 Socket reachability: 1 reachable of 1 vulnerability" },
    });
  });

  it("levels: a finding has the level of the scan's alert for it, warn when this change did not touch it", () => {
    expect(ids({ levels: ["block"] })).toEqual(["GHSA-67hx-6x53-jw92"]);
    expect(ids({ levels: ["warn"] })).toHaveLength(5);
  });
});

/** Facts with `n` reachable vulnerabilities, each with a long call path. */
function manyReachable(n: number, traceFrames = 40, name = (i: number) => `pkg-${i}`): Facts {
  const components = Array.from({ length: n }, (_, i) => ({
    id: `pkg:npm/${name(i)}@1.0.0`,
    type: "npm",
    name: name(i),
    version: "1.0.0",
    vulnerabilities: [{ ghsaId: `GHSA-${i}`, cveId: `CVE-2024-${i}`, range: "<2" }],
    reachability: [
      {
        ghsa_id: `GHSA-${i}`,
        reachability: [
          {
            type: "reachable",
            matches: [
              Array.from({ length: traceFrames }, (_, f) => ({
                package: `frame-package-${f}`,
                sourceLocation: { filename: `src/deep/module-${f}.js`, start: { line: f + 1, column: 2 } },
              })),
            ],
          },
        ],
      },
    ],
  }));
  return parseFacts(JSON.stringify({ components }));
}

describe("Slack's limits (B11: the Socket CLI sent up to 96 blocks)", () => {
  it.each([1, 22, 23, 30, 45, 200])(
    "%i reachable findings with long traces: one message within limits, the rest counted",
    (n) => {
      const s = summarise({}, manyReachable(n), []);
      const { blocks, text } = s.message.payload;
      expectWithinSlackLimits(blocks, text);
      expect(s.shown.length).toBeGreaterThan(0);
      const notShown = n - s.shown.length;
      const last = sections(blocks).at(-1)!;
      if (notShown > 0)
        expect(last).toMatch(
          new RegExp(
            `^➕ \\*${notShown} findings? not shown\\* \\(${notShown} more that did not fit: 🎯 ${notShown} reachable\\)`,
          ),
        );
      else expect(last).not.toMatch(/not shown/);
      // Each listed finding's trace is in a (possibly cut) code block.
      for (const t of sections(blocks).slice(1, 1 + s.shown.length)) expect(t).toMatch(/\n```\n[\s\S]*\n```$/);
    },
  );

  it("with many findings, call paths are cut at a frame so that more findings fit (at least the Socket CLI's safe 22)", () => {
    const s = summarise({}, manyReachable(200), []);
    expect(s.shown.length).toBeGreaterThanOrEqual(22);
    const first = sections(s.message.payload.blocks)[1]!;
    expect(first).toMatch(/\n {2}-&gt; frame-package-\d+ \d+:2\n… \d+ more frames\n```$/);
    // A few findings keep whole call paths.
    const few = sections(summarise({}, manyReachable(3, 12), []).message.payload.blocks)[1]!;
    expect(few).toMatch(/-&gt; pkg-0@1\.0\.0\n```$/);
  });

  it("tighter limits a notifier declares are respected", () => {
    const limits = { maxBlocks: 10, maxMessageChars: 4000, maxSectionChars: 1000 };
    const s = reachabilitySummary(applyFacts([], manyReachable(50)), {}, ctx, { limits });
    expect(s.message.payload.blocks.length).toBeLessThanOrEqual(10);
    expect(messageText(s.message.payload.blocks)).toBeLessThanOrEqual(4000);
    for (const t of sections(s.message.payload.blocks)) expect(t.length).toBeLessThanOrEqual(1000);
    expect(sections(s.message.payload.blocks).at(-1)).toMatch(
      new RegExp(`^➕ \\*${50 - s.shown.length} findings not shown`),
    );
  });

  it("a very long report URL is left out rather than breaking the message", () => {
    const long = { ...ctx, scan: { ...ctx.scan, reportUrl: `https://socket.dev/report?${"x".repeat(2900)}` } };
    const s = reachabilitySummary(applyFacts([], manyReachable(200)), {}, long);
    expectWithinSlackLimits(s.message.payload.blocks, s.message.payload.text);
  });
});

describe("escaping: package names, ids, ranges and traces are untrusted", () => {
  it("mentions, links and code fences in the facts are inert", () => {
    const f = parseFacts(
      JSON.stringify({
        components: [
          {
            type: "npm",
            name: "<!channel>",
            version: "1.0.0",
            vulnerabilities: [{ ghsaId: "GHSA-<@U123>", range: "<https://evil.example|click>" }],
            reachability: [
              {
                ghsa_id: "GHSA-<@U123>",
                reachability: [
                  {
                    type: "reachable",
                    matches: [[{ sourceLocation: { filename: "```\n<!here> *bold*", start: { line: 1, column: 1 } } }]],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const s = summarise({}, f, []);
    const all = sections(s.message.payload.blocks).join("\n");
    expect(all).not.toMatch(/<!channel>|<!here>|<@U123>|<https:\/\/evil/);
    // One code block: the fence in the trace cannot close ours.
    const finding = sections(s.message.payload.blocks)[1]!;
    expect(finding.match(/```/g)).toHaveLength(2);
    expect(s.message.payload.text).not.toMatch(/<!channel>/);
  });
});

describe("no findings", () => {
  it("an empty facts file still gives a message saying there is nothing (sent on every run when asked)", () => {
    const s = summarise({}, parseFacts('{"components": []}'), []);
    expect(s.message.payload.blocks).toHaveLength(2);
    expect(s.message.payload.text).toBe("Socket reachability in acme/web (main): no vulnerabilities");
  });
});

describe("the summary goes through the notifier's layout, as pages do", () => {
  const scan = { ...parseScan(JSON.stringify({ new_alerts: [] })), reachability: applyFacts(traverseAlert, facts) };
  const capabilities = { ...SLACK_LIMITS, ratePerSecond: 1, burst: 1, threads: false, update: false };
  const plan = (layout?: LayoutFactory) =>
    planRun({
      scan: { ...scan, context: ctx.scan },
      config: {},
      mode: "test",
      source: { label: "test" } as ConfigSource,
      destinations: [
        {
          route: "security",
          target: "security",
          key: "security",
          filter: { always_send_reachability: true },
          address: {},
          configPath: "$",
        },
      ],
      capabilities,
      configWarnings: [],
      ...(layout ? { layout } : {}),
    });
  const summaryMessage = (layout?: LayoutFactory) =>
    plannedMessages(plan(layout)).find((m) => m.kind === "reachability")!;

  it("core plans neutral data (the message's `reachability`) and the layout renders the record", () => {
    const m = summaryMessage();
    expect(m.reachability?.findings.map((f) => f.finding)).toEqual(summarise().matched);
    expect(m.reachability?.byState.reachable).toBe(summarise().matched.filter((f) => f.state === "reachable").length);
    // blockKitLayout renders exactly what the Slack notifiers always sent.
    expect(m.payload).toEqual(summarise().message.payload);
    expect(m.alerts).toEqual(summarise().message.alerts);
  });

  it("a layout's own `reachability` renders it; a layout without one gets core's Block Kit summary", () => {
    const own: LayoutFactory = (c) => ({
      ...blockKitLayout(c),
      reachability: (s) => ({
        payload: { text: `${s.findings.length} findings`, blocks: [], unfurl_links: false, unfurl_media: false },
        listed: s.findings.slice(0, 1).map((f) => f.alert),
      }),
    });
    const m = summaryMessage(own);
    expect(m.payload.text).toBe(`${summarise().matched.length} findings`);
    expect(m.alerts).toHaveLength(1);
    const without: LayoutFactory = (c) => {
      const { reachability: _r, ...rest } = blockKitLayout(c);
      return rest;
    };
    expect(summaryMessage(without).payload).toEqual(summarise().message.payload);
  });
});
