import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { botPlugin } from "@socket-notify/slack-bot";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../engine.js";
import { UserError } from "../errors.js";
import { createHost } from "../host.js";
import { readScanFile } from "../input/parse.js";
import { silentLogger } from "../logger.js";
import { type NotifierPlugin } from "../contract/plugin.js";
import { expectNoSecrets } from "../testing/index.js";
import { CONFIG_ENV, findConfig, type RawConfig } from "./load.js";
import { resolveConfig } from "./resolve.js";

const HOOK_A = "https://hooks.slack.com/services/T0000AAAA/B0000AAAA/aaaaaaaaaaaaaaaaaaaaaaaa";
const HOOK_B = "https://hooks.slack.com/services/T0000BBBB/B0000BBBB/bbbbbbbbbbbbbbbbbbbbbbbb";
const TOKEN = "xoxb-1111111111-2222222222-cccccccccccccccccccccccc";
// The Slack plugins import core's built dist; these tests run core's sources. Same shapes, two
// declarations (Secret's #private differs), so the types need a nudge; at run time they are one contract.
const builtins = [webhookPlugin, botPlugin] as unknown as NotifierPlugin[];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sn-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(rel: string, content: string | object): Promise<string> {
  const p = join(dir, rel);
  await mkdir(join(p, ".."), { recursive: true });
  await writeFile(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

async function rejection(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected an error");
}

function resolveRaw(raw: unknown, kind: RawConfig["source"]["kind"] = "env", env: Record<string, string> = {}) {
  const label = kind === "env" ? CONFIG_ENV : "socketnotify.json";
  const host = createHost({ env, configSource: label, logger: silentLogger });
  return resolveConfig({ raw, source: { kind, label, baseDir: dir, code: false } }, { builtins, host });
}

describe("findConfig: sources and precedence", () => {
  it("--config beats SOCKET_SLACK_CONFIG_JSON beats the search", async () => {
    await write("package.json", { name: "app" });
    await write(".socketnotifyrc.json", { mode: "searched" });
    const flag = await write("other/given.json", { mode: "flag" });
    const env = { [CONFIG_ENV]: JSON.stringify({ mode: "env" }) };

    const a = await findConfig({ configPath: flag, env, cwd: dir });
    expect(a).toMatchObject({
      raw: { mode: "flag" },
      source: { kind: "flag", label: flag, baseDir: join(dir, "other"), code: false },
    });
    const b = await findConfig({ env, cwd: dir });
    expect(b).toMatchObject({ raw: { mode: "env" }, source: { kind: "env", label: CONFIG_ENV } });
    const c = await findConfig({ env: {}, cwd: dir });
    expect(c).toMatchObject({
      raw: { mode: "searched" },
      source: { kind: "search", label: join(dir, ".socketnotifyrc.json") },
    });
  });

  it("a relative --config is resolved from the working directory", async () => {
    await write("cfg/c.yaml", "mode: bot\n");
    expect((await findConfig({ configPath: "cfg/c.yaml", env: {}, cwd: dir }))?.raw).toEqual({ mode: "bot" });
  });

  it("an empty or blank SOCKET_SLACK_CONFIG_JSON counts as unset", async () => {
    await write(".socketnotifyrc.json", { mode: "searched" });
    expect((await findConfig({ env: { [CONFIG_ENV]: "  " }, cwd: dir }))?.source.kind).toBe("search");
  });

  const searched: [string, string, unknown][] = [
    [".socketnotifyrc", '{"mode": "json-rc"}', { mode: "json-rc" }],
    [
      ".socketnotifyrc",
      "mode: yaml-rc\nurl_configs:\n  default: {}\n",
      { mode: "yaml-rc", url_configs: { default: {} } },
    ],
    [".socketnotifyrc.json", '{"mode": "rc-json"}', { mode: "rc-json" }],
    [".socketnotifyrc.yaml", "mode: rc-yaml\n", { mode: "rc-yaml" }],
    [".socketnotifyrc.yml", "mode: rc-yml\n", { mode: "rc-yml" }],
    ["socketnotify.config.json", '{"mode": "config-json"}', { mode: "config-json" }],
    ["package.json", '{"name": "app", "socketnotify": {"mode": "pkg"}}', { mode: "pkg" }],
  ];
  it.each(searched)("finds %s (%#)", async (name, content, expected) => {
    await write(name, content);
    const found = await findConfig({ env: {}, cwd: dir });
    expect(found?.raw).toEqual(expected);
    expect(found?.source).toMatchObject({ kind: "search", label: join(dir, name) });
  });

  it("searches from a subdirectory up to the project root, and no further", async () => {
    await write("outer/.socketnotifyrc.json", { mode: "outside-the-project" });
    await write("outer/proj/package.json", { name: "proj" });
    await mkdir(join(dir, "outer/proj/src/deep"), { recursive: true });
    expect(await findConfig({ env: {}, cwd: join(dir, "outer/proj/src/deep") })).toBeUndefined();
    await write("outer/proj/.socketnotifyrc.yml", "mode: in-project\n");
    expect((await findConfig({ env: {}, cwd: join(dir, "outer/proj/src/deep") }))?.raw).toEqual({ mode: "in-project" });
  });

  it("package.json without a socketnotify key does not count; the next file does", async () => {
    await write("package.json", { name: "app" });
    await write("socketnotify.config.json", { mode: "from-file" });
    expect((await findConfig({ env: {}, cwd: dir }))?.raw).toEqual({ mode: "from-file" });
  });

  it("nothing found → undefined", async () => {
    await write("package.json", { name: "app" });
    expect(await findConfig({ env: {}, cwd: dir })).toBeUndefined();
  });
});

describe("findConfig: code configs", () => {
  for (const name of [".socketnotifyrc.mjs", ".socketnotifyrc.js", "socketnotify.config.cjs"]) {
    it(`a found ${name} is refused without allowCodeConfig`, async () => {
      await write("package.json", { name: "app", type: "module" });
      const p = await write(
        name,
        name.endsWith("cjs") ? "module.exports = { mode: 'code' };" : "export default { mode: 'code' };",
      );
      const e = await rejection(findConfig({ env: {}, cwd: dir }));
      expect(e.code).toBe("config_code_not_allowed");
      expect(e.message).toContain(p);
      expect(e.message).toContain("--allow-code-config");
      expect(e.hint).toMatch(/pull request/);
    });
  }

  it("loads a found .mjs config with allowCodeConfig (a function export is called)", async () => {
    await write("package.json", { name: "app" });
    await write(".socketnotifyrc.mjs", "export default () => ({ mode: 'code' });");
    expect(await findConfig({ env: {}, cwd: dir, allowCodeConfig: true })).toMatchObject({
      raw: { mode: "code" },
      source: { kind: "search", code: true },
    });
  });

  it("--config x.js is refused without the flag, loaded with it", async () => {
    const p = await write("x.mjs", "export default { mode: 'code' };");
    expect((await rejection(findConfig({ configPath: p, env: {}, cwd: dir }))).code).toBe("config_code_not_allowed");
    expect((await findConfig({ configPath: p, env: {}, cwd: dir, allowCodeConfig: true }))?.raw).toEqual({
      mode: "code",
    });
  });

  it("a code config that throws is a config error naming the file", async () => {
    const p = await write("bad.mjs", "throw new Error('boom');");
    const e = await rejection(findConfig({ configPath: p, env: {}, cwd: dir, allowCodeConfig: true }));
    expect(e.code).toBe("config_invalid");
    expect(e.message).toBe(`${p}: loading the config module failed: boom`);
  });
});

describe("findConfig: errors", () => {
  it("invalid JSON in SOCKET_SLACK_CONFIG_JSON is an error (B2), with position and no secret", async () => {
    const env = { [CONFIG_ENV]: `{"url": "${HOOK_A}" "url_configs": {}}` };
    const e = await rejection(findConfig({ env, cwd: dir }));
    expect(e.code).toBe("config_invalid");
    expect(e.message).toMatch(
      /^SOCKET_SLACK_CONFIG_JSON: invalid JSON at line 1, column \d+: unexpected "\\"": a missing comma/,
    );
    expect(e.hint).toMatch(/quoting/);
    expectNoSecrets([e, e.message, e.hint], [HOOK_A]);
    const single = await rejection(findConfig({ env: { [CONFIG_ENV]: "{'url': 'x'}" }, cwd: dir }));
    expect(single.message).toContain("line 1, column 2");
  });

  it("invalid JSON and YAML files name the line", async () => {
    const json = await write(".socketnotifyrc.json", '{\n  "mode": "webhook",\n}\n');
    expect((await rejection(findConfig({ env: {}, cwd: dir }))).message).toBe(
      `${json}: invalid JSON at line 3, column 1: unexpected "}": a property name that is not in double quotes (or a trailing comma)`,
    );
    const yaml = await write("c.yaml", "mode: webhook\nurl_configs:\n  default: {\n   x: [\n");
    const e = await rejection(findConfig({ configPath: yaml, env: {}, cwd: dir }));
    expect(e.message).toMatch(
      new RegExp(`^${yaml.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: invalid YAML at line \\d+, column \\d+`),
    );
  });

  it("a missing --config file, and a package.json without the key", async () => {
    expect((await rejection(findConfig({ configPath: join(dir, "nope.json"), env: {}, cwd: dir }))).message).toMatch(
      /cannot read the config file \(no such file\)/,
    );
    const pkg = await write("package.json", { name: "x" });
    expect((await rejection(findConfig({ configPath: pkg, env: {}, cwd: dir }))).message).toBe(
      `${pkg}: has no "socketnotify" key`,
    );
  });
});

describe("resolveConfig: validation", () => {
  it('an unknown filter key suggests the right one ("severites" → severities)', async () => {
    const e = await rejection(resolveRaw({ url: HOOK_A, url_configs: { default: { severites: ["high"] } } }));
    expect(e.code).toBe("config_invalid");
    expect(
      e.message.startsWith(
        'SOCKET_SLACK_CONFIG_JSON: url_configs.default.severites: unknown key "severites" (did you mean "severities"?)',
      ),
    ).toBe(true);
    expect(e.path).toBe("url_configs.default.severites");
    expect(e.hint).toBe('rename it to "severities"');
  });

  it("an unknown top-level key suggests, or lists the known keys", async () => {
    expect((await rejection(resolveRaw({ url: HOOK_A, url_config: {} }))).message).toContain(
      'unknown key "url_config" (did you mean "url_configs"?)',
    );
    const far = await rejection(resolveRaw({ url: HOOK_A, zzzzzzzz: 1 }));
    expect(far.message).toContain('unknown key "zzzzzzzz"');
    expect(far.hint).toMatch(/known keys here: .*url_configs/);
  });

  it('a string where a list belongs is an error naming the path (B7: "sec" is not s, e, c)', async () => {
    const e = await rejection(resolveRaw({ mode: "bot", bot_configs: [{ name: "sec", channels: "sec" }] }));
    expect(
      e.message.startsWith('SOCKET_SLACK_CONFIG_JSON: bot_configs[0].channels: expected a list, got the string "sec"'),
    ).toBe(true);
    expect(e.hint).toBe('write it as a list: ["sec"]');
  });

  it("a wrong type deep inside names the JSON path", async () => {
    const e = await rejection(
      resolveRaw({ url: HOOK_A, url_configs: { default: { reachability_alerts_only: "yes" } } }),
    );
    expect(
      e.message.startsWith(
        "SOCKET_SLACK_CONFIG_JSON: url_configs.default.reachability_alerts_only: expected true or false, got a string",
      ),
    ).toBe(true);
    expect((await rejection(resolveRaw({ url: HOOK_A, max_messages: 0 }))).path).toBe("max_messages");
  });

  it("sizes and shapes are said in users' words, not zod's", async () => {
    const empty = await rejection(resolveRaw({ mode: "bot", bot_configs: [{ name: "x", channels: [] }] }));
    expect(
      empty.message.startsWith("SOCKET_SLACK_CONFIG_JSON: bot_configs[0].channels: must not be an empty list"),
    ).toBe(true);
    expect(empty.hint).toBe("add at least one entry");
    const zero = await rejection(resolveRaw({ url: HOOK_A, max_messages: 0 }));
    expect(zero.message).toBe("SOCKET_SLACK_CONFIG_JSON: max_messages: the number 0 is too small");
    expect(zero.hint).toBe("use a number of at least 1");
    expect((await rejection(resolveRaw({ url: HOOK_A, max_messages: 1000 }))).hint).toBe("use a number of at most 100");
    const list = await rejection(resolveRaw({ url: HOOK_A, url_configs: [] }));
    expect(list.message.startsWith("SOCKET_SLACK_CONFIG_JSON: url_configs: expected an object, got a list")).toBe(true);
    expect(list.hint).toBe("change it to an object");
  });

  it("an unknown severity lists the valid ones", async () => {
    const e = await rejection(
      resolveRaw({ url: HOOK_A, url_configs: { default: { severities: ["High", "severe"] } } }),
    );
    expect(
      e.message.startsWith('SOCKET_SLACK_CONFIG_JSON: url_configs.default.severities[1]: unknown severity "severe"'),
    ).toBe(true);
    expect(e.hint).toContain("low, medium, middle, high, critical");
  });

  it("an unknown level lists block and warn", async () => {
    const e = await rejection(resolveRaw({ url: HOOK_A, levels: ["error"] }));
    expect(e.path).toBe("levels[0]");
    expect(e.hint).toBe('use one of "block", "warn"');
  });

  it("an unknown mode lists the modes, and suggests for a case typo (Webhook)", async () => {
    const e = await rejection(resolveRaw({ mode: "Webhook", url: HOOK_A }));
    expect(e.code).toBe("mode_unknown");
    expect(e.message).toBe(
      'SOCKET_SLACK_CONFIG_JSON: mode: unknown mode "Webhook" (did you mean "webhook"?); available: webhook, bot',
    );
    expect((await rejection(resolveRaw({ mode: "teams" }))).message).toContain("available: webhook, bot");
  });

  it("a config that is not an object", async () => {
    expect((await rejection(resolveRaw([]))).message).toBe(
      "SOCKET_SLACK_CONFIG_JSON: expected a JSON object, got a list",
    );
    expect((await rejection(resolveRaw("x"))).message).toBe(
      "SOCKET_SLACK_CONFIG_JSON: expected a JSON object, got a string",
    );
  });

  it("plugins are code: refused from the env var or a searched file without allowCodeConfig", async () => {
    for (const kind of ["env", "search"] as const) {
      const e = await rejection(resolveRaw({ url: HOOK_A, plugins: ["./p.mjs"] }, kind));
      expect(e.code).toBe("config_code_not_allowed");
      expect(e.path).toBe("plugins");
    }
  });

  it("warns about a literal secret in a config file, not in the env var; never echoes it", async () => {
    const file = await resolveRaw({ url: HOOK_A }, "flag");
    expect(file.warnings).toHaveLength(1);
    expect(file.warnings[0]).toMatch(/^socketnotify\.json: url: a literal secret in a config file/);
    expectNoSecrets([file.warnings], [HOOK_A]);
    expect((await resolveRaw({ url: HOOK_A }, "env")).warnings).toEqual([]);
    expect((await resolveRaw({ url: { env: "HOOK" } }, "flag")).warnings).toEqual([]);
  });

  it("errors about a secret-bearing key never echo its value", async () => {
    const e = await rejection(resolveRaw({ url: 42, bot_token: TOKEN }));
    expect(e.path).toBe("url");
    const e2 = await rejection(resolveRaw({ mode: "bot", bot_token: [TOKEN], bot_configs: [{ channels: ["a"] }] }));
    expect(e2.path).toBe("bot_token");
    expectNoSecrets([e, e2], [TOKEN]);
  });
});

describe("drop-in: the Socket CLI's configs (reference §1.3, §1.4, §4) are accepted unchanged", () => {
  const env = { SOCKET_SLACK_BOT_TOKEN: TOKEN };
  const examples: [string, object][] = [
    ["documented simple form", { url: HOOK_A }],
    ["minimal working form", { url: HOOK_A, url_configs: { default: {} } }],
    ["explicit webhook mode", { mode: "webhook", url: HOOK_A, url_configs: { default: {} } }],
    [
      "list of strings",
      {
        url: [HOOK_A, HOOK_B],
        url_configs: { webhook_0: { severities: ["middle"] }, webhook_1: { alert_types: ["usesEval"] } },
      },
    ],
    [
      "list of {url, name}",
      {
        url: [{ url: HOOK_A, name: "security" }, { url: HOOK_B }],
        url_configs: { security: { repos: ["basic-python"] }, webhook_1: {} },
      },
    ],
    [
      "every filter key",
      {
        url: HOOK_A,
        url_configs: {
          default: {
            repos: ["test_org/basic-python"],
            alert_types: ["usesEval"],
            severities: ["high", "middle"],
            reachability_alerts_only: true,
          },
        },
      },
    ],
    [
      "strict + reachability test config (§4)",
      { url: HOOK_A, url_configs: { default: { reachability_alerts_only: true } } },
    ],
    ["enabled false", { enabled: false, url: HOOK_A, url_configs: { default: {} } }],
    ["levels from SOCKET_SLACK_LEVELS", { levels: ["block", "warn"], url: HOOK_A, url_configs: { default: {} } }],
    [
      "bot mode",
      {
        mode: "bot",
        bot_configs: [
          { name: "security", channels: ["security-alerts", "C0123456789"], severities: ["high", "critical"] },
        ],
      },
    ],
    [
      "bot mode, unnamed, with filters",
      {
        mode: "bot",
        bot_configs: [
          { channels: ["alerts"], repos: ["basic-python"], alert_types: ["usesEval"], reachability_alerts_only: false },
        ],
      },
    ],
    [
      "bot mode, several entries",
      {
        mode: "bot",
        bot_configs: [
          { name: "a", channels: ["one"] },
          { name: "b", channels: ["two", "three"], severities: ["middle"] },
        ],
      },
    ],
  ];

  it.each(examples)("%s", async (_name, config) => {
    const engine = await createEngine({ config, env, plugins: builtins });
    expect(engine.destinations.length).toBeGreaterThan(0);
    const input = await readScanFile(`${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`);
    const plan = engine.plan(input);
    expectNoSecrets(
      [
        plan.warnings,
        plan.destinations.map((d) => [
          d.destination.target,
          d.destination.route,
          d.excluded.reasons.map((x) => x.reason),
        ]),
      ],
      [HOOK_A, HOOK_B, TOKEN],
    );
  });

  it("routes the fixture as the Socket CLI intended, minus its bugs", async () => {
    const input = await readScanFile(`${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`);
    const route = async (config: object) => {
      const plan = (await createEngine({ config, env, plugins: builtins })).plan(input);
      return Object.fromEntries(plan.destinations.map((d) => [d.destination.target, d.matched.length]));
    };
    // B1: no url_configs entry → everything, not disabled.
    expect(await route({ url: HOOK_A })).toEqual({ default: 8 });
    // B6: "middle" and "medium" both match Socket's middle (3 alerts in the fixture).
    expect(
      await route({
        url: [HOOK_A, HOOK_B],
        url_configs: { webhook_0: { severities: ["middle"] }, webhook_1: { severities: ["Medium"] } },
      }),
    ).toEqual({ webhook_0: 3, webhook_1: 3 });
    // B8: bare repo and owner/repo both match test_org/basic-python.
    expect(
      await route({
        url: [
          { url: HOOK_A, name: "bare" },
          { url: HOOK_B, name: "other" },
        ],
        url_configs: { bare: { repos: ["basic-python"] }, other: { repos: ["someone/else"] } },
      }),
    ).toEqual({ bare: 8, other: 0 });
    // alert_types AND severities (the Socket CLI let alert_types override severities).
    expect(
      await route({
        url: HOOK_A,
        url_configs: { default: { alert_types: ["usesEval", "envVars"], severities: ["low"] } },
      }),
    ).toEqual({ default: 3 });
    // bot mode: one destination per channel.
    expect(
      await route({
        mode: "bot",
        bot_configs: [{ name: "s", channels: ["#Sec", "C0123456789"], severities: ["middle"] }],
      }),
    ).toEqual({ "#sec": 3, C0123456789: 3 });
  });

  it("warns where semantics differ from the Socket CLI", async () => {
    const engine = await createEngine({
      config: {
        url: HOOK_A,
        url_configs: { default: { alert_types: ["usesEval"], severities: ["low"], reachability_alerts_only: true } },
      },
      env,
      plugins: builtins,
    });
    const w = engine.validationWarnings();
    expect(w.some((x) => /url_configs\.default: alert_types and severities now both apply/.test(x))).toBe(true);
    expect(w.some((x) => /reachability_alerts_only has no effect without --facts/.test(x))).toBe(true);
  });

  it("enabled: false plans nothing to send", async () => {
    const engine = await createEngine({ config: { enabled: false, url: HOOK_A }, env, plugins: builtins });
    const input = await readScanFile(`${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`);
    const report = await engine.notify(input);
    expect(report.destinations.every((d) => d.status === "skipped")).toBe(true);
    expect(report.warnings.some((w) => /enabled is false/.test(w))).toBe(true);
  });
});
