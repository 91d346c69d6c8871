import { type Alert, type NotifierCapabilities, type ScanContext, SLACK_LIMITS } from "@socket-notify/core";
import { pageTotals, planPages, sortByRisk } from "@socket-notify/core/internal";
import { validateDiscordMessage } from "@socket-notify/slack-emulator";
import { syntheticScan } from "@socket-notify/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodyFromBlocks, mrkdwnToDiscord } from "./from-blocks.js";
import { discordLayout } from "./layout.js";
import { discordPlugin } from "./plugin.js";
import { DISCORD_LIMITS, discordPage, renderDiscordPage } from "./render.js";
import { storedDiscordBody } from "./stored.js";

const base = syntheticScan(1).alerts[0]!;
const alert = (over: Partial<Alert>): Alert => ({ ...base, url: base.url, purl: base.purl, ...over });

/** Core's pages of one Discord destination, cut with Discord's layout as a run cuts them. */
function discordPages(alerts: readonly Alert[], scan: ScanContext, maxMessages: number) {
  const sorted = sortByRisk(alerts);
  const totals = pageTotals(sorted);
  const layout = discordLayout({
    scan,
    totals,
    capabilities: { ...SLACK_LIMITS, ...discordPlugin.capabilities } as NotifierCapabilities,
    destination: { route: "security", target: "security", key: "security", filter: {}, address: {}, configPath: "$" },
  });
  return { layout, ...planPages(sorted, layout, maxMessages, totals, scan) };
}

/** Every body is checked by the emulator's Discord fake's validator: the independent oracle. */
function expectValid(body: unknown) {
  expect(validateDiscordMessage(body)).toBeUndefined();
  // And the check a body passes before it is sent (stored.ts) keeps it exactly as rendered.
  expect(storedDiscordBody(body, (body as { username?: string }).username)).toEqual({ body });
}

describe("renderDiscordPage", () => {
  it("any page of alerts fits Discord's limits, each alert shown or counted", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 3000 });
    const arbAlert = fc.record({
      title: text,
      description: text,
      name: fc.constantFrom("a", "b", "c", "x".repeat(300)),
      severity: fc.constantFrom("critical", "high", "medium", "low") as fc.Arbitrary<Alert["severity"]>,
      suggestion: text,
    });
    fc.assert(
      fc.property(fc.array(arbAlert, { maxLength: 60 }), fc.nat(400), (specs, omitted) => {
        const alerts = specs.map((s, i) => alert({ ...s, id: `a${i}` }));
        const r = renderDiscordPage({
          heading: "🚨 Socket Security: many alerts",
          alerts,
          ...(omitted
            ? { omitted: { count: omitted, bySeverity: { critical: omitted, high: 0, medium: 0, low: 0 } } }
            : {}),
        });
        expectValid(r.body);
        const fields = r.body.embeds.reduce((n, e) => n + (e.fields?.length ?? 0), 0);
        expect(fields).toBe(r.shown);
        expect(r.shown + r.overflow).toBe(alerts.length);
        const more = r.body.embeds.map((e) => /^\u2795 (\d+) more/.exec(e.title ?? "")).find(Boolean);
        expect(Number(more?.[1] ?? 0)).toBe(omitted + r.overflow);
      }),
      { numRuns: 150 },
    );
  });

  it("a package with 40 alerts continues in a second embed (25 fields an embed)", () => {
    const alerts = Array.from({ length: 40 }, (_, i) => alert({ id: `x${i}`, title: `t${i}`, description: "d" }));
    const r = renderDiscordPage({ heading: "h", alerts });
    expectValid(r.body);
    expect(r.body.embeds.map((e) => e.fields?.length)).toEqual([25, 15]);
    expect(r.body.embeds[1]!.title).toMatch(/\(continued\)$/);
  });

  it("core's pages cut with Discord's layout never need the overflow count (300 alerts, any max_messages)", () => {
    const scan = syntheticScan(300);
    for (const maxMessages of [1, 2, 5, 100]) {
      const planned = discordPages(scan.alerts, scan.context, maxMessages);
      let shown = 0;
      for (const page of planned.pages) {
        const r = renderDiscordPage(discordPage(page));
        expectValid(r.body);
        expect(r.overflow).toBe(0);
        shown += r.shown;
      }
      expect(shown).toBe(planned.shown);
      expect(shown + planned.omitted).toBe(300);
    }
  });

  it("the last page's 'N more not shown' count and report link come from core's page", () => {
    const scan = syntheticScan(300);
    const planned = discordPages(scan.alerts, scan.context, 2);
    const last = discordPage(planned.pages[1]!);
    expect(last.omitted?.count).toBe(planned.omitted);
    expect(Object.values(last.omitted!.bySeverity).reduce((a, b) => a + b, 0)).toBe(planned.omitted);
    expect(last.omitted?.url).toBe(scan.context.reportUrl);
    expect(discordPage(planned.pages[0]!).omitted).toBeUndefined();
    expect(discordPage(planned.pages[0]!).heading).toMatch(
      /^🚨 Socket Security: 300 alerts \(\d+ block, \d+ warn\) · part 1 of 2$/,
    );
    const body = renderDiscordPage(last).body;
    expect(body.embeds.at(-1)!.title).toBe(`➕ ${planned.omitted} more alerts not shown`);
  });
});

describe("bodyFromBlocks (outbox retries)", () => {
  it("turns core's mrkdwn into Discord markdown, escaping what only Discord reads", () => {
    expect(mrkdwnToDiscord("*Repository:* <https://github.com/a/b|a/b> [x](y) &lt;@1&gt; `c [d]`")).toBe(
      "**Repository:** [a/b](https://github.com/a/b) \\[x\\]\\(y\\) \\<@1\\> `c [d]`",
    );
  });

  it("every stored page of a 300-alert run fits Discord's limits", () => {
    const scan = syntheticScan(300);
    const planned = discordPages(scan.alerts, scan.context, 40);
    for (const page of planned.pages) {
      const body = bodyFromBlocks(planned.layout.render(page));
      expectValid(body);
      expect(body.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    }
  });
});
