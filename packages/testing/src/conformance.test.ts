import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The kit must fail broken plugins, not only pass good ones: run it (in a child vitest) on
 * test-fixtures/mutants.fixture.ts and check which checks fail for which variant.
 */
const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "..", "test-fixtures");
const vitestBin = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

interface JsonReport {
  testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
}

let failing: Map<string, string[]>;
let passing: Map<string, string[]>;
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "conformance-mutants-"));
  const out = join(tmp, "report.json");
  const r = spawnSync(
    process.execPath,
    [vitestBin, "run", "--config", join(fixtures, "vitest.config.ts"), "--reporter=json", `--outputFile=${out}`],
    {
      cwd: join(here, "..", "..", ".."),
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    },
  );
  expect(r.status, `the mutant run should fail (it has broken plugins): ${r.stderr.slice(-2000)}`).toBe(1);
  const report = JSON.parse(readFileSync(out, "utf8")) as JsonReport;
  failing = new Map();
  passing = new Map();
  for (const file of report.testResults) {
    for (const t of file.assertionResults) {
      const name = t.ancestorTitles.at(-1) ?? "";
      const map = t.status === "failed" ? failing : t.status === "passed" ? passing : undefined;
      map?.set(name, [...(map.get(name) ?? []), t.title]);
    }
  }
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const failed = (variant: string) => failing.get(variant) ?? [];

describe("the conformance kit", () => {
  it("passes a plugin that follows the contract", () => {
    expect(failed("good")).toEqual([]);
    expect(passing.get("good")?.length).toBeGreaterThanOrEqual(12);
  });

  it.each([
    ["leaks-url-in-target", /secrets in the config never appear/],
    ["never-retries", /answering 500 is retried/],
    ["never-retries", /refused connection is retried/],
    ["retries-4xx", /answering 400 is not retried/],
    ["ignores-retry-after", /429 with Retry-After/],
    ["loose-schema", /rejects junk options/],
    ["no-validation", /rejects junk options/],
    ["mutates-config", /destinations\(\) is pure/],
    ["own-fetch", /through host\.fetch/],
  ])("fails %s on %s", (variant, check) => {
    expect(
      failed(variant).some((t) => check.test(t)),
      `${variant} failed: ${failed(variant).join("; ") || "nothing"}`,
    ).toBe(true);
  });

  it("fails only what is broken", () => {
    expect(failed("ignores-retry-after")).toEqual([expect.stringMatching(/429 with Retry-After/)]);
    expect(failed("mutates-config")).toEqual([expect.stringMatching(/destinations\(\) is pure/)]);
    expect(failed("loose-schema")).toEqual([expect.stringMatching(/rejects junk options/)]);
    expect(failed("own-fetch")).toEqual([expect.stringMatching(/through host\.fetch/)]);
  });
});
