/** Runs the embedding example as a program, against the Slack emulator, and checks what a user sees. */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectNoSecrets, type SlackEmulator, startEmulator } from "@socket-notify/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const tool = join(here, "notify-scan.js");
const scan = join(here, "sample-scan.json");

let emulator: SlackEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ rateLimit: false });
});
afterAll(() => emulator?.close());
beforeEach(() => emulator.reset());

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tool, ...args], {
      cwd: here,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("examples/embedding: notify-scan", () => {
  it("sends the scan's alerts to the webhook and prints a summary from the report", async () => {
    const url = emulator.webhookUrl("security");
    const r = await run([scan], { SLACK_WEBHOOK_URL: url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("3 alert(s) in the scan, 3 routed\n  default: sent, 3 alert(s) in 1/1 message(s)\n");
    const posted = emulator.messages({ hook: "security" });
    expect(posted).toHaveLength(1);
    expect(posted[0]!.channelName).toBe("security-alerts");
    expect(JSON.stringify(posted[0]!.payload)).toContain("event-strem");
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [url]);
  });

  it("applies its own option through the config it builds in code", async () => {
    const r = await run([scan, "--min-severity", "high"], { SLACK_WEBHOOK_URL: emulator.webhookUrl("ops") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 alert(s) in the scan, 2 routed");
    const text = JSON.stringify(emulator.messages({ hook: "ops" })[0]!.payload);
    expect(text).toContain("lodash");
    expect(text).not.toContain("requests-toolbelt");
  });

  it("a dry run sends nothing", async () => {
    const r = await run([scan, "--dry-run"], { SLACK_WEBHOOK_URL: emulator.webhookUrl("dev") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(dry run: nothing sent)");
    expect(emulator.records()).toHaveLength(0);
  });

  it("a refused delivery is exit code 1 with Slack's reason in the summary, and no secret", async () => {
    const url = emulator.webhookUrl("security");
    emulator.fault({ target: { hook: "security" }, kind: "status", error: "no_service" });
    const r = await run([scan], { SLACK_WEBHOOK_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/default: failed, 3 alert\(s\) in 0\/1 message\(s\): the webhook no longer exists/);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [url]);
  });

  it("bad setup is exit code 2 with a one-line error and a hint, not a stack trace", async () => {
    const r = await run([scan], {});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^notify-scan: error: config: url: environment variable SLACK_WEBHOOK_URL is not set\n {2}hint: /,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const missing = await run(["no-such-scan.json"], { SLACK_WEBHOOK_URL: emulator.webhookUrl("dev") });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^notify-scan: error: no-such-scan.json: cannot read the scan report \(no such file\)/,
    );
  });
});
