/**
 * The CLI's other commands end to end, as the built binary: validate, schema, --version,
 * --help, usage errors with suggestions, and the bundled demo.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, lines, REPO, runCli, tempDir } from "./cli-harness.js";

// Shaped like real credentials, never sent anywhere (validate and schema send nothing).
const HOOK_A = "https://hooks.slack.com/services/T0AAAA111/B0BBBB222/abcdefghijklmnopqrstuvwx";
const HOOK_B = "https://hooks.slack.com/services/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";
const TOKEN = "xoxb-111111111111-2222222222222-abcdefghijklmnopqrstuvwx";
const SECRETS = [HOOK_A, HOOK_B, "abcdefghijklmnopqrstuvwx", "zyxwvutsrqponmlkjihgfedc", TOKEN];

let tmp: Awaited<ReturnType<typeof tempDir>>;
let webhookConfig: string;

beforeAll(async () => {
  tmp = await tempDir("cli-commands-");
  webhookConfig = await tmp.write("webhook.json", {
    mode: "webhook",
    url: [
      { name: "security", url: { env: "HOOK_SECURITY" } },
      { name: "ops", url: { env: "HOOK_OPS" } },
    ],
    url_configs: {
      security: { min_severity: "high" },
      ops: { alert_types: ["malware", "didYouMean"], repos: ["acme/web"] },
    },
  });
});

afterAll(async () => {
  await tmp?.cleanup();
});

describe("validate", () => {
  it("lists each destination with its filters and the webhook redacted, exit 0", async () => {
    const r = await runCli(["validate", "-c", webhookConfig], { env: { HOOK_SECURITY: HOOK_A, HOOK_OPS: HOOK_B } });
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe(`${webhookConfig}: valid · mode webhook`);
    expect(out[1]).toMatch(/^ {2}security\b.*\[min_severity=high\]$/);
    expect(out[2]).toMatch(/^ {2}ops\b.*\[.*\]$/);
    expect(out[2]).toContain("alert_types=malware,didYouMean");
    expect(out[2]).toContain("repos=acme/web");
    expect(r.stdout).toContain("hooks.slack.com/services/T…/B…/****");
    expect(r.stderr).toBe("");
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, SECRETS);
  });

  it("literal secrets in the file: valid with a warning, never printed (text and --json)", async () => {
    const cfg = await tmp.write("literal.json", { mode: "webhook", url: [{ name: "a", url: HOOK_A }, HOOK_B] });
    const r = await runCli(["validate", "-c", cfg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hooks.slack.com/services/T…/B…/****");
    expect(r.stderr).toMatch(/warning: .*url\[0\]\.url: a literal secret in a config file/);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, SECRETS);

    const j = await runCli(["validate", "-c", cfg, "--json"]);
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout) as {
      valid: boolean;
      mode: string;
      destinations: { route: string }[];
      warnings: string[];
    };
    expect(report.valid).toBe(true);
    expect(report.mode).toBe("webhook");
    expect(report.destinations.map((d) => d.route)).toEqual(["a", "webhook_1"]);
    expect(report.warnings.length).toBeGreaterThan(0);
    expectNoSecrets({ stdout: j.stdout, stderr: j.stderr }, SECRETS);
  });

  it("bot mode: channels listed, the token never shown", async () => {
    const cfg = await tmp.write("bot.json", {
      mode: "bot",
      bot_token: TOKEN,
      bot_configs: [{ name: "sec", channels: ["#security-alerts", "C0123456789"], min_severity: "critical" }],
    });
    const r = await runCli(["validate", "-c", cfg]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).slice(1)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}sec → #security-alerts\b/),
        expect.stringMatching(/^ {2}sec → C0123456789\b/),
      ]),
    );
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, SECRETS);
  });

  it("env secrets unset: still valid, a warning per variable", async () => {
    const r = await runCli(["validate", "-c", webhookConfig]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*HOOK_SECURITY is not set/);
    expect(r.stderr).toMatch(/warning: .*HOOK_OPS is not set/);
  });

  it("config from SOCKET_SLACK_CONFIG_JSON and from a .socketnotifyrc.json in a parent directory", async () => {
    const env = await runCli(["validate"], {
      env: { SOCKET_SLACK_CONFIG_JSON: JSON.stringify({ mode: "webhook", url: { env: "H" } }), H: HOOK_A },
    });
    expect(env.code).toBe(0);
    expect(lines(env.stdout)[0]).toBe("SOCKET_SLACK_CONFIG_JSON: valid · mode webhook");
    expectNoSecrets({ stdout: env.stdout, stderr: env.stderr }, SECRETS);

    const project = await tempDir("cli-validate-rc-");
    try {
      const rc = await project.write(".socketnotifyrc.json", { mode: "webhook", url: { env: "H" } });
      const { mkdir } = await import("node:fs/promises");
      await mkdir(project.path("a", "b"), { recursive: true });
      const r = await runCli(["validate"], { cwd: project.path("a", "b"), env: { H: HOOK_A } });
      expect(r.code).toBe(0);
      expect(lines(r.stdout)[0]).toBe(`${rc}: valid · mode webhook`);
    } finally {
      await project.cleanup();
    }
  });

  it("invalid config: exit 2, one error line naming file and key with a suggestion, a hint, no stack", async () => {
    const cfg = await tmp.write("bad.json", { mode: "webhok", url: { env: "H" } });
    const r = await runCli(["validate", "-c", cfg]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const err = lines(r.stderr);
    expect(err[0]).toMatch(
      /^socket-notify: error: .*bad\.json: mode: unknown mode "webhok" \(did you mean "webhook"\?\)/,
    );
    expect(err[1]).toMatch(/^ {2}hint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a filter key misspelt: exit 2 naming it", async () => {
    const cfg = await tmp.write("bad-key.json", {
      mode: "webhook",
      url: { env: "H" },
      url_configs: { default: { min_severity: "hihg" } },
    });
    const r = await runCli(["validate", "-c", cfg], { env: { H: HOOK_A } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^socket-notify: error: .*url_configs\.default\.min_severity/);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, SECRETS);
  });

  it("no config anywhere: exit 2 with how to give one", async () => {
    const empty = await tempDir("cli-noconfig-");
    try {
      const r = await runCli(["validate"], { cwd: empty.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^socket-notify: error: no config found\n {2}hint: .*SOCKET_SLACK_CONFIG_JSON.*--config/,
      );
    } finally {
      await empty.cleanup();
    }
  });

  it("--config to a missing file: exit 2 naming it", async () => {
    const r = await runCli(["validate", "-c", tmp.path("nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope.json");
  });
});

describe("schema", () => {
  it("prints a valid JSON Schema with the core, webhook and bot keys", async () => {
    const r = await runCli(["schema"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { $schema: string; type: string; properties: Record<string, unknown> };
    expect(s.$schema).toMatch(/json-schema\.org/);
    expect(s.type).toBe("object");
    for (const k of [
      "mode",
      "url",
      "url_configs",
      "bot_configs",
      "bot_token",
      "slack_api_url",
      "enabled",
      "max_messages",
    ])
      expect(s.properties).toHaveProperty(k);
    expect(r.stderr).toBe("");
  });

  it("--out FILE writes the same schema; nothing on stdout", async () => {
    const file = tmp.path("schema.json");
    const r = await runCli(["schema", "--out", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const printed = await runCli(["schema"]);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(JSON.parse(printed.stdout));
  });
});

describe("--version, --help and usage errors", () => {
  it("--version and `version` print the package version", async () => {
    const pkg = JSON.parse(await readFile(join(REPO, "packages/cli/package.json"), "utf8")) as { version: string };
    for (const args of [["--version"], ["version"]]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it("--help and `help` print the overview with every command and the exit codes", async () => {
    for (const r of await Promise.all([["--help"], ["-h"], ["help"]].map((args) => runCli(args)))) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^socket-notify — /);
      for (const c of ["send", "validate", "schema", "retry", "emulator", "demo", "preview"])
        expect(r.stdout).toMatch(new RegExp(`socket-notify ${c}\\b`));
      expect(r.stdout).toMatch(/Exit codes: 0 .*1 .*2 /);
    }
  });

  it("each command's --help (and `help CMD`) describes that command", async () => {
    const commands = ["send", "validate", "schema", "retry", "emulator", "demo", "preview"];
    const runs = await Promise.all(commands.map((c) => runCli([c, "--help"])));
    runs.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`socket-notify ${commands[i]}`)).toBe(true);
    });
    const send = await runCli(["send", "--help"]);
    expect((await runCli(["help", "send"])).stdout).toBe(send.stdout);
    for (const o of [
      "--facts",
      "--strict-blocking",
      "--dry-run",
      "--out",
      "--json",
      "--timeout",
      "--outbox",
      "--repo",
      "--quiet",
    ])
      expect(send.stdout).toContain(o);
  });

  it("an unknown command close to a real one: exit 2 with the suggestion", async () => {
    const r = await runCli(["sned", "report.json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toEqual([
      'socket-notify: error: unknown command "sned" (did you mean "send"?)',
      "  hint: run socket-notify --help for the commands",
    ]);
    const v = await runCli(["valdate"]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('did you mean "validate"?');
  });

  it("an unknown option: exit 2 with the suggestion", async () => {
    const r = await runCli(["send", "report.json", "--dryrun"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe("socket-notify: error: unknown option --dryrun (did you mean --dry-run?)");
    const j = await runCli(["send", "report.json", "--jsn"]);
    expect(j.code).toBe(2);
    expect(j.stderr).toContain("did you mean --json?");
  });

  it("an option of another command, a missing value, a bad number: exit 2 each", async () => {
    const other = await runCli(["validate", "--dry-run"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/validate: --dry-run is not an option of this command/);
    const missing = await runCli(["send", "report.json", "--config"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--config.*needs a value/);
    const bad = await runCli(["send", "report.json", "-c", webhookConfig, "--timeout", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--timeout: expected a number of seconds/);
  });

  it("send with no input: exit 2 saying what to pass", async () => {
    const r = await runCli(["send", "-c", webhookConfig]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/send: no scan report given\n {2}hint: .*--enable-json/);
  });

  it("an input file that does not exist: exit 2 naming it, no stack", async () => {
    const r = await runCli(["send", tmp.path("missing-report.json"), "-c", webhookConfig], {
      env: { HOOK_SECURITY: HOOK_A, HOOK_OPS: HOOK_B },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing-report\.json: cannot read the scan report \(no such file\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, SECRETS);
  });
});

describe("demo", () => {
  it("runs the bundled example through both modes against an in-process emulator: exit 0, every channel shown, no stack", async () => {
    // From an unrelated directory, so the example is found from the CLI's own location.
    const r = await runCli(["demo"], { cwd: tmp.dir, killAfterMs: 28_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1. Webhook mode: examples/demo/webhook.socketnotifyrc.json");
    expect(r.stdout).toContain("2. Bot mode: examples/demo/bot.socketnotifyrc.json");
    for (const ch of ["#security-alerts", "#ops", "#dev", "#general"])
      expect(r.stdout).toMatch(new RegExp(`^ {2}${ch}: \\d+ messages?$`, "m"));
    expect(r.stdout).toMatch(/✗ archive → #old-alerts/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at |internal error/);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [
      "emulatorhooksecret0001",
      "emulatorhooksecret0002",
      "emulatorhooksecret0003",
      "xoxb-emulator-bot-token",
    ]);
    // Outside the clone neither `socket-notify` nor `npx` finds it: the next steps run the built file.
    const send = await pasteNextStep(r.stdout, tmp.dir);
    expect(send.command).toMatch(
      /^node \S+\/packages\/cli\/dist\/bin\.cjs send \S+\/examples\/demo\/socket-report\.json /,
    );
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/^socket-notify: 31 alerts, 30 routed .*dry run: nothing sent$/m);
  });

  it("npm start, in the clone: the next steps are commands that run there as printed (npx --no-install, no bare socket-notify)", async () => {
    const r = await runCli(["demo"], { cwd: REPO, killAfterMs: 28_000 });
    expect(r.code).toBe(0);
    const next = r.stdout.slice(r.stdout.indexOf("Next steps:"));
    expect(next).toContain("\n  npx --no-install socket-notify emulator    # this emulator in the foreground");
    expect(next).toContain("npx --no-install socket-notify emulator keeps one running");
    // `socket-notify` is not on PATH in a checkout: no line may start with it.
    expect(next).not.toMatch(/^\s+socket-notify /m);
    const send = await pasteNextStep(r.stdout, REPO);
    expect(send.command).toBe(
      "npx --no-install socket-notify send examples/demo/socket-report.json --facts examples/demo/socket.facts.json --config examples/demo/webhook.socketnotifyrc.json --dry-run",
    );
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/^socket-notify: 31 alerts, 30 routed .*dry run: nothing sent$/m);
  });
});

/** The demo's first "next step" (the dry run), pasted into a shell in `cwd`. */
async function pasteNextStep(stdout: string, cwd: string) {
  const command = stdout.split("\n")[stdout.split("\n").indexOf("Next steps:") + 1]?.trim() ?? "";
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    // npx only, no network: --no-install never fetches, and offline it cannot even ask the registry.
    const child = spawn("sh", ["-c", command], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "", npm_config_offline: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 40_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout: out, stderr: err });
    });
  });
  return { command, ...r };
}

describe("emulator", () => {
  it("prints its URLs and hooks, answers a webhook post and stops cleanly on SIGTERM (exit 0)", async () => {
    const child = spawn(process.execPath, [BIN, "emulator", "--port", "0", "--no-rate-limit"], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    const ready = new Promise<void>((done) =>
      child.stderr
        .setEncoding("utf8")
        .on("data", (c: string) => ((stderr += c), stderr.includes("Press Ctrl-C") && done())),
    );
    const exited = new Promise<number | null>((done) => child.on("close", done));
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      await ready;
      expect(stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(stderr).toMatch(
        /Live view: http:\/\/127\.0\.0\.1:\d+\/ \(open it in a browser\)\. Press Ctrl-C to stop\./,
      );
      const hook = /(http:\/\/127\.0\.0\.1:\d+\/services\/\S+)/.exec(
        stdout.split("\n").find((l) => /^\s+security\s/.test(l)) ?? "",
      )?.[1];
      expect(hook).toBeDefined();
      const res = await fetch(hook!, { method: "POST", body: JSON.stringify({ text: "hello" }) });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(guard);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("a port in use: exit 2 with a hint", async () => {
    const { createServer } = await import("node:net");
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runCli(["emulator", "--port", String(port)]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toEqual([
        `socket-notify: error: --port ${port}: the port is in use`,
        expect.stringMatching(/^ {2}hint: /),
      ]);
    } finally {
      server.close();
    }
  });
});
