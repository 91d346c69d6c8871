/**
 * As a user would run it: the plugin folder copied out of this repo (no node_modules anywhere
 * near it), named by path in a --config file, loaded by the engine, delivering to a loopback
 * endpoint.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, isSocketNotifyError, MemoryLogger, reportExitCode } from "@socket-notify/core";
import { botPlugin } from "@socket-notify/slack-bot";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { expectNoSecrets, type HttpSink, startSink, syntheticScan } from "@socket-notify/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const builtins = [webhookPlugin, botPlugin];

let tmp: string;
let sink: HttpSink;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "socket-notify-plugin-"));
  // Only what a user would copy: the plugin, its package.json and README (not our tests).
  cpSync(here, join(tmp, "notifiers", "json-webhook"), { recursive: true, filter: (src) => !src.endsWith(".test.ts") });
  sink = await startSink();
});

afterAll(async () => {
  await sink?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => sink.reset());

function writeConfig(name: string, config: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected it to fail");
}

describe("json-webhook copied out of the repo", () => {
  it("has no node_modules to lean on: core, zod and tsyringe are not resolvable from its folder", () => {
    const pluginFile = join(tmp, "notifiers", "json-webhook", "index.js");
    for (let dir = dirname(pluginFile); ; dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules")), `${dir}/node_modules`).toBe(false);
      if (dir === parse(dir).root) break;
    }
    const req = createRequire(pluginFile);
    for (const pkg of ["@socket-notify/core", "zod", "tsyringe"]) expect(() => req.resolve(pkg), pkg).toThrow();
  });

  it("named by path in a --config file, delivers every routed alert as JSON to each endpoint", async () => {
    const siem = sink.newUrl();
    const all = sink.newUrl();
    const token = "Bearer siem-token-0123456789";
    const configPath = writeConfig("config.json", {
      mode: "json-webhook",
      plugins: ["./notifiers/json-webhook/index.js"],
      endpoints: [
        {
          name: "siem",
          url: { env: "SIEM_URL" },
          headers: { Authorization: { env: "SIEM_TOKEN" } },
          min_severity: "high",
        },
        { name: "everything", url: { env: "ALL_URL" } },
      ],
    });
    const logger = new MemoryLogger();
    const engine = await createEngine({
      configPath,
      plugins: builtins,
      logger,
      env: { SIEM_URL: siem.url, ALL_URL: all.url, SIEM_TOKEN: token },
    });
    const scan = syntheticScan(60);
    const report = await engine.notify(scan);

    expect(reportExitCode(report)).toBe(0);
    expect(report.mode).toBe("json-webhook");
    expect(report.destinations.map((d) => [d.target, d.status])).toEqual([
      ["siem", "sent"],
      ["everything", "sent"],
    ]);

    const bodies = (secret: string) =>
      sink.requests
        .filter((r) => r.path.endsWith(secret))
        .map((r) => r.json as { endpoint: string; alerts: { id: string; severity: string }[]; schema: string });
    const toSiem = bodies(siem.secret);
    const toAll = bodies(all.secret);
    const ids = (bs: typeof toSiem) => bs.flatMap((b) => b.alerts.map((a) => a.id)).sort();

    // Every routed alert arrives, once, with the endpoint's filters applied.
    expect(ids(toAll)).toEqual(scan.alerts.map((a) => a.id).sort());
    const high = scan.alerts.filter((a) => a.severity === "high" || a.severity === "critical");
    expect(high.length).toBeGreaterThan(0);
    expect(ids(toSiem)).toEqual(high.map((a) => a.id).sort());
    expect(toSiem.every((b) => b.endpoint === "siem" && b.schema === "socket-notify.json-webhook/v1")).toBe(true);

    const siemRequest = sink.requests.find((r) => r.path.endsWith(siem.secret))!;
    expect(siemRequest.headers.authorization).toBe(token);
    expect(siemRequest.headers["content-type"]).toMatch(/^application\/json/);
    expect(siemRequest.headers["idempotency-key"]).toMatch(/^[0-9a-f]{32}$/);

    expectNoSecrets(
      { report, logs: logger.lines, destinations: engine.destinations.map((d) => ({ ...d, address: undefined })) },
      [siem.url, all.url, token],
    );
  });

  it("installed as a package in the node_modules next to the config, is named by package name", async () => {
    const project = mkdtempSync(join(tmpdir(), "socket-notify-project-"));
    try {
      cpSync(here, join(project, "node_modules", "socket-notify-json-webhook"), {
        recursive: true,
        filter: (src) => !src.endsWith(".test.ts"),
      });
      const configPath = join(project, "socket-notify.json");
      writeFileSync(
        configPath,
        JSON.stringify({
          mode: "json-webhook",
          plugins: ["socket-notify-json-webhook"],
          endpoints: [{ name: "siem", url: sink.url }],
        }),
      );
      const engine = await createEngine({ configPath, plugins: builtins, env: {} });
      const report = await engine.notify(syntheticScan(2));
      expect(report.destinations.map((d) => [d.target, d.status])).toEqual([["siem", "sent"]]);
      expect(sink.requests).toHaveLength(1);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("an unknown mode lists json-webhook among the modes only when it is loaded", async () => {
    const endpoints = [{ name: "siem", url: sink.url }];
    const without = await errorOf(
      createEngine({
        configPath: writeConfig("no-plugin.json", { mode: "json-webhook", endpoints }),
        plugins: builtins,
        env: {},
      }),
    );
    expect(isSocketNotifyError(without) && without.code).toBe("mode_unknown");
    expect(without.message).toMatch(/unknown mode "json-webhook"; available: webhook, bot$/);

    const typo = await errorOf(
      createEngine({
        configPath: writeConfig("typo.json", {
          mode: "json-webhok",
          plugins: ["./notifiers/json-webhook/index.js"],
          endpoints,
        }),
        plugins: builtins,
        env: {},
      }),
    );
    expect(typo.message).toMatch(
      /unknown mode "json-webhok" \(did you mean "json-webhook"\?\); available: webhook, bot, json-webhook$/,
    );
  });

  it("names itself in errors about its options", async () => {
    const e = await errorOf(
      createEngine({
        configPath: writeConfig("bad.json", {
          mode: "json-webhook",
          plugins: ["./notifiers/json-webhook/index.js"],
          endpoints: [{ name: "siem", url: sink.url, min_severty: "high" }],
        }),
        plugins: builtins,
        env: {},
      }),
    );
    expect(e.message).toBe(
      `bad.json: endpoints[0].min_severty: unknown key "min_severty" (did you mean "min_severity"?) (an option of the "json-webhook" notifier)`.replace(
        "bad.json",
        join(tmp, "bad.json"),
      ),
    );
    const plain = await errorOf(
      createEngine({
        configPath: writeConfig("http.json", {
          mode: "json-webhook",
          plugins: ["./notifiers/json-webhook/index.js"],
          endpoints: [{ name: "siem", url: "http://siem.example.com/in" }],
        }),
        plugins: builtins,
        env: {},
      }),
    );
    expect(plain.message).toMatch(/endpoints\[0\]\.url: json-webhook endpoint "siem" URL must use https \(got http\)$/);
  });

  it("loads only from a --config file: a config found by search may not load code", async () => {
    const dir = mkdtempSync(join(tmp, "project-"));
    writeFileSync(join(dir, "package.json"), "{}");
    writeFileSync(
      join(dir, ".socketnotifyrc.json"),
      JSON.stringify({
        mode: "json-webhook",
        plugins: ["../notifiers/json-webhook/index.js"],
        endpoints: [{ name: "siem", url: sink.url }],
      }),
    );
    const e = await errorOf(createEngine({ cwd: dir, plugins: builtins, env: {} }));
    expect(isSocketNotifyError(e) && e.code).toBe("config_code_not_allowed");
    expect(sink.requests).toHaveLength(0);
  });
});
