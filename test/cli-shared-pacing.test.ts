/**
 * Shared pacing on PostgreSQL (issue 18): many `send` processes at once (CI jobs for different
 * PRs) posting to ONE channel or ONE webhook share its rate limit through the state store. The
 * emulator's strict limiter (1 message/s per channel and per webhook, burst 1, measured when a
 * request arrives) answers 429 to any two messages less than 1 s apart: with 20 real CLI
 * processes started together, it answers none, and every message arrives once. No timing
 * assertions: the makespan is a bench figure (`npm run bench`, "shared pacing").
 */
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPostgres } from "../packages/state/src/testing/postgres.js";
import { emulatorBotEnv, emulatorHookEnv, enableJsonReport, issue, runCli, tempDir } from "./cli-harness.js";

const PROCESSES = 20;
const pgServer = await testPostgres("shared pacing across send processes");

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: "strict", workspaceRateLimit: false });
  tmp = await tempDir("cli-shared-pacing-");
});
afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
  await pgServer?.stop();
});

/** One process per PR, all at once; each posts one message (a new living message, or a webhook post). */
async function sendAll(config: string, env: Record<string, string>): Promise<void> {
  const runs = await Promise.all(
    Array.from({ length: PROCESSES }, async (_, i) => {
      const report = enableJsonReport([issue("networkAccess", "high", `pkg-${i}`)], {
        repo: "acme/web",
        branch: `feature-${i}`,
        commit_sha: "1a2b3c4d5e6f",
      });
      const file = await tmp.write(`r-${Math.random().toString(36).slice(2)}.json`, report);
      // 20 one-per-second sends take 20 s or more, plus 20 cold starts on a busy machine.
      return runCli(["send", file, "-c", config, "--pr", String(100 + i)], { env, killAfterMs: 110_000 });
    }),
  );
  for (const r of runs) {
    expect(r.stderr).not.toMatch(/rate limited|warning|error/i);
    expect(r.code).toBe(0);
  }
}

describe.skipIf(!pgServer)("20 send processes at once, one destination, state on PostgreSQL", () => {
  it("bot mode, one channel: 0 × 429, every message once", { timeout: 150_000 }, async () => {
    emu.reset();
    const url = await (pgServer as NonNullable<typeof pgServer>).newDatabase();
    const config = await tmp.write("bot.json", {
      mode: "bot",
      bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
      state: { env: "STATE_URL" },
    });
    await sendAll(config, { ...emulatorBotEnv(emu), STATE_URL: url });
    const posts = emu.records().filter((r) => r.kind === "api" && r.method === "chat.postMessage");
    expect(emu.records().filter((r) => r.status === 429)).toEqual([]);
    expect(posts).toHaveLength(PROCESSES);
    const texts = emu.messages().map((m) => JSON.stringify(m.payload));
    expect(texts).toHaveLength(PROCESSES);
    for (let i = 0; i < PROCESSES; i++) expect(texts.filter((t) => t.includes(`pkg-${i}@`))).toHaveLength(1);
  });

  it("webhook mode, one webhook: 0 × 429, every message once", { timeout: 150_000 }, async () => {
    emu.reset();
    const url = await (pgServer as NonNullable<typeof pgServer>).newDatabase();
    const config = await tmp.write("hook.json", { url: [{ env: "HOOK_SECURITY" }], state: { env: "STATE_URL" } });
    await sendAll(config, { ...emulatorHookEnv(emu, ["security"]), STATE_URL: url });
    expect(emu.records().filter((r) => r.status === 429)).toEqual([]);
    expect(emu.records().filter((r) => r.kind === "webhook")).toHaveLength(PROCESSES);
    const texts = emu.messages({ hook: "security" }).map((m) => JSON.stringify(m.payload));
    for (let i = 0; i < PROCESSES; i++) expect(texts.filter((t) => t.includes(`pkg-${i}@`))).toHaveLength(1);
  });
});
