// The `socket-notify` binary runs the CLI from one bundled file with a V8 code cache
// (packages/cli/scripts/bundle.mjs, src/bundle-loader.ts). These tests run what users run and
// check what the bundle changes: imports reaching outside it, plugins with their own copy of
// core, and that it behaves like the unbundled modules.
import { execFileSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, lines, REPO, runCli, tempDir } from "./cli-harness.js";

const REPORT = join(DEMO, "socket-report.json");
const PLUGIN = join(REPO, "test/fixtures/plugins/core-importing.mjs");
const PLUGIN_SECRET = "xoxb-plugin-copy-1234567890-abcdefghij";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("cli-bundle-");
  await mkdir(tmp.path("yaml"));
  await mkdir(tmp.path("code"));
});
afterAll(() => tmp.cleanup());

describe("the bundled binary", () => {
  it("is what the build made: the bundle and its code cache sit next to bin.cjs", () => {
    expect(existsSync(join(REPO, "packages/cli/dist/cli.bundle.cjs"))).toBe(true);
    expect(existsSync(join(REPO, "packages/cli/dist/cli.bundle.cache"))).toBe(true);
  });

  it("its code cache is accepted by this Node (a rejected cache would silently compile from source)", async () => {
    const probe = `const l = require(${JSON.stringify(join(REPO, "packages/cli/dist/bundle-loader.cjs"))});
      const dir = ${JSON.stringify(join(REPO, "packages/cli/dist"))};
      const b = l.loadBundle(dir + "/" + l.BUNDLE_FILE, require("node:fs").readFileSync(dir + "/" + l.CACHE_FILE));
      process.stdout.write(JSON.stringify({ rejected: b.cacheRejected, main: typeof b.exports.main }));`;
    const out = execFileSync(process.execPath, ["-e", probe], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ rejected: false, main: "function" });
  });

  it("prints the same dry-run report as the unbundled modules (SOCKET_NOTIFY_NO_BUNDLE=1)", async () => {
    const env = { SOCKET_SLACK_CONFIG_JSON: '{"url": "https://hooks.slack.com/services/T000/B000/xyz"}' };
    const bundled = await runCli(["send", REPORT, "--dry-run", "--json"], { env });
    const plain = await runCli(["send", REPORT, "--dry-run", "--json"], {
      env: { ...env, SOCKET_NOTIFY_NO_BUNDLE: "1" },
    });
    expect(bundled.code).toBe(0);
    expect(plain.code).toBe(0);
    expect(JSON.parse(bundled.stdout)).toEqual(JSON.parse(plain.stdout));
    expect(bundled.stderr).toBe(plain.stderr);
  });

  it("finds and reads a YAML config (yaml loads from outside the bundle)", async () => {
    const dir = tmp.path("yaml");
    await tmp.write(
      "yaml/.socketnotifyrc.yaml",
      "mode: webhook\nurl:\n  - name: sec\n    url: {env: HOOK}\nurl_configs:\n  sec: {min_severity: critical}\n",
    );
    const r = await runCli(["send", REPORT, "--dry-run"], { cwd: dir });
    expect(r.stderr).toContain("environment variable HOOK is not set");
    expect(r.stdout).toMatch(/• sec: \d+ alerts? in \d+ messages?: dry-run/);
    expect(r.code).toBe(0);
  });

  it("loads an opt-in code config (.mjs) through Node's module loader", async () => {
    const config = await tmp.write(
      "code/socketnotify.config.mjs",
      'export default { url: [{ name: "from-code", url: { env: "HOOK" } }] };\n',
    );
    const r = await runCli(["send", REPORT, "--dry-run", "--allow-code-config", "-c", config]);
    expect(r.stdout).toContain("• from-code:");
    expect(r.code).toBe(0);
  });
});

describe("host.z in the bundle", () => {
  it("is zod's whole namespace, made on first use: keys, `in`, descriptors, read-only, the same as unbundled", async () => {
    const config = await tmp.write("zod-namespace.json", {
      mode: "zod-namespace",
      plugins: [join(REPO, "test/fixtures/plugins/zod-namespace.mjs")],
    });
    const facts = async (env: Record<string, string>) => {
      const out = tmp.path(`zod-namespace-${Object.keys(env).length}.json`);
      await runCli(["validate", "-c", config], { env: { ...env, ZOD_NAMESPACE_OUT: out } });
      return JSON.parse(await readFile(out, "utf8")) as Record<string, unknown>;
    };
    const bundled = await facts({});
    expect(bundled).toMatchObject({ has: true, enumerable: true, stable: true, core: "function", written: false });
    expect(bundled.keys).toBeGreaterThan(200);
    expect(bundled).toEqual(await facts({ SOCKET_NOTIFY_NO_BUNDLE: "1" }));
  });
});

describe("a plugin that imports @socket-notify/core itself", () => {
  it("throws core's UserError: exit 2, its one-line message and hint, no stack trace", async () => {
    const config = await tmp.write("plugin-bad.json", { mode: "core-importing", plugins: [PLUGIN] });
    const r = await runCli(["send", REPORT, "-c", config]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `socket-notify: error: ${config}: sinks: core-importing mode needs at least one sink`,
      '  hint: add "sinks": [{"name": "a", "file": "out.jsonl"}]',
    ]);
  });

  it("its own Secret objects are shown redacted by validate, and its notifier delivers", async () => {
    const out = tmp.path("plugin-out.jsonl");
    const config = await tmp.write("plugin-good.json", {
      mode: "core-importing",
      plugins: [PLUGIN],
      sinks: [{ name: "audit", file: out }],
    });
    const v = await runCli(["validate", "-c", config]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("xoxb-…(plugin)");
    expect(v.stdout + v.stderr).not.toContain(PLUGIN_SECRET);
    const s = await runCli(["send", REPORT, "-c", config]);
    expect(s.code).toBe(0);
    const arrived = lines(await readFile(out, "utf8")).map((l) => JSON.parse(l) as { to: string; alerts: number });
    expect(arrived.length).toBeGreaterThan(0);
    expect(arrived.every((m) => m.to === "audit")).toBe(true);
  });
});
