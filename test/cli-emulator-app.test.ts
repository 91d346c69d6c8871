/**
 * `socket-notify emulator` and the app's receive-side values: printed at start, served by
 * GET /_emulator/app, and --request-url checked like any flag (exit 2 with a hint).
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, lines, runCli } from "./cli-harness.js";

describe("socket-notify emulator: the app", () => {
  it("prints the app's ID, xapp- token, signing secret, request URL, users and groups; GET /_emulator/app agrees", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "emulator", "--port", "0", "--request-url", "http://127.0.0.1:9/slack/events"],
      {
        env: { PATH: process.env.PATH ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    const ready = new Promise<void>((done) =>
      child.stderr
        .setEncoding("utf8")
        .on("data", (c: string) => ((stderr += c), stderr.includes("Press Ctrl-C") && done())),
    );
    const exited = new Promise<number | null>((done) => child.on("close", done));
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    try {
      await ready;
      expect(stdout).toContain("App A0000000001 (receive side):");
      expect(stdout).toMatch(/app-level token +xapp-1-A0000000001-emulator-app-token/);
      expect(stdout).toMatch(/signing secret +emulatorsigningsecret0000000001/);
      expect(stdout).toMatch(/request URL +http:\/\/127\.0\.0\.1:9\/slack\/events/);
      expect(stdout).toMatch(/users +alice \(U1000000001\), bob \(U1000000002\), carol \(U1000000003\)/);
      expect(stdout).toContain("@security-team (S0000000001): U1000000001, U1000000002");
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      const app = (await (await fetch(`${base}/_emulator/app`)).json()) as Record<string, unknown>;
      expect(app).toMatchObject({
        app_id: "A0000000001",
        app_token: "xapp-1-A0000000001-emulator-app-token",
        request_url: "http://127.0.0.1:9/slack/events",
        bot_token: "xoxb-emulator-bot-token",
      });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(guard);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("a --request-url that is not http(s): exit 2 with a hint", async () => {
    const r = await runCli(["emulator", "--request-url", "localhost:3000"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      "socket-notify: error: --request-url: expected an http:// or https:// URL",
      expect.stringMatching(/^ {2}hint: e\.g\. --request-url http/),
    ]);
  });
});
