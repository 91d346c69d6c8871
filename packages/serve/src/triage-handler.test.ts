import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
/**
 * Triage through the emulator over Socket Mode: a message with socket-notify's buttons, clicks by
 * simulated users. An allowed user's Mute updates the message in place (the row becomes who/what/
 * when), logs it in the thread and stores the mute with the Slack user; a user-group member may
 * act; someone not allowed (or another team/app) gets an ephemeral refusal and nothing changes;
 * a click on an alert already decided shows the decision; slash commands answer ephemerally.
 */
import { type Alert } from "@socket-notify/core";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { type InteractiveConfig, triageBlock } from "@socket-notify/slack-bot";
import { FileStore, scopeKey, seenAlert } from "@socket-notify/state";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Dispatcher } from "./dispatch.js";
import { silentLogger } from "./log.js";
import { SlackApi } from "./slack-api.js";
import { SocketModeReceiver } from "./socket.js";
import { APP_TOKEN, BOT } from "./test-support.js";
import { TriageHandler } from "./triage-handler.js";

const root = mkdtempSync(join(tmpdir(), "sn-serve-triage-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const ALICE = "U1000000001"; // in S0000000001 (security-team) with bob
const CAROL = "U1000000003";

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: "x",
    ecosystem: "npm",
    name: "lodash",
    version: "4.17.20",
    type: "criticalCVE",
    severity: "critical",
    action: "block",
    title: "Prototype pollution <script>",
    description: "",
    purl: "pkg:npm/lodash@4.17.20",
    introducedBy: [],
    manifests: [],
    cveId: "CVE-2021-23337",
    origin: "new",
    url: "https://socket.dev/npm/package/lodash/overview/4.17.20",
    ...over,
  };
}

async function setup(config: Partial<InteractiveConfig> = {}) {
  const emu: SlackEmulator = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  cleanup.push(() => emu.close());
  const store = FileStore.open(join(root, `s${++n}`, "state.json"));
  const handler = new TriageHandler({
    config: {
      team_id: "T0001",
      app_id: "A0000000001",
      allow: { default: ["S0000000001"], ack: [CAROL, "S0000000001"] },
      ...config,
    },
    store,
    slack: new SlackApi(BOT, emu.apiUrl),
    logger: silentLogger,
  });
  const dispatcher = new Dispatcher(handler, silentLogger);
  const receiver = new SocketModeReceiver(dispatcher, silentLogger, { appToken: APP_TOKEN, apiUrl: emu.apiUrl });
  await receiver.start();
  cleanup.push(async () => {
    dispatcher.stopAccepting();
    await receiver.stop();
    await dispatcher.drain();
  });
  const scan = { repo: "acme/web" };
  const blocks = [
    { type: "section", text: { type: "mrkdwn", text: "lodash" } },
    triageBlock(alert(), scan),
    { type: "section", text: { type: "mrkdwn", text: "evil" } },
    triageBlock(alert({ name: "evil-pkg", version: "1.0.0", type: "malware", cveId: undefined }), scan),
  ];
  const repost = async () =>
    (
      (await new SlackApi(BOT, emu.apiUrl).call("chat.postMessage", {
        channel: "security-alerts",
        text: "2 alerts",
        blocks,
      })) as { ts: string }
    ).ts;
  const ts = await repost();
  const settle = () => dispatcher.drain();
  return { emu, store, ts, settle, repost };
}

describe("triage: buttons and slash command", () => {
  it("an allowed user (via a user group) mutes: the row shows who/what/when, the thread logs it, the store has it", async () => {
    const { emu, store, ts, settle } = await setup();
    const r = await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.mute",
      value: undefined,
      selected_option: "not_affected",
    });
    expect(r).toMatchObject({ acked: true });
    await settle();
    const [mute] = await store.decisions();
    expect(mute).toMatchObject({
      kind: "mute",
      by: ALICE,
      reason: "not_affected",
      target: {
        ecosystem: "npm",
        name: "lodash",
        version: "4.17.20",
        type: "criticalCVE",
        repo: "acme/web",
        fingerprint: "npm/lodash@4.17.20 criticalCVE CVE-2021-23337",
      },
    });
    expect(Date.parse(mute!.until!) - Date.parse(mute!.at)).toBe(90 * 86_400_000);
    const messages = emu.messages({ channel: "security-alerts" });
    const update = messages.find((m) => m.method === "chat.update");
    const blocks = update!.payload["blocks"] as { type: string; elements?: { text?: string }[] }[];
    expect(blocks[1]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: expect.stringMatching(
            new RegExp(`^🔇 Muted \\(not affected\\) by <@${ALICE}> on .* UTC, until \\d{4}-\\d\\d-\\d\\d · \`mute-`),
          ),
        },
      ],
    });
    // The other alert keeps its buttons.
    expect(blocks[3]).toMatchObject({ type: "actions" });
    const reply = messages.find((m) => m.threadTs === ts);
    expect(reply?.payload["text"]).toMatch(
      /Muted \(not affected\) by <@U1000000001>.*npm\/lodash@4\.17\.20 criticalCVE in acme\/web/,
    );
  });

  it("someone not allowed is told so, ephemerally; nothing is stored or edited", async () => {
    const { emu, store, ts, settle } = await setup();
    await emu.interact({
      user: "carol",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.mute",
      selected_option: "will_fix",
    });
    await settle();
    expect(await store.decisions()).toEqual([]);
    const msgs = emu.messages({ channel: "security-alerts" });
    expect(msgs.filter((m) => m.method === "chat.update" || m.threadTs !== undefined)).toEqual([]);
    const notes = emu.messages().filter((m) => JSON.stringify(m.payload).includes("not allowed"));
    expect(notes.length).toBeGreaterThan(0);
    // carol may acknowledge (ack's own list is wider than mute's).
    await emu.interact({ user: "carol", channel: "security-alerts", ts, action_id: "socket_notify.ack" });
    await settle();
    expect(await store.decisions()).toMatchObject([{ kind: "ack", by: CAROL }]);
  });

  it("requests from another team or app are refused", async () => {
    const { emu, store, ts, settle } = await setup({ team_id: "T0OTHER" });
    await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "socket_notify.ack" });
    await settle();
    expect(await store.decisions()).toEqual([]);
  });

  it("snooze for 7 days; a click on the same alert in another message shows that decision there, not a second one", async () => {
    const { emu, store, ts, settle, repost } = await setup();
    const other = await repost();
    await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.snooze",
      selected_option: "7d",
    });
    await settle();
    const [s] = await store.decisions();
    expect(s).toMatchObject({ kind: "snooze", by: ALICE });
    expect(Date.parse(s!.until!) - Date.parse(s!.at)).toBe(7 * 86_400_000);
    await emu.interact({
      user: "bob",
      channel: "security-alerts",
      ts: other,
      action_id: "socket_notify.ack",
      value: undefined,
    });
    await settle();
    expect(await store.decisions()).toHaveLength(1);
    const update = emu
      .messages({ channel: "security-alerts" })
      .filter((m) => m.method === "chat.update" && m.ts === other);
    expect(JSON.stringify(update.at(-1)?.payload["blocks"])).toContain("💤 Snoozed by <@U1000000001>");
    expect(emu.messages().some((m) => JSON.stringify(m.payload).includes("Already decided: 💤 Snoozed"))).toBe(true);
  });

  it("the malware row's Mute menu asks for confirmation; the lodash one does not", async () => {
    const scan = { repo: "acme/web" };
    const els = (a: Alert) => triageBlock(a, scan).elements;
    expect(els(alert({ type: "malware" })).find((e) => e["action_id"] === "socket_notify.mute")).toHaveProperty(
      "confirm",
    );
    expect(els(alert({ type: "didYouMean" })).find((e) => e["action_id"] === "socket_notify.mute")).toHaveProperty(
      "confirm",
    );
    expect(els(alert()).find((e) => e["action_id"] === "socket_notify.mute")).not.toHaveProperty("confirm");
    expect(els(alert()).map((e) => e["action_id"])).toEqual([
      "socket_notify.ack",
      "socket_notify.snooze",
      "socket_notify.mute",
      "socket_notify.open",
    ]);
  });

  it("slash command: help, mutes, status, unmute (allowed), refused for others; all ephemeral", async () => {
    const { emu, store, ts, settle } = await setup();
    await emu.interact({
      user: "alice",
      channel: "security-alerts",
      ts,
      action_id: "socket_notify.mute",
      selected_option: "accepted_risk",
    });
    await settle();
    const [mute] = await store.decisions();
    const cmd = async (user: string, text: string) =>
      (await emu.command({ user, channel: "security-alerts", command: "/socket-notify", text })).response as {
        response_type: string;
        text: string;
      };
    expect(await cmd("carol", "help")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("unmute ID"),
    });
    expect((await cmd("alice", "mutes")).text).toContain(mute!.id);
    // What send's last scans showed (its living messages): lodash (muted above) and evil-pkg in
    // acme/web PR 42, shown by two destinations; a package-wide mute from the CLI hides chatty-lib;
    // another repository has one of its own.
    const web = [alert(), alert({ name: "evil-pkg", version: "1.0.0", type: "malware", cveId: undefined })];
    const chatty = alert({ name: "chatty-lib", version: "2.0.0", type: "networkAccess", cveId: undefined });
    for (const destination of ["sec/#security-alerts", "sec/#triage"])
      await store.putScope(
        { key: scopeKey({ destination, repo: "acme/web", pr: "42" })!, alerts: [...web, chatty].map(seenAlert) },
        0,
      );
    await store.putScope(
      { key: scopeKey({ destination: "sec/#x", repo: "acme/api", branch: "main" })!, alerts: [seenAlert(alert())] },
      0,
    );
    await store.addDecision({ kind: "mute", target: { ecosystem: "npm", name: "chatty-lib" }, by: "octocat" });
    const status = (await cmd("alice", "status acme/web")).text;
    expect(status).toMatch(/^\*Open alerts in acme\/web: 1\*/);
    expect(status).toContain("• npm/evil-pkg@1.0.0 malware (critical) in acme/web PR #42\n");
    expect(status).not.toMatch(/lodash@4.17.20 criticalCVE \(critical\) in/);
    expect(status).not.toContain("acme/api");
    expect(status).toContain("*Decisions in force for acme/web:* 2 muted, 0 snoozed, 0 acknowledged");
    const everywhere = (await cmd("alice", "status")).text;
    expect(everywhere).toMatch(/^\*Open alerts: 2\*/);
    expect(everywhere).toContain("in acme/api (main)");
    await store.removeDecision((await store.decisions()).find((d) => d.by === "octocat")!.id);
    expect((await cmd("carol", `unmute ${mute!.id}`)).text).toMatch(/not allowed/);
    expect(await store.decisions()).toHaveLength(1);
    expect((await cmd("alice", `expire ${mute!.id} 30d`)).text).toMatch(/now ends/);
    const [changed] = await store.decisions();
    expect(Date.parse(changed!.until!) - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    expect((await cmd("alice", `unmute ${mute!.id}`)).text).toMatch(/^Unmuted/);
    expect(await store.decisions()).toEqual([]);
  });

  it("a user group that cannot be read admits nobody (fails closed)", async () => {
    const { emu, store, ts, settle } = await setup({ allow: ["S0NOSUCH"] });
    await emu.interact({ user: "alice", channel: "security-alerts", ts, action_id: "socket_notify.ack" });
    await settle();
    expect(await store.decisions()).toEqual([]);
  });
});
