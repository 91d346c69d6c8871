import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { parseFacts, type ReachabilityFinding, readFactsFile } from "./facts.js";

const FIXTURES = process.env.SOCKET_FIXTURES!;
const FACTS = join(FIXTURES, "synthetic__socket_facts.json");
const factsText = () => readFileSync(FACTS, "utf8");

interface ConvertedAlert {
  title: string;
  severity: string;
  props: {
    cveId: string | null;
    ghsaId: string | null;
    range: string | null;
    purl: string;
    reachability: string;
    undeterminableReachability: boolean;
    trace: string;
    original_severity: string;
  };
}

/** Catch the UserError a call throws. */
function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

describe("parseFacts: the synthetic facts fixture against the Socket CLI's convert_to_alerts (derived fixture)", () => {
  const facts = parseFacts(factsText(), { source: "synthetic__socket_facts.json" });
  const expected = (
    JSON.parse(readFileSync(join(FIXTURES, "derived__facts_convert_to_alerts.json"), "utf8")) as {
      alerts: ConvertedAlert[];
    }[]
  ).flatMap((c) => c.alerts);
  const byId = new Map(facts.findings.map((f) => [f.id, f]));

  it("one finding per vulnerability the Socket CLI converts, plus the missing_support one it later drops (B19); not_applicable counted", () => {
    expect(facts.findings.map((f) => f.id)).toEqual(expected.map((a) => a.title));
    expect(facts.notApplicable).toBe(1); // GHSA-nota-ppli-cabl: reachabilityData and no reachability entry
    expect(facts.components).toBe(4);
    expect(facts.scanId).toBe("9f1c3a2e-0000-4000-8000-000000000001");
  });

  it.each([
    "GHSA-67hx-6x53-jw92",
    "GHSA-zzzz-unkn-0001",
    "GHSA-35jh-r3h4-6jhm",
    "GHSA-29mw-wpgm-hmr9",
    "GHSA-x84v-xcm2-53pg",
    "CVE-2024-35195",
  ])("%s: same ids, purl, range, trace and raw state as the Socket CLI", (id) => {
    const f = byId.get(id)!;
    const a = expected.find((x) => x.title === id)!;
    expect(f.ghsaId ?? null).toBe(a.props.ghsaId);
    expect(f.cveId ?? null).toBe(a.props.cveId);
    expect(f.purl).toBe(a.props.purl);
    expect(f.range ?? null).toBe(a.props.range);
    expect(f.trace ?? "").toBe(a.props.trace);
    expect(f.rawState).toBe(a.props.undeterminableReachability ? "undeterminable" : a.props.reachability);
  });

  it("states: reachable, unknown (undeterminable, missing_support, no reachability entry), unreachable, error", () => {
    const states = Object.fromEntries(facts.findings.map((f) => [f.id, [f.state, f.rawState]]));
    expect(states).toEqual({
      "GHSA-67hx-6x53-jw92": ["reachable", "reachable"],
      "GHSA-zzzz-unkn-0001": ["unknown", "undeterminable"],
      "GHSA-35jh-r3h4-6jhm": ["unreachable", "unreachable"],
      "GHSA-29mw-wpgm-hmr9": ["unknown", "missing_support"],
      "GHSA-x84v-xcm2-53pg": ["error", "error"],
      "CVE-2024-35195": ["unknown", "unknown"],
    });
  });

  it("priority severity as the Socket CLI assigns it; missing_support is unknown, so high (the Socket CLI left it blank and dropped it)", () => {
    for (const a of expected) {
      const f = byId.get(a.title)!;
      expect(f.severity).toBe(a.props.reachability === "missing_support" ? "high" : a.severity);
    }
    // The advisory's own severity is kept: CVSS 7.5 → high, "MODERATE" → medium.
    expect(byId.get("GHSA-x84v-xcm2-53pg")!.advisorySeverity).toBe("high");
    expect(byId.get("CVE-2024-35195")!.advisorySeverity).toBe("medium");
    expect(byId.get("GHSA-67hx-6x53-jw92")!.advisorySeverity).toBeUndefined();
  });

  it("package identity: ecosystem, namespace, name, version, direct/dev", () => {
    const f = byId.get("GHSA-67hx-6x53-jw92")!;
    expect(f).toMatchObject({
      ecosystem: "npm",
      namespace: "@babel",
      name: "traverse",
      version: "7.22.5",
      direct: false,
      dev: true,
    });
    expect(byId.get("CVE-2024-35195")).toMatchObject({ ecosystem: "pypi", name: "requests", version: "2.19.0" });
    expect(byId.get("CVE-2024-35195")!.namespace).toBeUndefined();
  });
});

describe("parseFacts: reference §2.4 and edge cases", () => {
  it("the minimal example of §2.4 gives the documented findings", () => {
    const text = JSON.stringify({
      tier1ReachabilityScanId: "9f1c3a2e-0000-4000-8000-000000000001",
      components: [
        {
          id: "pkg:npm/%40babel/traverse@7.22.5",
          type: "npm",
          namespace: "@babel",
          name: "traverse",
          version: "7.22.5",
          direct: false,
          dev: true,
          vulnerabilities: [
            {
              ghsaId: "GHSA-67hx-6x53-jw92",
              cveId: "CVE-2023-45133",
              range: "<7.23.2",
              reachabilityData: { undeterminableReachability: false },
            },
          ],
          reachability: [
            {
              ghsa_id: "GHSA-67hx-6x53-jw92",
              reachability: [
                {
                  type: "reachable",
                  matches: [
                    [
                      {
                        package: "my-app",
                        sourceLocation: {
                          filename: "src/build.js",
                          start: { line: 12, column: 4 },
                          end: { line: 14, column: 2 },
                        },
                      },
                      {
                        package: "@babel/core",
                        sourceLocation: { filename: "lib/transform.js", start: { line: 88, column: 10 } },
                      },
                    ],
                  ],
                },
              ],
            },
          ],
        },
        {
          id: "pkg:npm/lodash@4.17.20",
          type: "npm",
          name: "lodash",
          version: "4.17.20",
          vulnerabilities: [{ ghsaId: "GHSA-35jh-r3h4-6jhm", reachabilityData: {} }],
          reachability: [{ ghsa_id: "GHSA-35jh-r3h4-6jhm", reachability: [{ type: "unreachable" }] }],
        },
      ],
    });
    const [a, b] = parseFacts(text).findings;
    expect(a).toMatchObject({ severity: "critical", state: "reachable", purl: "pkg:npm/%40babel/traverse@7.22.5" });
    expect(a!.trace).toBe("src/build.js 12:4-14:2\n  -> @babel/core 88:10\n  -> traverse@7.22.5");
    expect(b).toMatchObject({ severity: "low", state: "unreachable" });
  });

  const one = (vuln: Record<string, unknown>, component: Record<string, unknown> = {}): ReachabilityFinding[] =>
    parseFacts(
      JSON.stringify({
        components: [
          { id: "pkg:npm/x@1.0.0", type: "npm", name: "x", version: "1.0.0", vulnerabilities: [vuln], ...component },
        ],
      }),
    ).findings;

  it("states are normalised (case, `-`, spaces); pending and others are kept as unknown with their raw state", () => {
    const entry = (type: string) => ({ reachability: [{ ghsa_id: "GHSA-1", reachability: [{ type }] }] });
    expect(one({ ghsaId: "GHSA-1" }, entry("Reachable"))[0]).toMatchObject({
      state: "reachable",
      rawState: "reachable",
    });
    expect(one({ ghsaId: "GHSA-1" }, entry("missing-support"))[0]).toMatchObject({
      state: "unknown",
      rawState: "missing_support",
    });
    expect(one({ ghsaId: "GHSA-1" }, entry("pending"))[0]).toMatchObject({
      state: "unknown",
      rawState: "pending",
      severity: "high",
    });
    expect(one({ ghsaId: "GHSA-1" }, entry("Potentially Reachable"))[0]).toMatchObject({
      state: "unknown",
      rawState: "potentially_reachable",
    });
    expect(one({ ghsaId: "GHSA-1" }, entry("ERROR"))[0]).toMatchObject({ state: "error", rawState: "error" });
    expect(one({ ghsaId: "GHSA-1" }, entry(""))[0]).toMatchObject({ state: "unknown", rawState: "unknown" });
  });

  it("no GHSA or CVE id: unknown, shown as `Unknown`", () => {
    expect(one({ range: "<2" })[0]).toMatchObject({ id: "Unknown", state: "unknown" });
  });

  it("reachability entries match the CVE id too, in any case; a reachable result wins over an earlier one", () => {
    const f = one(
      { cveId: "CVE-2020-1" },
      {
        reachability: [
          {
            ghsa_id: "cve-2020-1",
            reachability: [
              { type: "unknown" },
              {
                type: "reachable",
                matches: [[{ package: "app", sourceLocation: { filename: "a.js", start: { line: 1, column: 2 } } }]],
              },
            ],
          },
        ],
      },
    )[0]!;
    expect(f).toMatchObject({ state: "reachable", trace: "a.js 1:2\n  -> x@1.0.0" });
  });

  it("undeterminable with an unreachable entry stays unreachable, with priority high (as the Socket CLI)", () => {
    const f = one(
      { ghsaId: "GHSA-1", reachabilityData: { undeterminableReachability: true } },
      { reachability: [{ ghsa_id: "GHSA-1", reachability: [{ type: "unreachable" }] }] },
    )[0]!;
    expect(f).toMatchObject({ state: "unreachable", undeterminable: true, severity: "high" });
  });

  it("trace frames: missing column, same-line end, no filename on the first frame, a later frame without package uses its file", () => {
    const f = one(
      { ghsaId: "GHSA-1" },
      {
        reachability: [
          {
            ghsa_id: "GHSA-1",
            reachability: [
              {
                type: "reachable",
                matches: [
                  [
                    { sourceLocation: { filename: "a.js", start: { line: 3 }, end: { line: 3, column: 9 } } },
                    { sourceLocation: { filename: "lib/b.js", start: { line: 7, column: 1 } } },
                  ],
                  [{ package: "no-file" }, { package: "c" }],
                ],
              },
            ],
          },
        ],
      },
    )[0]!;
    expect(f.trace).toBe("a.js 3:\n  -> lib/b.js 7:1\n  -> c\n  -> x@1.0.0");
  });

  it("Socket's TypeScript field names are read too: `state` for `type`, `sourceLocation.file` for `filename`", () => {
    const f = one(
      { ghsaId: "GHSA-1" },
      {
        reachability: [
          {
            ghsa_id: "GHSA-1",
            reachability: [
              {
                state: "reachable",
                matches: [[{ sourceLocation: { file: "src/i.ts", start: { line: 5, column: 6 } } }]],
              },
            ],
          },
        ],
      },
    )[0]!;
    expect(f).toMatchObject({ state: "reachable", trace: "src/i.ts 5:6\n  -> x@1.0.0" });
  });

  it("unknown fields anywhere are tolerated", () => {
    const text = factsText()
      .replace(/"type": "npm"/, '"type": "npm", "futureField": {"a": [1, 2]}')
      .replace(/"ghsaId": "GHSA-x84v/, '"epss": 0.3, "ghsaId": "GHSA-x84v');
    const withExtra = JSON.parse(text) as Record<string, unknown>;
    withExtra["schemaVersion"] = 7;
    expect(parseFacts(JSON.stringify(withExtra)).findings).toHaveLength(6);
  });

  it("components without vulnerabilities, and an empty components list, give no findings", () => {
    expect(
      parseFacts('{"components": [{"id": "pkg:npm/a@1", "type": "npm", "name": "a", "version": "1"}]}').findings,
    ).toEqual([]);
    expect(parseFacts('{"components": []}').findings).toEqual([]);
  });

  it("the same vulnerability listed twice is one finding", () => {
    const c = { id: "pkg:npm/x@1", type: "npm", name: "x", version: "1", vulnerabilities: [{ ghsaId: "GHSA-1" }] };
    expect(parseFacts(JSON.stringify({ components: [c, c] })).findings).toHaveLength(1);
  });
});

describe("malformed facts: a UserError facts_invalid (exit 2) naming file and JSON path", () => {
  const src = { source: "facts.json" };

  it.each([
    ["invalid JSON, located", '{"components": [}', /^facts\.json: \(top level\): invalid JSON at line 1, column 17/],
    ["empty file", "  \n", /^facts\.json: \(top level\): the file is empty$/],
    ["a list", "[]", /^facts\.json: \(top level\): expected a JSON object, got a list$/],
    ["no components", '{"vulnerabilities": []}', /^facts\.json: components: is required but missing/],
    ["components not a list", '{"components": {}}', /^facts\.json: components: expected a list/],
    [
      "component without type",
      '{"components": [{"name": "x"}]}',
      /^facts\.json: components\[0\]\.type: is required but missing$/,
    ],
    [
      "severity of the wrong type",
      '{"components": [{"type": "npm", "vulnerabilities": [{"ghsaId": "G", "severity": true}]}]}',
      /^facts\.json: components\[0\]\.vulnerabilities\[0\]\.severity: /,
    ],
    [
      "a trace line that is not a number",
      '{"components": [{"type": "npm", "reachability": [{"ghsa_id": "G", "reachability": [{"type": "reachable", "matches": [[{"sourceLocation": {"start": {"line": "12"}}}]]}]}]}]}',
      /^facts\.json: components\[0\]\.reachability\[0\]\.reachability\[0\]\.matches\[0\]\[0\]\.sourceLocation\.start\.line: expected a number/,
    ],
  ])("%s", (_label, text, message) => {
    const e = userError(() => parseFacts(text, src));
    expect(e.code).toBe("facts_invalid");
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
  });

  it("a scan report passed as facts says so", () => {
    const e = userError(() => parseFacts('{"new_alerts": []}', src));
    expect(e.message).toBe("facts.json: components: this is a scan report, not a reachability facts file");
    expect(e.hint).toMatch(/--facts/);
  });

  it("errors do not echo values from the file (they may be anything)", () => {
    const e = userError(() =>
      parseFacts(
        '{"components": [{"type": "npm", "name": ["https://hooks.slack.com/services/T0/B0/secretsecret"]}]}',
        src,
      ),
    );
    expect(e.message).not.toContain("secretsecret");
  });
});

describe("readFactsFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "facts-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the fixture; errors name the path", async () => {
    expect((await readFactsFile(FACTS)).findings).toHaveLength(6);
    const bad = join(dir, ".socket.facts.json");
    await writeFile(bad, '{"components": 3}');
    await expect(readFactsFile(bad)).rejects.toMatchObject({
      code: "facts_invalid",
      exitCode: 2,
      message: `${bad}: components: expected a list, got the number 3`,
    });
  });

  it("a missing file is input_unreadable, exit 2", async () => {
    const missing = join(dir, "nope.json");
    await expect(readFactsFile(missing)).rejects.toMatchObject({
      code: "input_unreadable",
      exitCode: 2,
      message: `${missing}: cannot read the reachability facts (no such file)`,
    });
  });
});
