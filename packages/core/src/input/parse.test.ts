import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { type Alert } from "../model.js";
import { withFields } from "./alert.js";
import { parseScan, readScanFile } from "./parse.js";

const FIXTURES = process.env.SOCKET_FIXTURES!;
const fixture = (name: string) => join(FIXTURES, name);

/** A Socket CLI Issue dict (reference §2.1), overridable per test. */
function issue(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pkg_type: "npm",
    pkg_name: "left-pad",
    pkg_version: "1.3.0",
    pkg_id: "id1",
    props: {},
    key: "k1",
    type: "envVars",
    severity: "low",
    description: "",
    title: "Env Vars",
    suggestion: "",
    next_step_title: "",
    introduced_by: [["direct", "package.json"]],
    purl: "left-pad@1.3.0",
    url: "https://socket.dev/npm/package/left-pad/overview/1.3.0",
    manifests: "package.json",
    error: false,
    warn: true,
    monitor: false,
    ignore: false,
    ...over,
  };
}

function report(alerts: unknown[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scan_failed: false,
    new_alerts: alerts,
    full_scan_id: "scan-1",
    diff_url: "https://socket.dev/dashboard/org/o/diff/a/b",
    report_url: "https://socket.dev/dashboard/org/o/sbom/b",
    repo: "acme/web",
    branch: "main",
    commit_sha: "0123456789abcdef",
    legal_mode: false,
    ...over,
  };
}

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected an error");
}

async function asyncErrorOf(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected an error");
}

describe("parseScan: the fixtures that are scan reports or diffs", () => {
  it("derived__enable_json_report.json: 8 alerts with context from the report", async () => {
    const r = await readScanFile(fixture("derived__enable_json_report.json"));
    expect(r.format).toBe("enable-json-report");
    expect(r.alerts).toHaveLength(8);
    expect(r.scanFailed).toBe(true);
    expect(r.context).toEqual({
      repo: "test_org/basic-python",
      branch: "test/big-diff-pr",
      commitSha: "5efacb1a6270c3c446fd54af652599400872c52c",
      diffUrl:
        "https://socket.dev/dashboard/org/test_org/diff/e2b84cde-d806-43c6-8ac5-150196870f5c/c2d9b98b-bf42-47af-b011-e32613eced13",
      reportUrl: "https://socket.dev/dashboard/org/test_org/sbom/c2d9b98b-bf42-47af-b011-e32613eced13",
      scanId: "c2d9b98b-bf42-47af-b011-e32613eced13",
    });
    // The Uses Eval alert of the reference's example entry (§2.3).
    const a = r.alerts.find((x) => x.name === "dp3_transitive_2" && x.type === "usesEval")!;
    expect(a).toMatchObject({
      ecosystem: "pypi",
      version: "4.12.3",
      severity: "medium", // Socket's "middle"
      action: "block", // error: true
      title: "Uses Eval",
      purl: "pkg:pypi/dp3_transitive_2@4.12.3",
      url: "https://socket.dev/pypi/package/dp3_transitive_2/overview/4.12.3",
      introducedBy: [
        { source: "pypi/direct_package_3@1.20.21", manifest: "requirements.txt" },
        { source: "pypi/direct_package_4@1.0.1", manifest: "requirements.txt" },
      ],
      manifests: ["requirements.txt"],
      origin: "new",
    });
    expect(r.alerts.filter((x) => x.action === "block")).toHaveLength(3);
    expect(r.alerts.filter((x) => x.action === "warn")).toHaveLength(5);
  });

  it("derived__enable_json_report_strict.json: the 8 B10 duplicates are merged, 12 distinct alerts remain", async () => {
    const r = await readScanFile(fixture("derived__enable_json_report_strict.json"));
    expect(r.alerts).toHaveLength(12);
    expect(r.duplicatesMerged).toBe(8);
    expect(new Set(r.alerts.map((a) => a.id)).size).toBe(12);
  });

  it("derived__diff_for_slack.json: 8 new alerts; unchanged ones only with strict blocking, de-duplicated (B10)", async () => {
    const plain = await readScanFile(fixture("derived__diff_for_slack.json"));
    expect(plain.format).toBe("scan-diff");
    expect(plain.alerts).toHaveLength(8);
    expect(plain.unchangedIgnored).toBe(12);
    expect(plain.context.repo).toBeUndefined(); // a diff carries no repo: --repo or CI env supply it
    expect(plain.context.scanId).toBe("c2d9b98b-bf42-47af-b011-e32613eced13");

    const strict = await readScanFile(fixture("derived__diff_for_slack.json"), { strictBlocking: true });
    expect(strict.alerts).toHaveLength(12); // 8 new + 12 unchanged of which 8 repeat new ones
    expect(strict.duplicatesMerged).toBe(8);
    expect(strict.unchangedIgnored).toBe(0);
    expect(strict.alerts.filter((a) => a.origin === "new")).toHaveLength(8);
    const unchanged = strict.alerts.filter((a) => a.origin === "unchanged");
    expect(unchanged.map((a) => `${a.name} ${a.type}`).sort()).toEqual([
      "direct_package_1 filesystemAccess",
      "dp1_transitive_1 envVars",
      "dp1_transitive_1 networkAccess",
      "dp1_transitive_2 filesystemAccess",
    ]);
    // The kept copy of a duplicate is the new one, with its introduced-by (the unchanged copy's is empty: B10).
    const dup = strict.alerts.find((a) => a.name === "dp3_transitive_2" && a.type === "usesEval")!;
    expect(dup.origin).toBe("new");
    expect(dup.introducedBy).toHaveLength(2);
  });

  const refused: [string, RegExp, RegExp][] = [
    ["synthetic__socket_facts.json", /reachability facts file, not a scan report/, /--facts/],
    ["derived__facts_convert_to_alerts.json", /expected a JSON object .*got a list/, /--enable-json/],
    ["derived__facts_slack_notification.json", /expected a JSON object .*got a list/, /--enable-json/],
    ["derived__slack_webhook_payload_diff.json", /Slack message payload, not a scan report/, /--enable-json/],
    ["derived__slack_webhook_payload_reachability.json", /Slack message payload, not a scan report/, /--enable-json/],
    ["derived__slack_bot_payload_diff_strict_middle.json", /Slack message payload, not a scan report/, /--enable-json/],
    ["tests__data__fullscans__diff__stream_diff.json", /raw Socket API diff \(stream_diff\)/, /--enable-json/],
    ["tests__data__fullscans__diff__stream_diff_full.json", /raw Socket API diff \(stream_diff\)/, /--enable-json/],
    ["tests__core__create_diff_input.json", /not a Socket scan report: no "new_alerts" key/, /--enable-json/],
    ["tests__data__settings__security-policy.json", /not a Socket scan report: no "new_alerts" key/, /--enable-json/],
  ];
  it.each(refused)("%s is refused with a clear message", async (name, message, hint) => {
    const e = await asyncErrorOf(readScanFile(fixture(name)));
    expect(e.code).toBe("input_invalid");
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(fixture(name))).toBe(true);
    expect(e.hint).toMatch(hint);
  });

  it("covers every file in the fixtures directory", async () => {
    const { readdirSync } = await import("node:fs");
    const covered = new Set([
      "derived__enable_json_report.json",
      "derived__enable_json_report_strict.json",
      "derived__diff_for_slack.json",
      ...refused.map((r) => r[0]),
    ]);
    expect(readdirSync(FIXTURES).filter((f) => !covered.has(f))).toEqual([]);
  });
});

describe("parseScan: fields", () => {
  it("reads ghsa/cve ids from props, namespaces from the pseudo-purl, PR and actions", () => {
    const r = parseScan(
      JSON.stringify(
        report(
          [
            issue({
              pkg_name: "traverse",
              pkg_version: "7.22.5",
              purl: "@babel/traverse@7.22.5",
              type: "criticalCVE",
              severity: "critical",
              title: "Critical CVE",
              props: { ghsaId: "GHSA-67hx-6x53-jw92", cveId: "CVE-2023-45133", cvss: 9.3 },
              introduced_by: [["npm/@babel/core@7.22.0", "package.json;packages/a/package.json"]],
              manifests: "package.json;packages/a/package.json",
              error: true,
              warn: false,
            }),
            issue({
              type: "mildCVE",
              severity: "MIDDLE",
              props: { ghsa_id: "GHSA-aaaa-bbbb-cccc", cve_id: "CVE-1-2" },
            }),
            issue({ type: "unmaintained", title: "", severity: "high", warn: false, monitor: true }),
          ],
          { pr_number: 42 },
        ),
      ),
    );
    expect(r.context.pr).toBe("42");
    const [cve, mild, mon] = r.alerts;
    expect(cve).toMatchObject({
      namespace: "@babel",
      name: "traverse",
      purl: "pkg:npm/%40babel/traverse@7.22.5",
      severity: "critical",
      action: "block",
      ghsaId: "GHSA-67hx-6x53-jw92",
      cveId: "CVE-2023-45133",
      manifests: ["package.json", "packages/a/package.json"],
      introducedBy: [{ source: "npm/@babel/core@7.22.0", manifest: "package.json;packages/a/package.json" }],
    });
    expect(mild).toMatchObject({ severity: "medium", action: "warn", ghsaId: "GHSA-aaaa-bbbb-cccc", cveId: "CVE-1-2" });
    expect(mon).toMatchObject({ action: "monitor", title: "Unmaintained" }); // empty title → humanised type
  });

  it('treats pr_number "0" as no PR (B13: no "for PR 0")', () => {
    expect(parseScan(JSON.stringify(report([], { pr_number: "0" }))).context.pr).toBeUndefined();
    expect(parseScan(JSON.stringify(report([], { pr_number: 0 }))).context.pr).toBeUndefined();
  });

  it("NO_DIFF_RAN and empty URLs leave the context empty", () => {
    const r = parseScan(
      JSON.stringify({
        scan_failed: false,
        new_alerts: [],
        full_scan_id: "NO_DIFF_RAN",
        diff_url: "",
        report_url: "",
        repo: null,
      }),
    );
    expect(r.alerts).toEqual([]);
    expect(r.context).toEqual({});
  });

  it("tolerates unknown fields at every level", () => {
    const r = parseScan(JSON.stringify(report([issue({ brand_new_field: { x: 1 } })], { another: [1, 2] })));
    expect(r.alerts).toHaveLength(1);
  });

  it("reads the line the Socket CLI logs, with its logger prefix, also among other log lines", () => {
    const json = JSON.stringify(report([issue()]));
    expect(parseScan(`2024-05-01 12:00:00,123: ${json}`).alerts).toHaveLength(1);
    const log = [
      "2024-05-01 12:00:00,001: Starting Socket Security CLI version 2.6.6",
      "2024-05-01 12:00:01,002: Full scan created",
      `2024-05-01 12:00:02,003: ${json}`,
      "",
    ].join("\n");
    const r = parseScan(log);
    expect(r.alerts).toHaveLength(1);
    expect(r.context.repo).toBe("acme/web");
  });

  it("--strict-blocking merges duplicates across new and unchanged, keeping distinct versions and types", () => {
    const a = issue();
    const text = JSON.stringify({
      new_alerts: [a],
      unchanged_alerts: [
        { ...a, introduced_by: [] },
        issue({ pkg_version: "2.0.0", purl: "left-pad@2.0.0" }),
        issue({ type: "networkAccess" }),
      ],
    });
    const r = parseScan(text, { strictBlocking: true });
    expect(r.alerts.map((x) => `${x.version} ${x.type} ${x.origin}`)).toEqual([
      "1.3.0 envVars new",
      "2.0.0 envVars unchanged",
      "1.3.0 networkAccess unchanged",
    ]);
    expect(r.duplicatesMerged).toBe(1);
  });
});

describe("parseScan: errors", () => {
  it("malformed JSON names the line and column, and quotes none of the text", () => {
    const text = '{\n  "new_alerts": [],\n  "repo": x-secret-ish\n}';
    const e = errorOf(() => parseScan(text, { source: "scan.json" }));
    expect(e.message).toBe('scan.json: invalid JSON at line 3, column 11: unexpected "x"');
    expect(e.message).not.toContain("secret-ish");
    expect(e.code).toBe("input_invalid");
  });

  it("truncated JSON says so", () => {
    const e = errorOf(() => parseScan('{"new_alerts": [', { source: "scan.json" }));
    expect(e.message).toMatch(/^scan\.json: invalid JSON at line 1, column 17: unexpected end of input/);
  });

  it("a trailing comma is pointed at", () => {
    const e = errorOf(() => parseScan('{"new_alerts": [1,]}', { source: "scan.json" }));
    expect(e.message).toMatch(/line 1, column 19: unexpected "\]": a trailing comma/);
  });

  it("a wrong type names the JSON path", () => {
    const alerts = [issue(), issue(), issue(), issue({ severity: 3 })];
    const e = errorOf(() => parseScan(JSON.stringify(report(alerts)), { source: "scan.json" }));
    expect(e.message).toMatch(/^scan\.json: new_alerts\[3\]\.severity: expected a string, got the number 3$/);
    expect(e.path).toBe("new_alerts[3].severity");
    expect(e.hint).toBeTruthy();
  });

  it("an unknown severity lists the valid ones", () => {
    const e = errorOf(() =>
      parseScan(JSON.stringify(report([issue({ severity: "urgent" })])), { source: "scan.json" }),
    );
    expect(e.message).toContain("new_alerts[0].severity");
    expect(e.message).toContain('unknown severity "urgent"');
    expect(e.hint).toContain("low, medium, middle, high, critical");
  });

  it("new_alerts that is not a list, and a missing required field, name their paths", () => {
    expect(errorOf(() => parseScan(JSON.stringify({ new_alerts: {} }), { source: "s" })).message).toBe(
      "s: new_alerts: expected a list, got an object",
    );
    const missing = issue();
    delete missing.pkg_name;
    expect(errorOf(() => parseScan(JSON.stringify(report([missing])), { source: "s" })).message).toBe(
      "s: new_alerts[0].pkg_name: is required but missing",
    );
    expect(
      errorOf(() =>
        parseScan(JSON.stringify({ new_alerts: [], unchanged_alerts: [issue({ introduced_by: "direct" })] }), {
          source: "s",
        }),
      ).path,
    ).toBe("unchanged_alerts[0].introduced_by");
  });

  it("an array, a string, null instead of an object", () => {
    expect(errorOf(() => parseScan("[]", { source: "s" })).message).toBe(
      "s: expected a JSON object (a Socket scan report), got a list",
    );
    expect(errorOf(() => parseScan('"x"', { source: "s" })).message).toBe(
      "s: expected a JSON object (a Socket scan report), got a string",
    );
    expect(errorOf(() => parseScan("null", { source: "s" })).message).toBe(
      "s: expected a JSON object (a Socket scan report), got null",
    );
  });

  it("an empty file, whitespace only, a binary file", () => {
    expect(errorOf(() => parseScan("", { source: "s" })).message).toBe("s: the file is empty");
    expect(errorOf(() => parseScan(" \n\t\n", { source: "s" })).message).toBe("s: the file is empty");
    expect(errorOf(() => parseScan("\u0000\u0001PK\u0003\u0004", { source: "s" })).message).toBe(
      "s: this is a binary file, not JSON",
    );
  });

  it("a missing file or a directory", async () => {
    const missing = await asyncErrorOf(readScanFile("/nonexistent/scan.json"));
    expect(missing.code).toBe("input_unreadable");
    expect(missing.message).toBe("/nonexistent/scan.json: cannot read the scan report (no such file)");
    const dir = await asyncErrorOf(readScanFile(FIXTURES));
    expect(dir.message).toMatch(/it is a directory/);
  });
});

describe("readScanFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sn-parse-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a file with a BOM and CRLF line endings", async () => {
    const p = join(dir, "r.json");
    await writeFile(p, `\uFEFF${JSON.stringify(report([issue()]), null, 2).replace(/\n/g, "\r\n")}`);
    expect((await readScanFile(p)).alerts).toHaveLength(1);
  });

  it("reads stdin for -, and names stdin in errors", async () => {
    const original = Object.getOwnPropertyDescriptor(process, "stdin")!;
    const feed = (text: string) =>
      Object.defineProperty(process, "stdin", { value: Readable.from([Buffer.from(text)]), configurable: true });
    try {
      feed(
        `2024-05-01 12:00:00,123: ${readFileSync(fixture("derived__enable_json_report.json"), "utf8").replace(/\s*\n\s*/g, " ")}`,
      );
      expect((await readScanFile("-")).alerts).toHaveLength(8);
      feed("");
      expect((await asyncErrorOf(readScanFile("-"))).message).toBe("stdin: the file is empty");
      feed("{oops");
      expect((await asyncErrorOf(readScanFile("-"))).message).toMatch(/^stdin: invalid JSON at line 1, column 2/);
    } finally {
      Object.defineProperty(process, "stdin", original);
    }
  });
});

describe("memory: values repeated across alerts are kept once (bench figure 6)", () => {
  it("equal introducedBy entries and manifest lists are one frozen object; alerts still read as before", () => {
    const report = {
      scan_failed: false,
      new_alerts: [
        issue({
          pkg_name: "a",
          type: "cve",
          introduced_by: [["npm/express@4.0.0", "package.json"]],
          manifests: "package.json",
        }),
        issue({
          pkg_name: "b",
          type: "cve",
          introduced_by: [["npm/express@4.0.0", "package.json"]],
          manifests: "package.json",
        }),
        issue({
          pkg_name: "c",
          type: "cve",
          introduced_by: [["direct", "package.json"]],
          manifests: "package.json;web/package.json",
        }),
      ],
    };
    const [a, b, c] = parseScan(JSON.stringify(report)).alerts;
    expect(a!.introducedBy[0]).toBe(b!.introducedBy[0]);
    expect(a!.manifests).toBe(b!.manifests);
    expect(c!.manifests).toEqual(["package.json", "web/package.json"]);
    expect(Object.isFrozen(a!.introducedBy[0])).toBe(true);
    expect(Object.isFrozen(a!.manifests)).toBe(true);
    expect(a).toMatchObject({
      id: "npm/a@1.3.0#cve#key:k1",
      purl: "pkg:npm/a@1.3.0",
      introducedBy: [{ source: "npm/express@4.0.0", manifest: "package.json" }],
    });
  });
});

describe("memory: a parsed alert derives purl and the usual Socket url (bench figure 6)", () => {
  const parse = (...issues: Record<string, unknown>[]) =>
    parseScan(JSON.stringify({ scan_failed: false, new_alerts: issues })).alerts;

  it("reads url and purl as before, whether the url is the usual page, another one, or missing", () => {
    const [usual, other, none, scoped] = parse(
      issue({ pkg_name: "a", url: "https://socket.dev/npm/package/a/overview/1.3.0" }),
      issue({ pkg_name: "b", url: "https://socket.dev/npm/package/b/alerts/1.3.0?tab=x" }),
      issue({ pkg_name: "c", url: undefined }),
      issue({
        pkg_name: "core",
        purl: "@babel/core@1.3.0",
        url: "https://socket.dev/npm/package/@babel/core/overview/1.3.0",
      }),
    );
    expect(usual).toMatchObject({ url: "https://socket.dev/npm/package/a/overview/1.3.0", purl: "pkg:npm/a@1.3.0" });
    expect(other!.url).toBe("https://socket.dev/npm/package/b/alerts/1.3.0?tab=x");
    expect(none!.url).toBeUndefined();
    expect(scoped).toMatchObject({
      url: "https://socket.dev/npm/package/@babel/core/overview/1.3.0",
      purl: "pkg:npm/%40babel/core@1.3.0",
    });
  });

  it("serialises to the full plain object, and copies made with withFields keep url and purl", () => {
    const [a] = parse(
      issue({ pkg_name: "a", url: "https://socket.dev/npm/package/a/overview/1.3.0", introduced_by: [] }),
    );
    const json = JSON.parse(JSON.stringify(a)) as Record<string, unknown>;
    expect(json).toMatchObject({
      id: "npm/a@1.3.0#envVars#key:k1",
      url: "https://socket.dev/npm/package/a/overview/1.3.0",
      purl: "pkg:npm/a@1.3.0",
      introducedBy: [],
    });
    const copy = withFields(a!, { reachability: { state: "reachable", rawState: "reachable" } });
    expect(copy).toMatchObject({ url: a!.url, purl: a!.purl, reachability: { state: "reachable" } });
    expect(a!.reachability).toBeUndefined();
    // A spread is a plain copy with both derived fields (own enumerable accessors).
    expect({ ...a! }).toMatchObject({ url: a!.url, purl: "pkg:npm/a@1.3.0" });
    expect(Object.keys(a!)).toEqual(expect.arrayContaining(["url", "purl"]));
    // Plain data stays plain: withFields on a plain object is a spread.
    const plain = { ...JSON.parse(JSON.stringify(a)) } as Alert;
    expect(withFields(plain, { title: "t" })).toEqual({ ...plain, title: "t" });
  });

  it("a single introducedBy entry repeated across alerts is one frozen list", () => {
    const [a, b] = parse(
      issue({ pkg_name: "a", introduced_by: [["direct", "package.json"]] }),
      issue({ pkg_name: "b", introduced_by: [["direct", "package.json"]] }),
    );
    expect(a!.introducedBy).toBe(b!.introducedBy);
    expect(Object.isFrozen(a!.introducedBy)).toBe(true);
    expect(a!.introducedBy).toEqual([{ source: "direct", manifest: "package.json" }]);
  });
});
