/**
 * Alert identity, end to end: distinct vulnerabilities of one package (different GHSA/CVE ids,
 * different Socket alert `key`s) are distinct alerts, never "duplicates merged"; the Socket
 * CLI's true duplicates (the same alert listed twice) still merge. The real CLI against the
 * emulator; assertions on what each hook received and on the report's counts.
 */
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorHookEnv, enableJsonReport, issue, received, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;

beforeAll(async () => {
  tmp = await tempDir("cli-distinct-");
});
afterAll(() => tmp.cleanup());
beforeEach(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
});
afterEach(() => emu.close());

const cve = (ghsa: string | undefined, over: Record<string, unknown> = {}) =>
  issue("criticalCVE", "critical", "lodash", {
    props: ghsa ? { ghsaId: ghsa } : {},
    pkg_version: "4.17.20",
    purl: "lodash@4.17.20",
    ...over,
  });

interface Report {
  alerts: { total: number; matched: number; duplicates_merged: number };
  destinations: { status: string; alerts: number }[];
}

async function send(
  alerts: unknown[],
  filter: Record<string, unknown> = {},
  extra: string[] = [],
  over: Record<string, unknown> = {},
) {
  n++;
  const report = await tmp.write(`report-${n}.json`, enableJsonReport(alerts, over));
  const config = await tmp.write(`config-${n}.json`, {
    mode: "webhook",
    url: [{ name: "security", url: { env: "HOOK_SECURITY" } }],
    url_configs: { security: filter },
  });
  const r = await runCli(["send", report, "-c", config, "--json", ...extra], {
    env: emulatorHookEnv(emu, ["security"]),
  });
  return { ...r, report: JSON.parse(r.stdout || "null") as Report };
}

/** Facts for lodash@4.17.20: three advisories, only `reachable` reachable. */
async function facts(ids: string[], reachable: string): Promise<string> {
  n++;
  return tmp.write(`facts-${n}.json`, {
    components: [
      {
        id: "pkg:npm/lodash@4.17.20",
        type: "npm",
        name: "lodash",
        version: "4.17.20",
        direct: true,
        vulnerabilities: ids.map((ghsaId) => ({
          ghsaId,
          range: "<4.17.21",
          reachabilityData: { undeterminableReachability: false },
        })),
        reachability: ids.map((ghsa_id) => ({
          ghsa_id,
          reachability: [{ type: ghsa_id === reachable ? "reachable" : "unreachable" }],
        })),
      },
    ],
  });
}

const IDS = ["GHSA-aaaa-aaaa-aaaa", "GHSA-bbbb-bbbb-bbbb", "GHSA-cccc-cccc-cccc"];

describe("distinct vulnerabilities of one package are distinct alerts", () => {
  it("three criticalCVE alerts of lodash@4.17.20 with different GHSA ids: all three arrive, nothing merged", async () => {
    const r = await send(IDS.map((id) => cve(id)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.alerts).toMatchObject({ total: 3, matched: 3, duplicates_merged: 0 });
    expect(r.stderr).not.toMatch(/duplicate/);
    const got = received(emu, { hook: "security" });
    for (const id of IDS) expect(got).toContain(id);
  });

  it("different CVE ids (no GHSA), and snake_case ids, are distinct too", async () => {
    const r = await send([
      cve(undefined, { props: { cveId: "CVE-2020-0001" } }),
      cve(undefined, { props: { cve_id: "CVE-2020-0002" } }),
      cve(undefined, { props: { ghsa_id: "GHSA-dddd-dddd-dddd" } }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.alerts).toMatchObject({ total: 3, duplicates_merged: 0 });
  });

  it("Socket's alert key decides when present: the same type on one package under two keys is two alerts", async () => {
    const r = await send([
      issue("envVars", "low", "env-peeker", { key: "k-env-1" }),
      issue("envVars", "low", "env-peeker", { key: "k-env-2" }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.alerts).toMatchObject({ total: 2, matched: 2, duplicates_merged: 0 });
  });

  it("with facts and reachability_alerts_only, the reachable one of three is sent even when it is listed last", async () => {
    const f = await facts(IDS, IDS[2]!);
    const r = await send(
      IDS.map((id) => cve(id)),
      { reachability_alerts_only: true },
      ["--facts", f],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.destinations[0]).toMatchObject({ status: "sent", alerts: 1 });
    const got = received(emu, { hook: "security" });
    expect(got).toContain(IDS[2]);
    expect(got).not.toContain(IDS[0]);
    expect(got).not.toContain(IDS[1]);
  });

  it("with facts, the reachable one listed first or in the middle is sent too (whichever order the CLI lists them)", async () => {
    for (const reachable of [IDS[0]!, IDS[1]!]) {
      await emu.close();
      emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
      const r = await send(
        IDS.map((id) => cve(id)),
        { reachability_alerts_only: true },
        ["--facts", await facts(IDS, reachable)],
      );
      expect(r.code, r.stderr).toBe(0);
      expect(received(emu, { hook: "security" })).toContain(reachable);
      expect(r.report.destinations[0]).toMatchObject({ alerts: 1 });
    }
  });
});

describe("the Socket CLI's true duplicates still merge", () => {
  it("the same alert (same key) listed twice in new_alerts: one alert, 1 duplicate merged", async () => {
    const a = issue("envVars", "low", "env-peeker", { key: "k-env-1" });
    const r = await send([a, a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.alerts).toMatchObject({ total: 1, duplicates_merged: 1 });
  });

  it("the same CVE (same GHSA id, no key) listed twice: merged", async () => {
    const r = await send([cve(IDS[0]), cve(IDS[0]), cve(IDS[1])]);
    expect(r.report.alerts).toMatchObject({ total: 2, duplicates_merged: 1 });
  });

  it("alerts without key or id (the same type on the same package version): merged, as before", async () => {
    const r = await send([issue("envVars", "low", "env-peeker"), issue("envVars", "low", "env-peeker")]);
    expect(r.report.alerts).toMatchObject({ total: 1, duplicates_merged: 1 });
  });

  it("--strict-blocking: an alert in both new and unchanged (same key) is one alert; another key is another", async () => {
    const a = issue("networkAccess", "middle", "chatty-lib", { key: "k-net-1" });
    const r = await send([a], {}, ["--strict-blocking"], { unchanged_alerts: [a, { ...a, key: "k-net-2" }] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.alerts).toMatchObject({ total: 2, duplicates_merged: 1 });
  });
});
