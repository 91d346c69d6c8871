/**
 * The Discord notifier through the real engine, against the emulator's loopback Discord fake
 * (which refuses anything over Discord's limits with Discord's 400, and rate-limits with
 * Discord's headers and 429 body).
 */
import { createEngine, MemoryLogger, reportExitCode, type ScanInput } from "@socket-notify/core";
import { withFields } from "@socket-notify/core";
import { expectNoSecrets, FakeClock } from "@socket-notify/core/testing";
import { type DiscordFake, startDiscordFake } from "@socket-notify/slack-emulator";
import { syntheticScan } from "@socket-notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { discordPlugin } from "./index.js";

let fake: DiscordFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(extra: Record<string, unknown> = {}, fakeOptions: Parameters<typeof startDiscordFake>[0] = {}) {
  const clock = new FakeClock({ autoAdvance: 60_000 });
  fake = await startDiscordFake({ now: () => clock.now(), ...fakeOptions });
  const logger = new MemoryLogger();
  const config = {
    mode: "discord",
    discord_webhooks: [{ name: "security", url: fake.webhookUrl("security") }],
    ...extra,
  };
  const engine = await createEngine({ config, plugins: [discordPlugin], logger, clock, env: {} });
  return { engine, clock, logger, fake };
}

/** Alerts shown as fields, and alerts counted in "N more not shown" embeds, over all messages. */
function tally(f: DiscordFake) {
  let shown = 0;
  let counted = 0;
  for (const m of f.messages) {
    for (const e of m.body.embeds ?? []) {
      shown += e.fields?.length ?? 0;
      const more = /^➕ (\d+) more alerts? not shown/.exec(e.title ?? "");
      if (more) counted += Number(more[1]);
    }
  }
  return { shown, counted };
}

describe("discord notifier through the engine", () => {
  it("delivers a 300-alert report within Discord's limits, every alert shown or counted", async () => {
    const { engine } = await setup();
    const scan = syntheticScan(300);
    const report = await engine.notify(scan);
    expect(reportExitCode(report)).toBe(0);
    const [d] = report.destinations;
    expect(d!.status).toBe("sent");
    // The fake refuses (400) anything over Discord's limits: every message it stored is within them.
    expect(fake!.requests.every((r) => r.status === 200)).toBe(true);
    expect(fake!.messages.length).toBe(5); // max_messages' default
    for (const m of fake!.messages) {
      expect(m.body.embeds!.length).toBeLessThanOrEqual(10);
      expect(m.body.allowed_mentions).toEqual({ parse: [] });
    }
    const { shown, counted } = tally(fake!);
    expect(shown + counted).toBe(300);
    expect(shown).toBe(d!.message_results.reduce((n, r) => n + r.alerts, 0));
    expect(counted).toBe(d!.omitted);
    expect(fake!.messages[0]!.body.content).toContain("300 alerts");
  });

  it("with max_messages 100, all 300 alerts are shown, paced under Discord's rate limit (no 429)", async () => {
    const { engine } = await setup({ max_messages: 100 });
    const report = await engine.notify(syntheticScan(300));
    expect(report.destinations[0]!.status).toBe("sent");
    expect(tally(fake!)).toEqual({ shown: 300, counted: 0 });
    expect(fake!.requests.filter((r) => r.status === 429)).toEqual([]);
  });

  it("honours a 429's retry_after (seconds, float): waits that long, retries, loses nothing", async () => {
    const { engine, clock } = await setup();
    fake!.rateLimitNext(2.5);
    const before = clock.now();
    const report = await engine.notify(syntheticScan(3));
    const [d] = report.destinations;
    expect(d!.status).toBe("sent");
    expect(fake!.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(fake!.requests[1]!.at - fake!.requests[0]!.at).toBeGreaterThanOrEqual(2500);
    expect(fake!.requests[0]!.at).toBeGreaterThanOrEqual(before);
    expect(d!.message_results[0]!.attempts).toBe(2);
    expect(tally(fake!)).toEqual({ shown: 3, counted: 0 });
  });

  it("a webhook's own rate limit (X-RateLimit-* and 429) is waited out: 0 lost", async () => {
    // 2 requests per 10 s: the notifier's burst of 5 runs into it at once.
    const { engine } = await setup({ max_messages: 8 }, { rateLimit: { limit: 2, windowMs: 10_000 } });
    const report = await engine.notify(syntheticScan(60));
    const [d] = report.destinations;
    expect(d!.status).toBe("sent");
    expect(fake!.requests.some((r) => r.status === 429)).toBe(true);
    const refused = fake!.requests.find((r) => r.status === 429)!.error as { retry_after: number; global: boolean };
    expect(refused.global).toBe(false);
    expect(refused.retry_after).toBeGreaterThan(0);
    expect(fake!.messages.length).toBe(d!.messages);
    const { shown, counted } = tally(fake!);
    expect(shown + counted).toBe(60);
  });

  it("hostile text arrives inert: no masked link, no mention syntax, no ping", async () => {
    const { engine } = await setup();
    const scan = syntheticScan(1);
    const a = scan.alerts[0]!;
    const hostile: ScanInput = {
      ...scan,
      alerts: [
        withFields(a, {
          title: "[click me](https://evil.example) @everyone <@123456789012345678> **bold** ||spoiler||",
          description: "# heading\n> quote ```x``` `tick`",
        }),
      ],
    };
    await engine.notify(hostile);
    const field = fake!.messages[0]!.body.embeds![0]!.fields![0]!;
    expect(field.name).not.toContain("[click me](");
    expect(field.name).toContain("\\[click me\\]\\(https://evil.example\\)");
    expect(field.name).not.toMatch(/(?<!\\)<@\d/);
    expect(field.name).not.toContain("@everyone");
    expect(field.name).toContain("\\*\\*bold\\*\\*");
    expect(field.value).not.toContain("```x```");
    expect(fake!.messages[0]!.body.allowed_mentions).toEqual({ parse: [] });
  });

  it("a deleted webhook is a permanent failure with a hint, and the URL's token is never shown", async () => {
    const { engine, logger } = await setup();
    const url = fake!.webhookUrl("security").replace(/\/webhooks\/\d+\//, "/webhooks/99999999999999999/");
    const engine2 = await createEngine({
      config: { mode: "discord", discord_webhooks: [{ name: "gone", url }] },
      plugins: [discordPlugin],
      logger,
      clock: new FakeClock({ autoAdvance: 60_000 }),
      env: {},
    });
    const report = await engine2.notify(syntheticScan(2));
    const [d] = report.destinations;
    expect(d!.status).toBe("failed");
    expect(d!.error?.code).toBe("unknown_webhook");
    expect(d!.error?.hint).toMatch(/create a new one/);
    expect(fake!.requests.length).toBe(1);
    expectNoSecrets([report, logger.lines, engine.destinations], [fake!.tokenOf("security")]);
  });

  it("config errors name the entry and never show the URL", async () => {
    const f = (fake = await startDiscordFake());
    const load = (entry: Record<string, unknown>) =>
      createEngine({
        config: { mode: "discord", discord_webhooks: [{ name: "security", url: f.webhookUrl(), ...entry }] },
        plugins: [discordPlugin],
        logger: new MemoryLogger(),
        env: {},
      }).then(
        () => "accepted",
        (e: Error) => e.message,
      );
    const token = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
    expect(await load({ url: `https://example.com/api/webhooks/123456789012345678/${token}` })).toMatch(
      /discord_webhooks\[0\]\.url: discord webhook "security" URL: host example.com is not discord.com/,
    );
    expect(await load({ url: `https://discord.com/api/channels/123456789012345678/${token}` })).toMatch(
      /the path is not \/api\/webhooks\/<id>\/<token>/,
    );
    expect(await load({ url: `http://discord.com/api/webhooks/123456789012345678/${token}` })).toMatch(
      /must use https/,
    );
    expect(await load({ url: `https://discord.com/api/webhooks/123456789012345678/${token}` })).toBe("accepted");
    expect(await load({ url: `https://discord.com/api/webhooks/123456789012345678/${token}?wait=true` })).toMatch(
      /has a query/,
    );
    expect(await load({ username: "Discord Bot" })).toMatch(/username.*"discord" or "clyde"/);
    expect(await load({ mention: ["!here"] })).toMatch(/mention/);
    for (const u of ["example.com", "channels"])
      expect(await load({ url: `https://${u}/x/${token}` })).not.toContain(token);
  });
});
