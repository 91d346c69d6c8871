/**
 * Messages a triager can act on (issue 15 §4), end to end: the built CLI in a CI-like
 * environment sends to the Slack emulator (which validates every payload as Slack does), and the
 * tests look at what arrived: suggestion, type key, linked repository / PR / commit / CI run,
 * one entry per package, and the `mention` of trusted config.
 */
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorBotEnv, emulatorHookEnv, enableJsonReport, issue, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;

const GITHUB_ENV = {
  GITHUB_ACTIONS: "true",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/web",
  GITHUB_REF: "refs/pull/42/merge",
  GITHUB_HEAD_REF: "feature/login",
  GITHUB_SHA: "5efacb1a00000000000000000000000000000000",
  GITHUB_RUN_ID: "987654321",
};

const ALERTS = [
  issue("obfuscatedFile", "critical", "evil-pkg", {
    suggestion: "Remove the package <!channel> and rotate any secrets it could read.",
    next_step_title: "What is obfuscated code?",
  }),
  issue("networkAccess", "middle", "evil-pkg"),
  issue("envVars", "low", "evil-pkg"),
  issue("didYouMean", "high", "lodahs"),
];

type Block = { type: string; text?: { text: string }; elements?: { text: string }[] };
const texts = (blocks: Block[]) => blocks.map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(" ") ?? "");

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-messages-");
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

beforeEach(() => emu.reset());

describe("what a triager sees in Slack", () => {
  it("webhook, GitHub Actions PR: suggestion, type keys, one entry per package, linked repo/PR/commit/run", async () => {
    const report = await tmp.write("report.json", enableJsonReport(ALERTS, { branch: "feature/login" }));
    const config = await tmp.write("hook.json", { url: [{ name: "security", url: { env: "HOOK_SECURITY" } }] });
    const r = await runCli(["send", report, "-c", config], {
      env: { ...emulatorHookEnv(emu, ["security"]), ...GITHUB_ENV },
    });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const [m] = emu.messages({ hook: "security" });
    expect(m).toBeDefined();
    const blocks = (m!.payload as { blocks: Block[] }).blocks;
    const all = texts(blocks);
    const context = all[1]!;
    expect(context).toContain("*Repository:* <https://github.com/acme/web|acme/web>");
    expect(context).toContain("*PR:* <https://github.com/acme/web/pull/42|#42>");
    expect(context).toContain(
      "*Commit:* <https://github.com/acme/web/commit/5efacb1a00000000000000000000000000000000|5efacb1a>",
    );
    expect(context).toContain("<https://github.com/acme/web/actions/runs/987654321|CI run>");
    // evil-pkg once, its three alerts beneath; the report's text is escaped.
    const evil = all.find((t) => t.startsWith("📦") && t.includes("evil-pkg"))!;
    expect((evil.match(/npm\/evil-pkg@1\.0\.0/g) ?? []).length).toBe(1);
    expect(evil).toContain("· 3 alerts");
    expect(evil).toContain("*Suggestion:* Remove the package &lt;!channel&gt; and rotate any secrets it could read.");
    expect(evil).toContain("*Next step:* What is obfuscated code?");
    // Each alert's type key on its own line, and all of the message's in small text at its end.
    for (const t of ["obfuscatedFile", "networkAccess", "envVars"])
      expect(evil).toMatch(new RegExp(`\\* \`${t}\`$`, "m"));
    const typeLine = blocks.filter((b) => b.type === "context").at(-1)!;
    expect(texts([typeLine])[0]).toMatch(/^Alert types \(for alert_types \/ exclude_alert_types\): /);
    for (const t of ["obfuscatedFile", "networkAccess", "envVars", "didYouMean"])
      expect(texts([typeLine])[0]).toContain(`\`${t}\``);
    expect(blocks[0]!.text!.text).toBe("🚨 Socket Security: 4 alerts (1 block, 3 warn)");
  });

  it("bot mode, GitLab MR: links to the merge request and the job; mention for critical alerts only", async () => {
    const report = await tmp.write(
      "report-gl.json",
      enableJsonReport(ALERTS, { repo: "group/app", branch: "mr-branch" }),
    );
    const config = await tmp.write("bot.json", {
      mode: "bot",
      bot_configs: [
        {
          name: "security",
          channels: ["#security-alerts"],
          mention: ["<@U012AB3CD>", "<!subteam^SAZ94GDB8>", "!here"],
        },
        {
          name: "quiet",
          channels: ["general"],
          mention: ["!channel"],
          mention_min_severity: "critical",
          min_severity: "high",
          exclude_alert_types: ["obfuscatedFile"],
        },
      ],
    });
    const env = {
      ...emulatorBotEnv(emu),
      GITLAB_CI: "true",
      CI_SERVER_URL: "https://gitlab.example.com",
      CI_PROJECT_PATH: "group/app",
      CI_MERGE_REQUEST_IID: "7",
      CI_COMMIT_SHA: "abcdef1234567890",
      CI_JOB_URL: "https://gitlab.example.com/group/app/-/jobs/555",
    };
    const r = await runCli(["send", report, "-c", config], { env });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const [sec] = emu.messages({ channel: "security-alerts" });
    const payload = sec!.payload as { text: string; blocks: Block[] };
    const all = texts(payload.blocks);
    expect(all[1]).toContain("*PR:* <https://gitlab.example.com/group/app/-/merge_requests/7|#7>");
    expect(all[1]).toContain("<https://gitlab.example.com/group/app/-/jobs/555|CI run>");
    expect(all[2]).toBe("🔔 <@U012AB3CD> <!subteam^SAZ94GDB8> <!here>: 1 critical alert");
    expect(payload.text.startsWith("<@U012AB3CD> <!subteam^SAZ94GDB8> <!here> ")).toBe(true);
    // No critical alert reached "general" (high and above, obfuscatedFile excluded): no mention there.
    const [gen] = emu.messages({ channel: "general" });
    expect(JSON.stringify(gen!.payload)).not.toMatch(/<!channel>|🔔/);
  });

  it("a bad mention token is a config error naming its JSON path (exit 2)", async () => {
    const config = await tmp.write("bad-mention.json", {
      url: "https://hooks.slack.com/services/T0/B0/x",
      url_configs: { default: { mention: ["@oncall"] } },
    });
    const r = await runCli(["validate", "-c", config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/url_configs\.default\.mention\[0\]/);
    expect(r.stderr).toMatch(/not a Slack mention: "@oncall"/);
    expect(r.stderr).toMatch(/<@U…>/);
  });
});
