/**
 * What a pull request controls (files in the checkout, repo/branch/PR names, package names and
 * alert texts in the report) against the built CLI and the Slack emulator: it cannot print the
 * CI's environment, send the bot token to a listener of its own, or forge CI log lines.
 */
import { execFileSync } from "node:child_process";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  emulatorBotEnv,
  emulatorHookEnv,
  emulatorSecrets,
  enableJsonReport,
  issue,
  received,
  runCli,
  type RunResult,
  tempDir,
} from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let outside: Awaited<ReturnType<typeof tempDir>>;
let checkout: string;
let report: string;

/** What a CI job's environment holds besides socket-notify's own secrets. */
const CI_SECRETS = {
  GITHUB_TOKEN: "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
  NPM_TOKEN: "npm_abcdefghijklmnopqrstuvwxyz0123456789",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  DEPLOY_PASSWORD: "correct-horse-battery",
  // A value holding ": " is what makes /proc/self/environ parse as YAML.
  COMMIT_MESSAGE: "fix: everything",
};

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-trust-");
  outside = await tempDir("cli-trust-outside-");
  report = await tmp.write("report.json", enableJsonReport([issue("malware", "critical", "evil-pkg")]));
});
afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
  await outside?.cleanup();
});

let n = 0;
beforeEach(async () => {
  emu.reset();
  // A fresh checkout per test: a git work tree with a package.json.
  checkout = tmp.path(`checkout-${++n}`);
  await mkdir(join(checkout, ".git"), { recursive: true });
  await writeFile(join(checkout, "package.json"), '{"name": "app"}');
});

function noSecrets(r: RunResult, extra: string[] = []): void {
  expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [
    ...Object.values(CI_SECRETS),
    ...emulatorSecrets(emu),
    ...extra,
  ]);
}

describe("a config file committed to the checkout", () => {
  it("a link to /proc/self/environ: exit 2, the environment not printed", async () => {
    await symlink("/proc/self/environ", join(checkout, ".socketnotifyrc.yaml"));
    for (const cmd of [
      ["send", report],
      ["validate"],
      ["validate", "--json"],
      ["send", report, "--dry-run", "--debug"],
    ]) {
      const r = await runCli(cmd, { cwd: checkout, env: CI_SECRETS });
      expect(r.code, cmd.join(" ")).toBe(2);
      expect(r.stderr).toContain(".socketnotifyrc.yaml: is a symbolic link to a file outside");
      noSecrets(r);
      expect(r.stderr).not.toContain("fix: everything");
    }
  });

  it("the environment's contents copied into the file: errors quote no value of it", async () => {
    const environ = Object.entries({ ...CI_SECRETS, HOME: "/root" }).map(([k, v]) => `${k}=${v}`);
    const files: Record<string, string> = {
      ".socketnotifyrc.yaml": environ.join("\0"),
      ".socketnotifyrc": environ.join("\n"),
      ".socketnotifyrc.yml": `mode: ${CI_SECRETS.DEPLOY_PASSWORD}\n`,
      "socketnotify.config.json": JSON.stringify({
        mode: "bot",
        bot_configs: [{ channels: ["a"], [CI_SECRETS.AWS_SECRET_ACCESS_KEY]: 1 }],
      }),
    };
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(checkout, name), content);
      const r = await runCli(["validate"], { cwd: checkout, env: CI_SECRETS });
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain(name);
      noSecrets(r);
      await rm(join(checkout, name));
    }
  });

  it("a FIFO, a link to /dev/zero or /dev/stdin: exit 2 at once, no hang", async () => {
    execFileSync("mkfifo", [join(checkout, ".socketnotifyrc.json")]);
    let r = await runCli(["send", report], { cwd: checkout, killAfterMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(".socketnotifyrc.json: is not a regular file (a FIFO)");
    await rm(join(checkout, ".socketnotifyrc.json"));
    for (const target of ["/dev/zero", "/dev/stdin", "/dev/urandom"]) {
      await symlink(target, join(checkout, ".socketnotifyrc.json"));
      r = await runCli(["send", report], { cwd: checkout, killAfterMs: 20_000, stdin: "{}" });
      expect(r.code, target).toBe(2);
      expect(r.stderr, target).toMatch(
        /\.socketnotifyrc\.json: is a symbolic link to a file outside|not a regular file/,
      );
      await rm(join(checkout, ".socketnotifyrc.json"));
    }
  });

  it("url_configs keyed __proto__, constructor or prototype: exit 2 naming the key", async () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      await writeFile(
        join(checkout, ".socketnotifyrc.json"),
        `{"url": [{"name": "sec", "url": {"env": "HOOK_SECURITY"}}], "url_configs": {"${key}": {"alert_types": ["none"]}}}`,
      );
      const r = await runCli(["send", report], { cwd: checkout, env: emulatorHookEnv(emu, ["security"]) });
      expect(r.code, key).toBe(2);
      expect(r.stderr).toContain(`.socketnotifyrc.json: url_configs.${key}: the key "${key}" is not allowed`);
      expect(emu.records()).toHaveLength(0);
    }
  });

  it("a YAML tag on a token: a warning in socket-notify's words, never the line", async () => {
    const token = "xoxb-1111111111-2222222222-cccccccccccccccccccccccc";
    await writeFile(
      join(checkout, ".socketnotifyrc.yaml"),
      `mode: bot\nbot_token: !vault ${token}\nbot_configs:\n  - channels: [sec]\n`,
    );
    const r = await runCli(["validate"], { cwd: checkout });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "line 2, column 12: a YAML tag socket-notify does not know: the value is read as plain text",
    );
    expect(r.stderr).not.toContain("!vault");
    noSecrets(r, [token]);
  });

  it("an upper-case HOOKS.SLACK.COM URL is redacted wherever it is echoed", async () => {
    const hook = "https://HOOKS.SLACK.COM/services/T0000AAAA/B0000AAAA/AbCdEfGhIjKlMnOpQrStUvWx";
    await writeFile(join(checkout, ".socketnotifyrc.json"), JSON.stringify({ url: hook, url_configs: { [hook]: {} } }));
    let r = await runCli(["validate"], { cwd: checkout });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("url_configs[…]: a key that is not a plain name (not shown) names no webhook");
    noSecrets(r, [hook, hook.toLowerCase(), "AbCdEfGhIjKlMnOpQrStUvWx"]);
    await writeFile(
      join(checkout, ".socketnotifyrc.json"),
      JSON.stringify({
        url: [
          { name: "a", url: hook },
          { name: "b", url: hook.toLowerCase() },
        ],
      }),
    );
    r = await runCli(["validate", "--json"], { cwd: checkout });
    expect(r.code).toBe(0);
    noSecrets(r, [hook, "AbCdEfGhIjKlMnOpQrStUvWx", "abcdefghijklmnopqrstuvwx"]);
    // Echoed as the value of a key whose values are quoted (mode): redacted by its shape, in any case.
    await writeFile(
      join(checkout, ".socketnotifyrc.json"),
      JSON.stringify({ url: hook, mode: hook.replace("services", "SERVICES") }),
    );
    r = await runCli(["validate"], { cwd: checkout });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mode: unknown mode");
    noSecrets(r, [hook, "AbCdEfGhIjKlMnOpQrStUvWx"]);
    // A key that is a secret of no known shape is not quoted either.
    await writeFile(
      join(checkout, ".socketnotifyrc.json"),
      JSON.stringify({ url: hook, url_configs: { "s3cr3t value=42": {} } }),
    );
    r = await runCli(["validate"], { cwd: checkout });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "url_configs[…]: a key that is not a plain name (not shown) names no webhook; webhooks: default",
    );
    expect(r.stderr).not.toContain("s3cr3t");
  });

  it("a warning Node prints for a library (here: a code config) goes through the scrubber, on one line", async () => {
    await writeFile(
      join(checkout, ".socketnotifyrc.mjs"),
      `process.emitWarning("leaked " + process.env.GITHUB_TOKEN + "\\n::error::forged");\nexport default { url: "https://hooks.slack.com/services/T1/B1/abcdefabcdef" };\n`,
    );
    const r = await runCli(["validate", "--allow-code-config"], { cwd: checkout, env: CI_SECRETS });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("warning: Warning: leaked $GITHUB_TOKEN(****)\\u000a::error::forged");
    expect(r.stderr).not.toMatch(/^\(node:\d+\)/m);
    noSecrets(r);
  });
});

describe("the bot token goes to a loopback API URL only from a trusted config", () => {
  const BOT = {
    mode: "bot",
    bot_token: { env: "SOCKET_SLACK_BOT_TOKEN" },
    bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
  };
  const spellings = (apiUrl: string): string[] => {
    const u = new URL(apiUrl);
    return [
      "127.0.0.1",
      "localhost",
      "LOCALHOST",
      "2130706433",
      "0x7f.1",
      "127.1",
      "0177.0.0.1",
      "[::ffff:127.0.0.1]",
      "[::1]",
      "0.0.0.0",
    ].map((h) => `http://${h}:${u.port}${u.pathname}`);
  };

  it("from a file the search found, in every spelling of loopback: exit 2 and no request at all", async () => {
    const token = emulatorBotEnv(emu).SOCKET_SLACK_BOT_TOKEN!;
    for (const url of spellings(emu.apiUrl)) {
      for (const name of [".socketnotifyrc.json", "package.json"]) {
        await writeFile(
          join(checkout, name),
          JSON.stringify(
            name === "package.json"
              ? { name: "app", socketnotify: { ...BOT, slack_api_url: url } }
              : { ...BOT, slack_api_url: url },
          ),
        );
        const r = await runCli(["send", report], { cwd: checkout, env: { SOCKET_SLACK_BOT_TOKEN: token } });
        expect(r.code, `${name}: ${url}`).toBe(2);
        expect(r.stderr, url).toContain("slack_api_url: Slack API URL points at this machine");
        expect(r.stderr).toContain("SOCKET_SLACK_API_URL");
        await rm(join(checkout, name));
      }
      await writeFile(join(checkout, "package.json"), '{"name": "app"}');
      // --config naming a file inside the checkout is the checkout's file too.
      await writeFile(join(checkout, "ci", "sn.json"), JSON.stringify({ ...BOT, slack_api_url: url })).catch(
        async () => {
          await mkdir(join(checkout, "ci"));
          await writeFile(join(checkout, "ci", "sn.json"), JSON.stringify({ ...BOT, slack_api_url: url }));
        },
      );
      const r = await runCli(["send", report, "--config", "ci/sn.json"], {
        cwd: checkout,
        env: { SOCKET_SLACK_BOT_TOKEN: token },
      });
      expect(r.code, `--config ci/sn.json: ${url}`).toBe(2);
    }
    expect(emu.records()).toHaveLength(0);
    // About 30 CLI starts in a row: on a loaded 2-core CI machine that is more than 30 s.
  }, 120_000);

  it("from SOCKET_SLACK_API_URL, SOCKET_SLACK_CONFIG_JSON or --config outside the checkout: delivered", async () => {
    const env = emulatorBotEnv(emu);
    const url = spellings(emu.apiUrl).find((u) => u.includes("2130706433"))!;
    await writeFile(join(checkout, ".socketnotifyrc.json"), JSON.stringify(BOT));
    const runs = [
      await runCli(["send", report], { cwd: checkout, env }),
      await runCli(["send", report], {
        cwd: checkout,
        env: {
          SOCKET_SLACK_BOT_TOKEN: env.SOCKET_SLACK_BOT_TOKEN!,
          SOCKET_SLACK_CONFIG_JSON: JSON.stringify({ ...BOT, slack_api_url: url }),
        },
      }),
      await runCli(
        ["send", report, "--config", await outside.write("sn.json", { ...BOT, slack_api_url: emu.apiUrl })],
        { cwd: checkout, env: { SOCKET_SLACK_BOT_TOKEN: env.SOCKET_SLACK_BOT_TOKEN! } },
      ),
    ];
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      noSecrets(r);
    }
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(3);
  });
});

describe("CI log injection: untrusted text prints as one line and never as a workflow command", () => {
  const EVIL = [
    "\n::error file=x::forged",
    "\r\n::add-mask::forged",
    "\u2028::stop-commands::forged",
    "\u0085##[error]forged",
    "\u001b[2K\rforged",
    "\u202eforged",
  ];
  const evil = (i: number) => EVIL[i % EVIL.length]!;

  /** Every printed line: none may be (or, after spaces, start with) a workflow command, or be the injected text alone. */
  function expectNoForgedLines(r: RunResult): void {
    for (const line of `${r.stdout}\n${r.stderr}`.split(/\r?\n/)) {
      expect(line, JSON.stringify(line)).not.toMatch(/^\s*(::|##)/);
      expect(line).not.toMatch(/^\s*forged/);
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    }
  }

  it("repo, branch, PR, package names, alert types and titles in a dry run, a send and its report", async () => {
    const alerts = Array.from({ length: 6 }, (_, i) =>
      issue(i % 2 ? `malware${evil(i)}` : "malware", "critical", `pkg-${i}${evil(i + 1)}`, {
        title: `title ${evil(i + 2)}`,
        description: evil(i + 3),
        pkg_version: `1.0.${i}${evil(i + 4)}`,
      }),
    );
    const path = await tmp.write(
      `evil-${n}.json`,
      enableJsonReport(alerts, { repo: `acme/web${evil(0)}`, branch: `main${evil(1)}`, pr_number: `7${evil(5)}` }),
    );
    const config = {
      url: [
        { name: `sec${evil(2)}`, url: { env: "HOOK_SECURITY" } },
        { name: "none", url: { env: "HOOK_OPS" } },
      ],
      url_configs: { none: { alert_types: ["nothing"], repos: [`x${evil(3)}`] } },
    };
    const env = {
      ...emulatorHookEnv(emu, ["security", "ops"]),
      SOCKET_SLACK_CONFIG_JSON: JSON.stringify(config),
      GITHUB_HEAD_REF: `feature${evil(4)}`,
      GITHUB_ACTIONS: "true",
    };
    const runs = [
      await runCli(["send", path, "--dry-run"], { cwd: checkout, env }),
      await runCli(["send", path, "--pr", "7", "--branch", `b${evil(0)}`], { cwd: checkout, env }),
      await runCli(["send", path, "--quiet"], { cwd: checkout, env }),
      await runCli(["send", path, "--json"], { cwd: checkout, env }),
      await runCli(["validate"], { cwd: checkout, env }),
      await runCli(["validate", "--json"], { cwd: checkout, env }),
    ];
    for (const r of runs) {
      expect([0, 1]).toContain(r.code);
      expectNoForgedLines(r);
      noSecrets(r);
    }
    // The dry run lists the excluded alerts one by one, each on its own line with the escapes visible.
    expect(runs[0]!.stdout).toMatch(/^ +- pkg-\d.*\\u000a::error file=x::forged/m);
    // What reached Slack has no C0/C1/bidi/separator character either.
    expect(received(emu, { hook: "security" })).not.toMatch(
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]|\\u00(0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])/,
    );
  });

  it("errors that quote untrusted values are one line too", async () => {
    const bad = await tmp.write(`bad-${n}.json`, {
      ...enableJsonReport([issue("malware", "critical", "x")]),
      new_alerts: [{ ...issue("malware", "critical", "x"), severity: `nope${evil(0)}` }],
    });
    for (const argv of [
      ["send", bad, "--dry-run"],
      ["send", "no\n::error::such-file.json"],
      ["help", "\n::error::x"],
      ["send", bad, "--timeout", "1\n::error::x"],
    ]) {
      const r = await runCli(argv, {
        cwd: checkout,
        env: {
          SOCKET_SLACK_CONFIG_JSON: JSON.stringify({ url: "https://hooks.slack.com/services/T1/B1/abcdefabcdef" }),
        },
      });
      expectNoForgedLines(r);
    }
  });
});
