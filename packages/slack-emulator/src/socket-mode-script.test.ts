/**
 * The "done when", as a new user would try it: a script using only @slack/socket-mode
 * (examples/socket-mode-ack.mjs) connects, gets a click triggered by POST /_emulator/interact,
 * acks it, and the ack shows in GET /_emulator/socket.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type SlackEmulator, startEmulator } from "./server.js";

const SCRIPT = fileURLToPath(new URL("../examples/socket-mode-ack.mjs", import.meta.url));
let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

it("the example script connects, acks the interaction, and GET /_emulator/socket shows the ack", async () => {
  const posted = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: "Bearer xoxb-emulator-bot-token", "content-type": "application/json" },
    body: JSON.stringify({
      channel: "security-alerts",
      text: "alert",
      blocks: [
        {
          type: "actions",
          elements: [{ type: "button", action_id: "ack", text: { type: "plain_text", text: "Ack" } }],
        },
      ],
    }),
  });
  const { ts } = (await posted.json()) as { ts: string };
  const child = spawn(process.execPath, [SCRIPT], {
    env: { PATH: process.env.PATH ?? "", EMULATOR_URL: emu.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const connected = new Promise<void>((done) =>
    child.stdout.setEncoding("utf8").on("data", (c: string) => ((stdout += c), stdout.includes("connected") && done())),
  );
  const exited = new Promise<number | null>((done) => child.on("close", done));
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    await connected;
    const res = await fetch(`${emu.url}/_emulator/interact`, {
      method: "POST",
      body: JSON.stringify({ user: "alice", channel: "security-alerts", ts, action_id: "ack" }),
    });
    const clicked = (await res.json()) as { acked: boolean; envelope_id: string };
    expect(clicked).toMatchObject({ ok: true, via: "socket", delivered: true, acked: true });
    expect(await exited).toBe(0);
    expect(stdout).toContain("acked block_actions ack from U1000000001");
    expect(stderr).toBe("");
    const socket = (await (await fetch(`${emu.url}/_emulator/socket`)).json()) as { acks: { envelope_id: string }[] };
    expect(socket.acks).toEqual([expect.objectContaining({ envelope_id: clicked.envelope_id, connection: 1 })]);
  } finally {
    clearTimeout(guard);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
