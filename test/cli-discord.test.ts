/**
 * `mode: "discord"` end to end: the built binary as a child process, the emulator's loopback
 * Discord fake in this process (it refuses anything over Discord's limits with Discord's 400
 * and rate-limits with Discord's headers and 429). Assertions are on what a user sees: exit
 * code, output, what arrived, and that the webhook's token shows nowhere.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { OutboxSigner } from "@socket-notify/core/internal";
import { expectNoSecrets } from "@socket-notify/core/testing";
import { type DiscordFake, startDiscordFake } from "@socket-notify/slack-emulator";
import { syntheticScanJson } from "@socket-notify/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enableJsonReport, issue, runCli, tempDir } from "./cli-harness.js";

let fake: DiscordFake;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let big: string;

beforeAll(async () => {
  tmp = await tempDir("cli-discord-");
  big = await tmp.write("socket-report.json", syntheticScanJson(300));
});
afterAll(async () => {
  await fake?.close();
  await tmp?.cleanup();
});
beforeEach(async () => {
  await fake?.close();
  fake = await startDiscordFake();
});

const config = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    mode: "discord",
    discord_webhooks: [{ name: "security", url: { env: "DISCORD_HOOK" }, ...extra }],
  });

const env = (extra: Record<string, unknown> = {}) => ({
  SOCKET_SLACK_CONFIG_JSON: config(extra),
  DISCORD_HOOK: fake.webhookUrl("security"),
});

/** Alerts shown as fields and counted in "N more not shown" embeds, over all messages. */
function tally() {
  let shown = 0;
  let counted = 0;
  for (const m of fake.messages)
    for (const e of m.body.embeds ?? []) {
      shown += e.fields?.length ?? 0;
      const more = /^\u2795 (\d+) more alerts? not shown/.exec(e.title ?? "");
      if (more) counted += Number(more[1]);
    }
  return { shown, counted };
}

describe("socket-notify send with mode discord", () => {
  it("delivers a 300-alert report within Discord's limits, every alert shown or counted", async () => {
    const r = await runCli(["send", big, "--json"], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      mode: string;
      destinations: { target: string; status: string; alerts: number; omitted: number }[];
    };
    expect(report.mode).toBe("discord");
    expect(report.destinations[0]).toMatchObject({ target: "security", status: "sent", alerts: 300 });
    // The fake stores only what passes Discord's checks (10 embeds, 6,000 characters, 25 fields, …).
    expect(fake.requests.map((q) => q.status)).toEqual([200, 200, 200, 200, 200]);
    expect(fake.messages.length).toBe(5);
    const { shown, counted } = tally();
    expect(shown + counted).toBe(300);
    expect(counted).toBe(report.destinations[0]!.omitted);
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [fake.tokenOf("security"), fake.webhookUrl("security")]);
  });

  it("honours Discord's 429 retry_after: the refused message is sent again, 0 lost", async () => {
    fake.rateLimitNext(1.2);
    const r = await runCli(["send", big, "--json"], { env: env({ max_messages: 2 }) });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests.map((q) => q.status)).toEqual([429, 200, 200]);
    // Real time here: the retry came no sooner than retry_after said.
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(1200);
    expect(fake.messages.length).toBe(2);
    const { shown, counted } = tally();
    expect(shown + counted).toBe(300);
  });

  it("a deleted webhook: exit 1 with a hint, the token never shows; `retry` later delivers the outbox", async () => {
    const url = fake.webhookUrl("security").replace(/\/webhooks\/\d+\//, "/webhooks/99999999999999999/");
    const outbox = tmp.path("undelivered.jsonl");
    const r = await runCli(["send", big, "--outbox", outbox], {
      env: { SOCKET_SLACK_CONFIG_JSON: config(), DISCORD_HOOK: url, SOCKET_NOTIFY_OUTBOX_KEY: "k" },
    });
    expect(r.code).toBe(1);
    // A gone webhook dooms the destination: its other pages are not sent (they go to the outbox).
    expect(fake.requests.length).toBe(1);
    expect(r.stdout).toMatch(/security: .*failed/);
    expect(r.stdout).toMatch(/unknown_webhook: the webhook no longer exists \(HTTP 404\)/);
    expect(r.stdout).toMatch(/hint: it was deleted in Discord: create a new one/);
    const saved = await readFile(outbox, "utf8");
    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr, saved }, [fake.tokenOf("security"), url]);

    // With the webhook fixed, `retry` re-sends the stored pages: within Discord's limits, nothing lost.
    const again = await runCli(["retry", outbox, "--json"], { env: { ...env(), SOCKET_NOTIFY_OUTBOX_KEY: "k" } });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(fake.messages.length).toBe(5);
    const first = fake.messages[0]!.body;
    expect(first.content).toContain("300 alerts");
    expect(JSON.stringify(first.embeds)).toContain("pkg-");
    expect(JSON.stringify(fake.messages[4]!.body.embeds)).toMatch(/251 more alerts not shown/);
    expect(await readFile(outbox, "utf8")).toBe("");
  });

  it("the reachability summary is Discord's own message (from core's neutral summary), and its outbox entry re-sends", async () => {
    const facts = `${process.env.SOCKET_FIXTURES}/synthetic__socket_facts.json`;
    const r = await runCli(["send", big, "--facts", facts, "--json"], {
      env: env({ always_send_reachability: true, max_messages: 2 }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.messages.length).toBe(2);
    const summary = fake.messages[1]!.body;
    expect(summary.content).toMatch(/^\*\*🎯 Socket reachability: \d+ reachable of \d+ vulnerabilities\*\*$/);
    // Rendered by Discord's renderer: findings as fields, not Block Kit sections converted to descriptions.
    const list = summary.embeds!.find((e) => e.title === "Findings");
    expect(list?.fields?.length).toBeGreaterThan(0);
    expect(list!.fields![0]!.name).toMatch(/^🎯 Reachable · /);

    // Undelivered (a deleted webhook), kept in the outbox, re-sent by `retry` within Discord's limits.
    await fake.close();
    fake = await startDiscordFake();
    const gone = fake.webhookUrl("security").replace(/\/webhooks\/\d+\//, "/webhooks/99999999999999999/");
    const outbox = tmp.path("summary.jsonl");
    const failed = await runCli(["send", big, "--facts", facts, "--outbox", outbox], {
      env: {
        SOCKET_SLACK_CONFIG_JSON: config({ always_send_reachability: true, max_messages: 2 }),
        DISCORD_HOOK: gone,
        SOCKET_NOTIFY_OUTBOX_KEY: "k",
      },
    });
    expect(failed.code).toBe(1);
    // max_messages 2: one page of alerts and the summary (which is one of them).
    expect(
      (await readFile(outbox, "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).kind),
    ).toEqual(["alerts", "reachability"]);
    const again = await runCli(["retry", outbox, "--json"], { env: { ...env(), SOCKET_NOTIFY_OUTBOX_KEY: "k" } });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(fake.messages.length).toBe(2);
    expect(fake.messages[1]!.body.content).toMatch(/Socket reachability/);
  });

  it("the outbox keeps Discord's own bodies (signed) and retry sends them; old Block-Kit-only lines still retry; a tampered body is not sent", async () => {
    const gone = fake.webhookUrl("security").replace(/\/webhooks\/\d+\//, "/webhooks/99999999999999999/");
    const outbox = tmp.path("native.jsonl");
    const failed = await runCli(["send", big, "--outbox", outbox], {
      env: { SOCKET_SLACK_CONFIG_JSON: config({ max_messages: 2 }), DISCORD_HOOK: gone, SOCKET_NOTIFY_OUTBOX_KEY: "k" },
    });
    expect(failed.code).toBe(1);
    const lines = (await readFile(outbox, "utf8")).trim().split("\n");
    const entries = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(entries.map((e) => e.native?.format)).toEqual(["discord", "discord"]);
    expect(entries[0]!.native.body.embeds.length).toBeGreaterThan(0);

    // retry sends exactly the stored bodies.
    const again = await runCli(["retry", outbox, "--json"], { env: { ...env(), SOCKET_NOTIFY_OUTBOX_KEY: "k" } });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(fake.messages.map((m) => m.body)).toEqual(entries.map((e) => e.native.body));

    // An entry written before native bodies (Block Kit only, its signature as it was) still retries, converted.
    fake.reset();
    // Signed as the version before wrote it (with the same key), without a native body.
    const signer = OutboxSigner.fromSecrets([], { SOCKET_NOTIFY_OUTBOX_KEY: "k" })!;
    const old = entries.map(({ native: _n, sig: _s, ...rest }) => ({ ...rest, sig: signer.sign(rest as never) }));
    await writeFile(outbox, old.map((e) => `${JSON.stringify(e)}\n`).join(""));
    const fromOld = await runCli(["retry", outbox, "--json"], { env: { ...env(), SOCKET_NOTIFY_OUTBOX_KEY: "k" } });
    expect(fromOld.code, fromOld.stdout + fromOld.stderr).toBe(0);
    expect(JSON.parse(fromOld.stdout)).toMatchObject({ delivered: 2, untrusted: 0 });
    expect(fake.messages.length).toBe(2);
    expect(fake.messages[0]!.body.content).toContain("300 alerts");

    // A body changed in the file (pings on, a masked link): the signature no longer holds, so the
    // entry is re-sent from its cleaned Block Kit record, never from the tampered body.
    fake.reset();
    const evil = structuredClone(entries[0]!);
    evil.native.body.content = "@everyone [free money](https://evil.example)";
    evil.native.body.allowed_mentions = { parse: ["everyone"] };
    await writeFile(outbox, `${JSON.stringify(evil)}\n`);
    const tampered = await runCli(["retry", outbox, "--json"], { env: { ...env(), SOCKET_NOTIFY_OUTBOX_KEY: "k" } });
    expect(tampered.code, tampered.stdout + tampered.stderr).toBe(0);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ delivered: 1, untrusted: 1 });
    expect(tampered.stderr).toMatch(/not signed by socket-notify/);
    const arrived = JSON.stringify(fake.messages[0]!.body);
    expect(arrived).not.toMatch(/evil\.example|free money/);
    expect(fake.messages[0]!.body.allowed_mentions).toEqual({ parse: [] });
    expect(fake.messages[0]!.body.content).toContain("300 alerts");
  });

  it("--dry-run shows what Discord receives (embeds, not Block Kit): --out holds the bodies a real send then delivers", async () => {
    const outDir = tmp.path("dry-out");
    const dry = await runCli(["send", big, "--dry-run", "--out", outDir], {
      env: env({ max_messages: 2, username: "Socket alerts" }),
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(fake.requests.length).toBe(0);
    // Each planned message says Discord's size: embeds and characters, not blocks.
    const planned = dry.stdout.split("\n").filter((l) => /^ {4}message \d\/2/.test(l));
    expect(planned).toHaveLength(2);
    for (const l of planned) expect(l).toMatch(/: \d+ alerts?, discord: \d+ embeds?, \d+ characters, \d+ bytes$/);
    expect(dry.stdout).not.toMatch(/blocks/);

    const json = await runCli(["send", big, "--dry-run", "--json"], { env: env({ max_messages: 2 }) });
    const results = (
      JSON.parse(json.stdout) as {
        destinations: { message_results: { native?: { format: string; bytes: number } }[] }[];
      }
    ).destinations[0]!.message_results;
    expect(results.map((m) => m.native?.format)).toEqual(["discord", "discord"]);
    expect(results.every((m) => (m.native?.bytes ?? 0) > 0)).toBe(true);

    // The dry run's files are exactly the bodies Discord then receives.
    const files = (await readdir(outDir)).filter((f) => f !== "report.json").sort();
    expect(files).toHaveLength(2);
    const written = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(`${outDir}/${f}`, "utf8")) as Record<string, unknown>),
    );
    expect(written.map((w) => w.format)).toEqual(["discord", "discord"]);
    const sent = await runCli(["send", big], { env: env({ max_messages: 2, username: "Socket alerts" }) });
    expect(sent.code, sent.stderr).toBe(0);
    expect(fake.messages.map((m) => m.body)).toEqual(written.map((w) => w.payload));
    expect(fake.messages[0]!.body).toMatchObject({ username: "Socket alerts", allowed_mentions: { parse: [] } });
    expect(JSON.stringify(written)).not.toContain('"blocks"');
  });

  it("with state, a later run sends only the new alert, rendered as Discord's own embeds (not converted from Block Kit)", async () => {
    const stateConfig = JSON.stringify({
      mode: "discord",
      discord_webhooks: [{ name: "security", url: { env: "DISCORD_HOOK" } }],
      state: tmp.path("discord-state/state.json"),
    });
    const run = async (alerts: unknown[], flags: string[] = []) =>
      runCli(
        [
          "send",
          await tmp.write(
            `state-${Math.random().toString(36).slice(2)}.json`,
            enableJsonReport(alerts, { repo: "acme/web" }),
          ),
          "--pr",
          "9",
          ...flags,
        ],
        { env: { SOCKET_SLACK_CONFIG_JSON: stateConfig, DISCORD_HOOK: fake.webhookUrl("security") } },
      );
    const A = issue("criticalCVE", "critical", "alpha-lib");
    const B = issue("networkAccess", "high", "beta-lib");
    const C = issue("envVars", "middle", "gamma-lib");
    expect((await run([A, B])).code).toBe(0);
    expect(fake.messages.length).toBe(1);
    const dry = await run([A, B, C], ["--dry-run"]);
    expect(dry.stdout).toMatch(/message 1\/1 \(alerts\): 1 alert, discord: 1 embed, \d+ characters, \d+ bytes/);
    const later = await run([A, B, C]);
    expect(later.code, later.stderr).toBe(0);
    expect(fake.messages.length).toBe(2);
    const body = fake.messages[1]!.body;
    // Discord's renderer: the heading as content, the package as an embed with one field per alert.
    expect(body.content).toMatch(/^\*\*🚨 Socket Security: 1 alert/);
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds![0]!.title).toContain("gamma-lib");
    expect(body.embeds![0]!.fields).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain("alpha-lib");
  });

  it("a URL that is not a Discord webhook is a config error naming the entry (exit 2, URL not shown)", async () => {
    const r = await runCli(["send", big], {
      env: {
        SOCKET_SLACK_CONFIG_JSON: config(),
        DISCORD_HOOK: "https://example.com/api/webhooks/123456789012345678/secret-token-secret-token-xyz",
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/discord_webhooks\[0\]\.url/);
    expect(r.stderr).not.toContain("secret-token");
    expect(fake.requests.length).toBe(0);
  });
});
