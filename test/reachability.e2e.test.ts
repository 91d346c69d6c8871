/**
 * Reachability end to end, as a new user would run it: a Socket CLI report and its
 * `.socket.facts.json` read from files, `createEngine` with the webhook notifier, delivered to
 * the Slack emulator over loopback HTTP. Assertions are on what each channel received.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createEngine,
  enrichScan,
  type DeliveryReport,
  MemoryLogger,
  type NotifyOptions,
  readFactsFile,
  readScanFile,
  reportExitCode,
  type ScanInput,
} from "@socket-notify/core";
import { type Facts } from "@socket-notify/core/internal";
import { expectNoSecrets, FakeClock } from "@socket-notify/core/testing";
import { type EmulatorRecord, type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const FACTS_FIXTURE = `${process.env.SOCKET_FIXTURES}/synthetic__socket_facts.json`;

/** A Socket CLI Issue (reference §2.1); `purl` is `[namespace/]name@version`. */
function issue(
  type: string,
  pkg: string,
  version: string,
  props: Record<string, string> = {},
  over: Record<string, unknown> = {},
) {
  const slash = pkg.lastIndexOf("/");
  return {
    pkg_type: "npm",
    pkg_name: slash > 0 ? pkg.slice(slash + 1) : pkg,
    pkg_version: version,
    type,
    severity: "high",
    title: `${type} in ${pkg}`,
    props,
    purl: `${pkg}@${version}`,
    url: `https://socket.dev/npm/package/${pkg}/overview/${version}`,
    introduced_by: [["direct", "package.json"]],
    manifests: "package.json",
    error: false,
    warn: true,
    ...over,
  };
}

/** The `--enable-json` report of the repository the synthetic facts describe. */
function report(newAlerts: unknown[]): string {
  return JSON.stringify({
    scan_failed: true,
    full_scan_id: "scan-1",
    repo: "acme/web",
    branch: "main",
    commit_sha: "5efacb1a00000000000000000000000000000000",
    report_url: "https://socket.dev/dashboard/org/acme/sbom/scan-1",
    new_alerts: newAlerts,
  });
}

const ALERTS = [
  issue(
    "criticalCVE",
    "@babel/traverse",
    "7.22.5",
    { ghsaId: "GHSA-67hx-6x53-jw92", cveId: "CVE-2023-45133" },
    { severity: "critical", error: true, warn: false },
  ),
  issue("cve", "lodash", "4.17.20", { ghsaId: "GHSA-35jh-r3h4-6jhm", cveId: "CVE-2021-23337" }),
  issue(
    "mediumCVE",
    "lodash",
    "4.17.20",
    { ghsaId: "GHSA-29mw-wpgm-hmr9", cveId: "CVE-2020-28500" },
    { severity: "middle" },
  ),
  issue("cve", "requests", "2.19.0", { ghsaId: "GHSA-x84v-xcm2-53pg" }, { pkg_type: "pypi" }),
  issue("cve", "left-pad", "1.3.0", { ghsaId: "GHSA-aaaa-bbbb-cccc" }), // not in the facts
  issue("envVars", "lodash", "4.17.20", {}, { severity: "low" }),
  issue("malware", "evil-pkg", "1.0.0", {}, { severity: "critical", error: true, warn: false }),
  issue("didYouMean", "lodahs", "4.17.20", {}, { severity: "critical" }),
  issue("installScripts", "esbuild-x", "0.1.0", {}, { severity: "middle" }),
];

let dir: string;
let factsPath: string;
let emu: SlackEmulator | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "reach-e2e-"));
  factsPath = join(dir, ".socket.facts.json");
  await copyFile(FACTS_FIXTURE, factsPath);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function scanFile(alerts: unknown[]): Promise<ScanInput> {
  const path = join(dir, `report-${alerts.length}.json`);
  await writeFile(path, report(alerts));
  return readScanFile(path);
}

/** What the CLI does for `socket-notify send report.json --facts .socket.facts.json`. */
async function send(
  config: unknown,
  input: ScanInput,
  { facts, ...options }: NotifyOptions & { facts?: Facts } = {},
): Promise<{ report: DeliveryReport; logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  // Virtual time: Slack's 1 message/s per webhook pacing without waiting for it.
  const clock = new FakeClock({ autoAdvance: 60_000 });
  const engine = await createEngine({ config, plugins: [webhookPlugin], env: {}, logger, clock });
  // As the CLI does: the facts enrich the scan once, before it is planned.
  return { report: await engine.notify(facts ? enrichScan(input, facts) : input, options), logger };
}

interface Section {
  type: string;
  text?: { text: string };
}
const sections = (r: EmulatorRecord) =>
  ((r.payload["blocks"] ?? []) as Section[]).filter((b) => b.type === "section").map((b) => b.text!.text);
/** `type in pkg` titles of the alerts in the alert messages a hook received. */
const alertTitles = (records: EmulatorRecord[]) =>
  records
    .filter((r) => !isSummary(r))
    .flatMap(sections)
    // A package entry lists each of its alerts on a line of its own.
    .flatMap((t) => [...t.matchAll(/— \*([^*]+)\*/g)].map((m) => m[1]!));
const isSummary = (r: EmulatorRecord) => /^Socket reachability/.test(String(r.payload["text"]));

function expectWithinSlackLimits(records: EmulatorRecord[]): void {
  for (const r of records) {
    const blocks = r.payload["blocks"] as Section[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const texts = blocks.map((b) => b.text?.text ?? "");
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts.join("").length).toBeLessThanOrEqual(12000);
  }
}

describe("a report with facts, through the webhook notifier to Slack", () => {
  it("reachability_alerts_only gets exactly the non-vulnerability alerts and the reachable vulnerability, with its trace", async () => {
    const e = (emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false }));
    const input = await scanFile(ALERTS);
    const facts = await readFactsFile(factsPath);
    const url = e.webhookUrl("security");
    const { report } = await send(
      { url: [{ url, name: "security" }], url_configs: { security: { reachability_alerts_only: true } } },
      input,
      { facts },
    );

    expect(reportExitCode(report)).toBe(0);
    const got = e.messages({ hook: "security" });
    expect(got.every((r) => r.channelName === "security-alerts")).toBe(true);
    expect(alertTitles(got).sort()).toEqual(
      [
        "criticalCVE in @babel/traverse",
        "malware in evil-pkg",
        "didYouMean in lodahs",
        "installScripts in esbuild-x",
        "envVars in lodash",
      ].sort(),
    );
    // Risk order: blocking first, malware before the CVE at the same severity.
    expect(alertTitles(got).slice(0, 2)).toEqual(["malware in evil-pkg", "criticalCVE in @babel/traverse"]);
    const traverse = got.flatMap(sections).find((t) => t.includes("criticalCVE in @babel/traverse"))!;
    expect(traverse).toContain("🎯 *Reachable*");
    expect(traverse).toContain(
      "```\nsrc/build.js 12:4-14:2\n  -&gt; @babel/core 88:10\n  -&gt; @babel/traverse 400:7\nsrc/other.js 3:1\n  -&gt; traverse@7.22.5\n```",
    );
    // Nothing whole-repo without always_send_reachability (B19).
    expect(got.filter(isSummary)).toEqual([]);
    expectWithinSlackLimits(got);

    const d = report.destinations[0]!;
    expect(d).toMatchObject({ route: "security", alerts: 5, excluded: 4, status: "sent" });
    expect(d.message_results.map((m) => m.kind)).toEqual(["alerts"]);
    expect(report.warnings).toContain(
      `${factsPath}: 1 of 5 vulnerability alerts are not in the reachability facts; destinations with reachability_alerts_only will not get them`,
    );
    expectNoSecrets({ report, records: e.records() }, [url]);
  });

  it("each destination: its filters, its summary only when asked (B19), severities filter findings instead of dropping them (B4), repos apply (B5)", async () => {
    const e = (emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false }));
    const input = await scanFile(ALERTS);
    const facts = await readFactsFile(factsPath);
    const config = {
      url: [
        { url: e.webhookUrl("security"), name: "security" },
        { url: e.webhookUrl("ops"), name: "ops" },
        { url: e.webhookUrl("dev"), name: "dev" },
      ],
      url_configs: {
        security: { always_send_reachability: true, severities: ["critical"] },
        ops: { always_send_reachability: true, repos: ["acme/api"] },
        dev: {},
      },
    };
    const { report } = await send(config, input, { facts });
    expect(reportExitCode(report)).toBe(0);

    const security = e.messages({ hook: "security" });
    expect(security.map(isSummary)).toEqual([false, true]);
    expect(alertTitles(security).sort()).toEqual([
      "criticalCVE in @babel/traverse",
      "didYouMean in lodahs",
      "malware in evil-pkg",
    ]);
    const summary = sections(security[1]!);
    expect((security[1]!.payload["blocks"] as { text?: { text: string } }[])[0]!.text!.text).toBe(
      "🎯 Socket reachability: 1 reachable of 1 vulnerability",
    );
    expect(summary[1]).toMatch(
      /^🎯 \*Reachable\* · 🔴 \*Critical\* — \*GHSA-67hx-6x53-jw92 · CVE-2023-45133\*\n.*_in this change_\n```\nsrc\/build\.js/,
    );

    // Another repository's destination: no alerts, and its summary says nothing matches.
    const ops = e.messages({ hook: "ops" });
    expect(ops.map(isSummary)).toEqual([true]);
    expect(sections(ops[0]!)[0]).toContain("No vulnerabilities match this destination's filters.");

    // No always_send_reachability: every alert, no summary.
    const dev = e.messages({ hook: "dev" });
    expect(dev.filter(isSummary)).toEqual([]);
    expect(alertTitles(dev)).toHaveLength(ALERTS.length);
    expectWithinSlackLimits(e.messages());

    expect(report.destinations.map((d) => [d.route, d.alerts, d.message_results.map((m) => m.kind)])).toEqual([
      ["security", 3, ["alerts", "reachability"]],
      ["ops", 0, ["reachability"]],
      ["dev", 9, ["alerts"]],
    ]);
  });

  it("the summary is sent on every run, even with no new alerts; it counts every state and lists what is not unreachable", async () => {
    const e = (emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false }));
    const input = await scanFile([]);
    const facts = await readFactsFile(factsPath);
    const config = {
      url: [
        { url: e.webhookUrl("security"), name: "security" },
        { url: e.webhookUrl("dev"), name: "dev" },
      ],
      url_configs: { security: { always_send_reachability: true } },
    };
    const { report } = await send(config, input, { facts });
    expect(reportExitCode(report)).toBe(0);
    const got = e.messages({ hook: "security" });
    expect(got).toHaveLength(1);
    const texts = sections(got[0]!);
    expect(texts[0]).toContain(
      "*By state:* 🎯 1 reachable · ❓ 3 unknown (1 undeterminable, 1 missing_support) · ⚠️ 1 analysis failed · ✓ 1 unreachable",
    );
    expect(texts).toHaveLength(1 + 5 + 1);
    expect(texts.at(-1)).toBe(
      "➕ *1 finding not shown* (1 unreachable) — <https://socket.dev/dashboard/org/acme/sbom/scan-1|see all of them in the Socket report>",
    );
    expect(e.messages({ hook: "dev" })).toEqual([]);
    expect(report.destinations.map((d) => d.status)).toEqual(["sent", "skipped"]);
  });

  it("without facts: reachability_alerts_only passes every alert, with a warning, and no summary is sent", async () => {
    const e = (emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false }));
    const input = await scanFile(ALERTS);
    const config = {
      url: [{ url: e.webhookUrl("security"), name: "security" }],
      url_configs: { security: { reachability_alerts_only: true, always_send_reachability: true } },
    };
    const { report } = await send(config, input);
    expect(alertTitles(e.messages())).toHaveLength(ALERTS.length);
    expect(e.messages().filter(isSummary)).toEqual([]);
    expect(report.warnings).toContain(
      "url_configs.security: reachability_alerts_only has no effect without --facts; all alerts pass",
    );
  });

  it("many reachable vulnerabilities with long traces: every one is delivered across pages, each message within Slack's limits (B11)", async () => {
    const e = (emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false }));
    const n = 120;
    const alerts = Array.from({ length: n }, (_, i) =>
      issue("criticalCVE", `pkg-${i}`, "1.0.0", { ghsaId: `GHSA-${i}` }, { severity: "critical" }),
    );
    const components = Array.from({ length: n }, (_, i) => ({
      id: `pkg:npm/pkg-${i}@1.0.0`,
      type: "npm",
      name: `pkg-${i}`,
      version: "1.0.0",
      vulnerabilities: [{ ghsaId: `GHSA-${i}` }],
      reachability: [
        {
          ghsa_id: `GHSA-${i}`,
          reachability: [
            {
              type: i % 2 ? "unreachable" : "reachable",
              matches: [
                Array.from({ length: 60 }, (_, f) => ({
                  package: `caller-${f}`,
                  sourceLocation: { filename: `src/f${f}.js`, start: { line: f, column: 1 } },
                })),
              ],
            },
          ],
        },
      ],
    }));
    const path = join(dir, "many.facts.json");
    await writeFile(path, JSON.stringify({ components }));
    const config = {
      url: [{ url: e.webhookUrl("security"), name: "security" }],
      url_configs: { security: { reachability_alerts_only: true, always_send_reachability: true, max_messages: 10 } },
    };
    const { report } = await send(config, await scanFile(alerts), { facts: await readFactsFile(path) });
    expect(reportExitCode(report)).toBe(0);
    const got = e.messages({ hook: "security" });
    expect(got.length).toBeGreaterThan(2);
    expect(got.length).toBeLessThanOrEqual(10);
    expectWithinSlackLimits(got);
    // Reachable are the even ones; all 60 shown across the alert pages, no unreachable one.
    expect(alertTitles(got).sort()).toEqual(
      Array.from({ length: n / 2 }, (_, i) => `criticalCVE in pkg-${i * 2}`).sort(),
    );
    const summary = got.filter(isSummary);
    expect(summary).toHaveLength(1);
    const d = report.destinations[0]!;
    expect(d).toMatchObject({ alerts: 60, excluded: 60, omitted: 0 });
    // The summary lists what fits and counts the rest: shown + not shown = 60 reachable.
    const listed = sections(summary[0]!).filter((t) => t.startsWith("🎯 *Reachable*")).length;
    const notShown = Number(/^➕ \*(\d+) findings? not shown/.exec(sections(summary[0]!).at(-1)!)?.[1] ?? 0);
    expect(listed + notShown).toBe(60);
  });
});
