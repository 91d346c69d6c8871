/**
 * send with state, as a new user tries it (issue 18), on the built CLI against the emulator:
 * a living message in bot mode (post, update in place, thread reply on new alerts, all resolved,
 * deleted → posted again), only new alerts to a webhook, mutes that stick, notify: always,
 * --dry-run / --json showing what state would do, and two sends at once making one message.
 */
import { FileStore } from "@socket-notify/state";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testPostgres } from "../packages/state/src/testing/postgres.js";
import { emulatorBotEnv, emulatorHookEnv, enableJsonReport, issue, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-state-send-");
});
afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});
beforeEach(() => emu.reset());

const A = issue("criticalCVE", "critical", "alpha-lib");
const B = issue("networkAccess", "high", "beta-lib");
const C = issue("envVars", "middle", "gamma-lib");
const report = (alerts: unknown[], sha = "1a2b3c4d5e6f") =>
  enableJsonReport(alerts, { repo: "acme/web", branch: "feature-x", commit_sha: sha });

const api = (method: string) => emu.records().filter((r) => r.kind === "api" && r.method === method && r.ok);
const text = (r: { payload: Record<string, unknown> }) => JSON.stringify(r.payload);

let n = 0;
async function setup(extra: Record<string, unknown> = {}) {
  n++;
  const config = await tmp.write(`bot-${n}.json`, {
    mode: "bot",
    bot_configs: [{ name: "sec", channels: ["security-alerts"], ...extra }],
    state: `state-${n}/state.json`,
  });
  const send = async (alerts: unknown[], sha?: string, flags: string[] = []) => {
    const file = await tmp.write(`r-${n}-${Math.random().toString(36).slice(2)}.json`, report(alerts, sha));
    return runCli(["send", file, "-c", config, "--pr", "42", ...flags], { env: emulatorBotEnv(emu) });
  };
  return { config, send };
}

describe("bot mode with state: one living message per PR", () => {
  it("posts once, then updates that message; new alerts are marked and announced in its thread; resolved are listed", async () => {
    const { send } = await setup();
    const first = await send([A, B]);
    expect(first.stderr).not.toMatch(/error|warning/i);
    expect(first.code).toBe(0);
    expect(api("chat.postMessage")).toHaveLength(1);
    const ts = api("chat.postMessage")[0]?.ts;
    expect(first.stdout).toContain("sec → #security-alerts: posted (2 new, 0 resolved)");

    // The same report again: the message already shows it; nothing is sent.
    const same = await send([A, B]);
    expect(same.code).toBe(0);
    expect(api("chat.postMessage")).toHaveLength(1);
    expect(api("chat.update")).toHaveLength(0);
    expect(same.stdout).toContain("nothing sent (0 new, 0 resolved): the living message already shows these alerts");
    // The route line says why nothing went out, not "no alerts matched".
    expect(same.stdout).toMatch(
      /– sec → #security-alerts: 2 alerts, nothing new since the last run \(state\): skipped/,
    );
    expect(same.stdout).not.toContain("no alerts matched");

    // A new push with the same alerts: edited in place to name the new commit, no thread reply.
    const pushed = await send([A, B], "0f0e0d0c0b0a");
    expect(pushed.code).toBe(0);
    expect(api("chat.update")).toHaveLength(1);
    expect(api("chat.update")[0]?.payload.ts).toBe(ts);
    expect(text(api("chat.update")[0] as { payload: Record<string, unknown> })).toContain("0f0e0d0c");
    expect(api("chat.postMessage")).toHaveLength(1);
    expect(pushed.stdout).toContain("updated in place (0 new, 0 resolved)");

    // C is new, B is gone: the message is edited in place, and one thread reply names C.
    const changed = await send([A, C], "9f8e7d6c5b4a");
    expect(changed.code).toBe(0);
    const updates = api("chat.update");
    expect(updates).toHaveLength(2);
    expect(updates[1]?.payload.ts).toBe(ts);
    const body = text(updates[1] as { payload: Record<string, unknown> });
    expect(body).toContain("2 alerts · 1 new · 1 resolved");
    expect(body).toContain("🆕 envVars in gamma-lib");
    // The marked alert is a copy with a new title that still links its package (url kept).
    expect(body).toContain("<https://socket.dev/npm/package/gamma-lib/overview/1.0.0|npm/gamma-lib@1.0.0>");
    expect(body).not.toContain("🆕 criticalCVE in alpha-lib");
    expect(body).toContain("Resolved since the last run (1)");
    expect(body).toContain("npm/beta-lib@1.0.0 networkAccess");
    const replies = api("chat.postMessage").filter((r) => r.threadTs === ts);
    expect(replies).toHaveLength(1);
    expect(text(replies[0] as { payload: Record<string, unknown> })).toContain(
      "1 new alert in 9f8e7d6: npm/gamma-lib@1.0.0 (envVars)",
    );
    expect(changed.stdout).toContain("updated in place (1 new, 1 resolved), thread reply posted");

    // Only resolutions: updated, no thread reply.
    await send([A]);
    expect(api("chat.update")).toHaveLength(3);
    expect(api("chat.postMessage").filter((r) => r.threadTs === ts)).toHaveLength(1);

    // Everything resolved: the message says so.
    const done = await send([]);
    expect(done.code).toBe(0);
    const last = api("chat.update").at(-1);
    expect(text(last as { payload: Record<string, unknown> })).toContain(
      "All Socket alerts resolved in acme/web PR #42",
    );
    expect(api("chat.postMessage").filter((r) => !r.threadTs)).toHaveLength(1);
  });

  it("a long title keeps its '(acknowledged by …)': the title is cut, not the note, and both are escaped", async () => {
    const { send } = await setup();
    const long = (what: string) => `${what} <b>&amp; ${"very long title words ".repeat(10)}`;
    const X = issue("networkAccess", "high", "long-one", { title: long("first") });
    const Y = issue("envVars", "high", "long-two", { title: long("second") });
    await send([X, Y]);
    // What serve records for a click (a Slack user ID), and what `--by` records (any name).
    const store = FileStore.open(tmp.path(`state-${n}/state.json`));
    const at = (name: string, type: string) => ({ ecosystem: "npm", name, version: "1.0.0", type });
    await store.addDecision({ kind: "ack", target: at("long-one", "networkAccess"), by: "U1000000001" });
    await store.addDecision({ kind: "ack", target: at("long-two", "envVars"), by: "eve <!channel> & co" });
    await store.close();
    const r = await send([X, Y]);
    expect(r.code, r.stderr).toBe(0);
    const body = text(api("chat.update")[0] as { payload: Record<string, unknown> });
    expect(body).toMatch(/\*first &lt;b&gt;&amp;amp; very long title [^*]*… \(acknowledged by <@U1000000001>\)\*/);
    expect(body).toMatch(
      /\*second &lt;b&gt;&amp;amp; very long title [^*]*… \(acknowledged by eve &lt;!channel&gt; &amp; co\)\*/,
    );
    expect(body).not.toContain("<!channel>");
    expect(body).not.toContain("\u2063");
  });

  it("a message deleted in Slack is posted again and remembered", async () => {
    const { send } = await setup();
    await send([A]);
    emu.reset(); // the emulator forgets its messages: as if someone deleted the message
    const again = await send([A, B]);
    expect(again.code).toBe(0);
    expect(emu.records().some((r) => r.method === "chat.update" && r.error === "message_not_found")).toBe(true);
    const posts = api("chat.postMessage");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.threadTs).toBeUndefined();
    expect(again.stdout).toContain("posted again (the earlier message was deleted)");
    await send([A, B, C]);
    const updates = api("chat.update");
    expect(updates).toHaveLength(1);
    expect(updates[0]?.payload.ts).toBe(posts[0]?.ts);
  });

  it("mute leaves an alert out of the next run and the message counts it; unmute brings it back", async () => {
    const { config, send } = await setup();
    await send([A, B]);
    const m = await runCli(["mute", "npm/beta-lib", "--type", "networkAccess", "--reason", "expected", "-c", config], {
      env: emulatorBotEnv(emu),
    });
    expect(m.code).toBe(0);
    const r = await send([A, B]);
    expect(r.stdout).toContain(": 1 muted");
    const body = text(api("chat.update")[0] as { payload: Record<string, unknown> });
    expect(body).toContain("1 alert · 1 muted");
    expect(body).not.toContain("Resolved since the last run");
    expect(body).not.toContain("networkAccess in beta-lib*");
    const json = await send([A, B], undefined, ["--json", "--dry-run"]);
    expect(JSON.parse(json.stdout).state).toMatchObject({ muted: 1, engine: "embedded" });
  });

  it("--dry-run says what state would do and sends nothing; --json reports it", async () => {
    const { send } = await setup();
    const dry = await send([A], undefined, ["--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("sec → #security-alerts: would be posted (1 new, 0 resolved)");
    expect(emu.records()).toHaveLength(0);
    await send([A]);
    const json = await send([A, B], undefined, ["--dry-run", "--json"]);
    const st = JSON.parse(json.stdout).state;
    expect(st.destinations).toEqual([
      expect.objectContaining({ route: "sec", action: "update", thread_reply: true, new: 1, resolved: 0 }),
    ]);
    // The living message shows both alerts (the known one too): none is left out as unchanged.
    expect(JSON.parse(json.stdout).destinations[0]).toMatchObject({ alerts: 2, unchanged: 0 });
    expect(api("chat.update")).toHaveLength(0);
  });

  it("notify: always sends in full every run, as without state", async () => {
    const { send } = await setup({ notify: "always" });
    await send([A]);
    await send([A]);
    expect(api("chat.postMessage")).toHaveLength(2);
    expect(api("chat.update")).toHaveLength(0);
  });

  it("two sends for one PR at the same moment: one living message, and the second one's alerts are in it", async () => {
    const { send } = await setup();
    const [r1, r2] = await Promise.all([send([A]), send([A, B])]);
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    expect(api("chat.postMessage").filter((r) => !r.threadTs)).toHaveLength(1);
    const last = await send([A, B]);
    // Whichever ran second saw the first's message; nothing was lost: either B is already shown or is now added.
    expect(api("chat.postMessage").filter((r) => !r.threadTs)).toHaveLength(1);
    expect(last.code).toBe(0);
    const shown = api("chat.update").at(-1) ?? api("chat.postMessage").find((r) => !r.threadTs);
    expect(text(shown as { payload: Record<string, unknown> })).toContain("beta-lib");
  });
});

describe("webhook mode with state", () => {
  it("sends only alerts new since the last run for this repository and PR; nothing new, nothing sent", async () => {
    const config = await tmp.write("hook.json", { url: [{ env: "HOOK_SECURITY" }], state: "hook-state/state.json" });
    const env = emulatorHookEnv(emu, ["security"]);
    const send = async (alerts: unknown[]) =>
      runCli(["send", await tmp.write(`h-${Math.random()}.json`, report(alerts)), "-c", config, "--pr", "7"], { env });
    expect((await send([A, B])).code).toBe(0);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    const none = await send([A, B]);
    expect(none.code).toBe(0);
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    expect(none.stdout).toContain("nothing sent (0 new, 0 resolved): no new alerts since the last run");
    expect(none.stdout).toMatch(/: 2 alerts, nothing new since the last run \(state\): skipped/);
    const noneJson = await runCli(
      ["send", await tmp.write("h-none.json", report([A, B])), "-c", config, "--pr", "7", "--json"],
      { env },
    );
    expect(JSON.parse(noneJson.stdout).destinations[0]).toMatchObject({ alerts: 0, unchanged: 2, messages: 0 });
    // A dry run says what the webhook would get (only the new alert) and what state would do.
    const dryFile = await tmp.write("h-dry.json", report([A, B, C]));
    const dry = await runCli(["send", dryFile, "-c", config, "--pr", "7", "--dry-run", "--json"], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.state.destinations).toEqual([
      expect.objectContaining({ route: "webhook_0", action: "post", thread_reply: false, new: 1, resolved: 0 }),
    ]);
    expect(plan.destinations[0].message_results).toEqual([expect.objectContaining({ alerts: 1, status: "dry-run" })]);
    // The counts are what is sent: 1 new alert; the 2 known ones are "unchanged", not sent again.
    expect(plan.destinations[0]).toMatchObject({ alerts: 1, unchanged: 2, messages: 1 });
    expect(emu.messages({ hook: "security" })).toHaveLength(1);
    const sent = await send([A, B, C]);
    expect(sent.stdout).toMatch(
      /✓ webhook_0: 1 new alert in 1 message, 2 unchanged since the last run \(state\): sent$/m,
    );
    const msgs = emu.messages({ hook: "security" });
    expect(msgs).toHaveLength(2);
    expect(JSON.stringify(msgs[1]?.payload)).toContain("gamma-lib");
    expect(JSON.stringify(msgs[1]?.payload)).not.toContain("alpha-lib");
  });
});

const pgServer = await testPostgres("send with a PostgreSQL state");
afterAll(async () => {
  await pgServer?.stop();
});

describe.skipIf(!pgServer)("bot mode with state on PostgreSQL", () => {
  it("posts once then updates; a mute sticks; three sends at once make one living message", async () => {
    const url = await (pgServer as NonNullable<typeof pgServer>).newDatabase();
    const config = await tmp.write("pg-bot.json", {
      mode: "bot",
      bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
      state: { env: "STATE_URL" },
    });
    const env = { ...emulatorBotEnv(emu), STATE_URL: url.replace("postgres@", "postgres:pg-secret-pw@") };
    const send = async (alerts: unknown[], pr = "5") =>
      runCli(["send", await tmp.write(`pg-${Math.random()}.json`, report(alerts)), "-c", config, "--pr", pr], { env });
    const first = await send([A]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("state (postgres postgres://postgres:****@");
    expect(first.stdout + first.stderr).not.toContain("pg-secret-pw");
    await send([A, B]);
    expect(api("chat.postMessage").filter((r) => !r.threadTs)).toHaveLength(1);
    expect(api("chat.update")).toHaveLength(1);
    const m = await runCli(["mute", "npm/beta-lib", "--type", "networkAccess", "--reason", "ok", "-c", config], {
      env,
    });
    expect(m.code).toBe(0);
    await send([A, B]);
    expect(text(api("chat.update").at(-1) as { payload: Record<string, unknown> })).toContain("1 muted");

    emu.reset();
    const runs = await Promise.all([send([A], "6"), send([A, C], "6"), send([A, B, C], "6")]);
    for (const r of runs) expect(r.code).toBe(0);
    expect(api("chat.postMessage").filter((r) => !r.threadTs)).toHaveLength(1);
  });
});
