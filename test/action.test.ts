/**
 * The GitHub Action (action.yml), run exactly as the runner runs it: `node dist-action/index.cjs`
 * (the committed bundle) with the inputs as `INPUT_*` variables, `GITHUB_OUTPUT` and
 * `GITHUB_STEP_SUMMARY` files, and stdout and stderr into one log, against the Slack emulator.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { expectNoSecrets } from "@socket-notify/testing";
import { marked } from "marked";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO, emulatorSecrets, REPO, tempDir } from "./cli-harness.js";

const ENTRY = join(REPO, "dist-action", "index.cjs");
const BOT_TOKEN = "xoxb-emulator-bot-token";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let emulator: SlackEmulator;
let n = 0;

beforeAll(async () => {
  tmp = await tempDir("action-");
  emulator = await startEmulator({ rateLimit: false });
});
afterAll(async () => {
  await emulator?.close();
  await tmp?.cleanup();
});
beforeEach(() => emulator.reset());

interface ActionRun {
  code: number | null;
  /** stdout and stderr as the runner's log has them, interleaved. */
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Every input of action.yml, with its default, as the runner passes them; `inputs` override. */
function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const declared = (
    parseYaml(readFileSync(join(REPO, "action.yml"), "utf8")) as { inputs: Record<string, { default?: string }> }
  ).inputs;
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared))
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? "";
  for (const name of Object.keys(inputs)) if (!(name in declared)) throw new Error(`action.yml has no input ${name}`);
  return env;
}

async function runAction(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  const dir = tmp.path(`run-${++n}`);
  mkdirSync(join(dir, "runner-temp"), { recursive: true });
  const outputFile = join(dir, "output.txt");
  const summaryFile = join(dir, "summary.md");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const logFile = join(dir, "log.txt");
  const fd = openSync(logFile, "w");
  try {
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn(process.execPath, [ENTRY], {
        cwd: tmp.dir,
        env: {
          PATH: process.env.PATH ?? "",
          CI: "true",
          GITHUB_ACTIONS: "true",
          GITHUB_REPOSITORY: "acme/app",
          GITHUB_REF_NAME: "main",
          GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
          GITHUB_WORKSPACE: tmp.dir,
          RUNNER_TEMP: join(dir, "runner-temp"),
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
          ...inputEnv(inputs),
          ...env,
        },
        stdio: ["ignore", fd, fd],
      });
      const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", fail);
      child.on("close", (c) => (clearTimeout(guard), done(c)));
    });
    return {
      code,
      log: readFileSync(logFile, "utf8"),
      outputs: parseOutputs(readFileSync(outputFile, "utf8")),
      summary: readFileSync(summaryFile, "utf8"),
    };
  } finally {
    closeSync(fd);
  }
}

/** `$GITHUB_OUTPUT` as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      expect(end, `output ${block[1]} is not closed by its delimiter`).toBeGreaterThan(i);
      out[block[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

/** The lines before the first that is not `::add-mask::`. */
function maskLines(log: string): string[] {
  const lines = log.split("\n");
  const first = lines.findIndex((l) => !l.startsWith("::add-mask::"));
  return lines.slice(0, first).map((l) => l.slice("::add-mask::".length));
}

/** The log without its `::add-mask::` lines (what could leak a secret). */
function unmasked(log: string): string {
  return log
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n");
}

const report = join(DEMO, "socket-report.json");

describe("the Action, webhook mode", () => {
  it("delivers, masks every webhook URL before printing anything, writes outputs, the report and a summary", async () => {
    const hooks = {
      SLACK_WEBHOOK_SECURITY: emulator.webhookUrl("security"),
      SLACK_WEBHOOK_OPS: emulator.webhookUrl("ops"),
    };
    const config = {
      url: [
        { name: "security", url: { env: "SLACK_WEBHOOK_SECURITY" } },
        { name: "ops", url: { env: "SLACK_WEBHOOK_OPS" } },
      ],
      url_configs: { security: { min_severity: "high" } },
    };
    const r = await runAction({ report, "config-json": JSON.stringify(config) }, hooks);
    expect(r.code).toBe(0);
    expect(maskLines(r.log)).toEqual(expect.arrayContaining(Object.values(hooks)));
    expectNoSecrets({ log: unmasked(r.log), summary: r.summary, outputs: JSON.stringify(r.outputs) }, [
      ...Object.values(hooks),
      ...emulatorSecrets(emulator),
    ]);
    expect(emulator.messages({ hook: "security" }).length).toBeGreaterThan(0);
    expect(emulator.messages({ hook: "ops" }).length).toBeGreaterThan(0);
    expect(Number(r.outputs.delivered)).toBe(emulator.messages().length);
    expect(r.outputs.failed).toBe("0");
    expect(Number(r.outputs.alerts)).toBeGreaterThan(0);
    const saved = JSON.parse(readFileSync(r.outputs.report!, "utf8")) as {
      destinations: { route: string; status: string }[];
    };
    expect(saved.destinations.map((d) => [d.route, d.status])).toEqual([
      ["security", "sent"],
      ["ops", "sent"],
    ]);
    expectNoSecrets([readFileSync(r.outputs.report!, "utf8")], Object.values(hooks));
    expect(r.summary).toContain("### socket-notify");
    expect(r.summary).toMatch(/\| security → hooks\\\.slack\\\.com|\| security → /);
    expect(r.summary).toContain("#### Top alerts");
    expect(r.log).not.toContain("::error");
  });

  it("a failed destination: exit 1 (the CLI's policy), an ::error:: annotation, failed=1, the error and hint in the summary", async () => {
    const config = {
      url: [
        { name: "security", url: { env: "HOOK_A" } },
        { name: "ops", url: { env: "HOOK_B" } },
      ],
    };
    const bad = emulator.webhookUrl("security").replace(/[^/]+$/, "wrongsecret000000000000");
    const r = await runAction(
      { report, "config-json": JSON.stringify(config) },
      { HOOK_A: emulator.webhookUrl("security"), HOOK_B: bad },
    );
    expect(r.code).toBe(1);
    expect(r.outputs.failed).toBe("1");
    expect(r.log).toMatch(/^::error title=socket-notify%3A ops failed::.+/m);
    expect(r.summary).toMatch(/^\| ops → .*❌ failed \| 31 \| 0\/\d+ \| `+ \S+ `+ .+$/m);
    expect(r.summary).toContain("hint:");
    expectNoSecrets({ log: unmasked(r.log), summary: r.summary }, [emulator.webhookUrl("security"), bad]);
  });

  it("goes through HTTPS_PROXY (undici is in the bundle): a proxy that is down is the destination's error", async () => {
    const hook = "https://hooks.slack.com/services/T0000/B0000/abcdefghijklmnop";
    const r = await runAction(
      { report, "config-json": JSON.stringify({ url: { env: "HOOK" } }), timeout: "30" },
      { HOOK: hook, HTTPS_PROXY: "http://127.0.0.1:9" },
    );
    expect(r.code).toBe(1);
    expect(r.log).toMatch(
      /^::error title=socket-notify%3A default failed::default: proxy_error: cannot reach the proxy/m,
    );
    expectNoSecrets({ log: unmasked(r.log), summary: r.summary }, [hook]);
  });

  it("dry-run: sends nothing, still reports the plan", async () => {
    const r = await runAction(
      { report, "config-json": JSON.stringify({ url: { env: "HOOK" } }), "dry-run": "true" },
      { HOOK: emulator.webhookUrl("security") },
    );
    expect(r.code).toBe(0);
    expect(emulator.records()).toHaveLength(0);
    expect(r.outputs.delivered).toBe("0");
    expect(r.summary).toContain("dry run: nothing sent");
  });
});

describe("the Action, bot mode", () => {
  it("outputs the ts and channel of each destination's first message; the token is masked first", async () => {
    const config = tmp.path("bot.socketnotifyrc.json");
    writeFileSync(
      config,
      JSON.stringify({
        mode: "bot",
        bot_configs: [
          { name: "sec", channels: ["security-alerts"], min_severity: "high" },
          { name: "all", channels: ["ops"] },
        ],
      }),
    );
    const r = await runAction(
      { report, config },
      { SOCKET_SLACK_BOT_TOKEN: BOT_TOKEN, SOCKET_SLACK_API_URL: emulator.apiUrl },
    );
    expect(r.code).toBe(0);
    expect(maskLines(r.log)).toContain(BOT_TOKEN);
    expectNoSecrets({ log: unmasked(r.log), summary: r.summary }, [BOT_TOKEN]);
    const messages = JSON.parse(r.outputs.messages!) as Record<string, { ts: string; channel: string }>;
    const firstIn = (name: string) => emulator.messages().find((m) => m.channelName === name && !m.threadTs)!;
    expect(messages.sec).toEqual({ ts: firstIn("security-alerts").ts, channel: firstIn("security-alerts").channel });
    expect(messages.all).toEqual({ ts: firstIn("ops").ts, channel: firstIn("ops").channel });
    expect(r.outputs.ts).toBe(messages.sec!.ts);
    expect(r.outputs.channel).toBe(messages.sec!.channel);
  });
});

describe("the Action, bad inputs (exit 2 with an ::error:: annotation, as the CLI)", () => {
  it.each([
    ["no report", {}, /input report: missing/],
    ["config and config-json", { report, config: "a.json", "config-json": "{}" }, /both given/],
    ["a non-boolean dry-run", { report, "dry-run": "yes" }, /input dry-run: "yes" is not a boolean/],
    [
      "a missing report file",
      { report: "nope.json", "config-json": '{"url":"https://hooks.slack.com/services/T0/B0/x"}' },
      /nope\.json/,
    ],
    ["an invalid config-json", { report, "config-json": "{not json" }, /SOCKET_SLACK_CONFIG_JSON/],
  ])("%s", async (_name, inputs, message) => {
    const r = await runAction(inputs);
    expect(r.code).toBe(2);
    const errors = r.log.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(r.log).not.toMatch(/\n\s+at /);
  });
});

describe("the Action's job summary, from a hostile report", () => {
  const hostile = [
    "[click me](https://evil.example/phish)",
    "<img src=x onerror=alert(1)>",
    "evil | injected | cells",
    "`code` **bold** _it_",
    "https://evil.example/raw",
    "www.evil.example",
    "x@evil.example",
    "<script>alert(1)</script>",
    "![img](https://evil.example/i.png)",
  ];

  it("shows hostile package names and titles as inert text: no link, image or HTML, one table row each", async () => {
    const scan = JSON.parse(readFileSync(report, "utf8")) as { new_alerts: Record<string, unknown>[] };
    scan.new_alerts = hostile.map((name, i) => ({
      ...scan.new_alerts[i],
      pkg_name: name,
      title: `${name}\n| x | y |`,
      severity: "critical",
      type: "malware",
      key: `h${i}`,
      pkg_id: `h${i}`,
    }));
    const file = tmp.path("hostile.json");
    writeFileSync(file, JSON.stringify(scan));
    const r = await runAction(
      {
        report: file,
        "config-json": JSON.stringify({ url: [{ name: "[x](https://evil.example)", url: { env: "HOOK" } }] }),
        "dry-run": "true",
      },
      { HOOK: emulator.webhookUrl("security") },
    );
    expect(r.code).toBe(0);
    const html = await marked.parse(r.summary, { gfm: true });
    expect(html).not.toMatch(/<a[\s>]/);
    expect(html).not.toMatch(/<img|<script/);
    const table = html.slice(html.indexOf("Top alerts"));
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1);
    expect(rows).toHaveLength(hostile.length);
    for (const [, row] of rows) expect([...row!.matchAll(/<td/g)]).toHaveLength(4);
    // The text is still there for a person to read.
    const text = html
      .replace(/<[^>]+>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/\u200b/g, "");
    for (const name of hostile) expect(text).toContain(name);
  });
});

it("action.yml runs the committed bundle on the runner's Node", () => {
  const spec = parseYaml(readFileSync(join(REPO, "action.yml"), "utf8")) as { runs: { using: string; main: string } };
  expect(spec.runs).toEqual({ using: "node24", main: "dist-action/index.cjs" });
  expect(existsSync(ENTRY)).toBe(true);
});
