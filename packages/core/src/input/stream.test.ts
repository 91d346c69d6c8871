import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScan, readScanFile } from "./parse.js";
import { streamScanFile } from "./stream.js";

// readScanFile streams large reports alert by alert (bench figure 6: memory); parseScan reads the
// whole text. They must agree on every input: same alerts, same context, same errors.
const fixtureDir = process.env.SOCKET_FIXTURES!;

async function both(path: string, strictBlocking: boolean) {
  const text = readFileSync(path, "utf8");
  const viaText = (() => {
    try {
      return { ok: parseScan(text, { source: path, strictBlocking }) };
    } catch (e) {
      return { err: (e as Error).message };
    }
  })();
  // streamFromBytes 0: stream even small files, to test the streaming path on every input.
  const viaFile = await readScanFile(path, { strictBlocking, streamFromBytes: 0 }).then(
    (ok) => ({ ok }),
    (e: Error) => ({ err: e.message }),
  );
  // The default reads small files whole: same result.
  const viaDefault = await readScanFile(path, { strictBlocking }).then(
    (ok) => ({ ok }),
    (e: Error) => ({ err: e.message }),
  );
  expect(viaDefault, `${path}: read whole vs streamed`).toEqual(viaFile);
  return { viaText, viaFile };
}

const tmp = mkdtempSync(join(tmpdir(), "sn-stream-"));

function issue(i: number, extra: Record<string, unknown> = {}) {
  return {
    pkg_type: "npm",
    pkg_name: i % 3 ? `pkg-${i}` : `@scope/pkg-${i}`,
    pkg_version: `1.${i}.0`,
    type: ["malware", "cve", "envVars"][i % 3],
    severity: ["critical", "high", "middle", "low"][i % 4],
    title: `Title ${i} "quoted" \\ back\\slash é ✓ 🚨`,
    description: `desc ${i}\nline two`,
    key: `k${i}`,
    introduced_by: [["direct", "package.json"]],
    purl: `pkg-${i}@1.${i}.0`,
    url: `https://socket.dev/npm/package/pkg-${i}`,
    error: i % 2 === 0,
    warn: i % 2 === 1,
    props: i % 5 === 0 ? { ghsaId: `GHSA-${i}`, cveId: `CVE-2024-${i}` } : {},
    ...extra,
  };
}

describe("streaming readScanFile agrees with parseScan", () => {
  it("on every shared fixture, with and without --strict-blocking", async () => {
    for (const f of readdirSync(fixtureDir)) {
      for (const strict of [false, true]) {
        const { viaText, viaFile } = await both(join(fixtureDir, f), strict);
        expect(viaFile, `${f} strict=${strict}`).toEqual(viaText);
      }
    }
  });

  it("on a large pretty-printed report with multi-byte text across chunk edges, a BOM, and unchanged_alerts first", async () => {
    const report = {
      unchanged_alerts: Array.from({ length: 300 }, (_, i) => issue(i + 10_000)),
      scan_failed: false,
      full_scan_id: "s1",
      repo: "acme/app",
      branch: "main",
      new_alerts: Array.from({ length: 3000 }, (_, i) => issue(i)),
      diff_url: "https://socket.dev/diff",
    };
    const path = join(tmp, "big.json");
    writeFileSync(path, `\uFEFF${JSON.stringify(report, null, 2)}`);
    let seen = 0;
    const streamed = await streamScanFile(path, () => {
      seen++;
      return true;
    });
    expect(streamed, "this file takes the streaming path").toBeDefined();
    expect(seen).toBeGreaterThan(0);
    for (const strict of [false, true]) {
      const { viaText, viaFile } = await both(path, strict);
      expect("ok" in viaFile && viaFile.ok?.alerts.length).toBe(strict ? 3300 : 3000);
      expect(viaFile).toEqual(viaText);
    }
  });

  it("gives the same error, with the same JSON path, for a bad alert deep in a large file", async () => {
    const alerts = Array.from({ length: 2000 }, (_, i) => issue(i));
    (alerts[1500] as Record<string, unknown>).severity = 7;
    const path = join(tmp, "bad.json");
    writeFileSync(path, JSON.stringify({ scan_failed: true, full_scan_id: "x", new_alerts: alerts }));
    const { viaText, viaFile } = await both(path, false);
    expect(viaText).toHaveProperty("err");
    expect(viaFile).toEqual(viaText);
    expect((viaFile as { err: string }).err).toContain("new_alerts[1500].severity");
  });
});
