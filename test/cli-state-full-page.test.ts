/**
 * A living message whose first page is full (one block per package entry: 50 blocks) still
 * fits Slack's 50 blocks once state adds its counts line, on post and on update.
 */
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { emulatorBotEnv, enableJsonReport, issue, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-state-full-page-");
});
afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

const calls = () =>
  emu.records().filter((r) => r.kind === "api" && (r.method === "chat.postMessage" || r.method === "chat.update"));
const blocksOf = (r: { payload: Record<string, unknown> }) => (r.payload.blocks as unknown[]).length;

it("a full first page keeps its counts and type keys within 50 blocks", async () => {
  const config = await tmp.write("bot.json", {
    mode: "bot",
    bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
    state: "state/state.json",
  });
  const send = async (alerts: unknown[]) => {
    const file = await tmp.write(
      `r-${alerts.length}.json`,
      enableJsonReport(alerts, { repo: "acme/web", branch: "x", commit_sha: "1a2b3c4d5e6f" }),
    );
    return runCli(["send", file, "-c", config, "--pr", "42"], { env: emulatorBotEnv(emu) });
  };
  const alerts = Array.from({ length: 60 }, (_, i) => issue("envVars", "low", `pkg-${i}`));

  const first = await send(alerts);
  expect(first.stderr).not.toMatch(/error|warning/i);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain("sec → #security-alerts: posted (60 new, 0 resolved)");
  const posted = calls();
  expect(posted.map((r) => r.ok)).toEqual([true, true]);
  expect(blocksOf(posted[0] as { payload: Record<string, unknown> })).toBe(50);
  const page = JSON.stringify(posted[0]?.payload);
  expect(page).toContain("60 alerts");
  expect(page).toContain("Alert types (for alert_types / exclude_alert_types): `envVars`");

  const before = calls().length;
  const second = await send([...alerts, issue("networkAccess", "low", "zeta-lib")]);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain("updated in place (1 new, 0 resolved)");
  const update = calls()
    .slice(before)
    .find((r) => r.method === "chat.update");
  expect(update?.ok).toBe(true);
  expect(blocksOf(update as { payload: Record<string, unknown> })).toBeLessThanOrEqual(50);
  expect(JSON.stringify(update?.payload)).toContain("61 alerts · 1 new");
}, 60_000);
