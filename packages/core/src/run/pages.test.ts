/**
 * Core's pagination with a notifier's own measure: neutral pages in risk order, at most
 * `max_messages`, every alert shown or counted; a plugin's `layout` is what a run pages and
 * renders with (no Slack rule in the way), and the default is the Block Kit builder.
 */
import { describe, expect, it } from "vitest";
import { BlockBuilder } from "../blocks/BlockBuilder.js";
import { sortByRisk } from "../blocks/risk.js";
import { type AlertPage, type PageLayout } from "../contract/layout.js";
import { type NotifierPlugin } from "../contract/plugin.js";
import { createEngine } from "../engine.js";
import { type Alert, type ScanInput } from "../model.js";
import { pageTotals, planPages } from "./pages.js";
import { plannedMessages } from "./plan.js";

const alert = (i: number, pkg: string, severity: Alert["severity"]): Alert => ({
  id: `a${i}`,
  ecosystem: "npm",
  name: pkg,
  version: "1.0.0",
  type: `type${i}`,
  severity,
  action: severity === "critical" ? "block" : "warn",
  title: `alert ${i}`,
  description: "",
  purl: `pkg:npm/${pkg}@1.0.0`,
  introducedBy: [],
  manifests: [],
  origin: "new",
});

/** A made-up destination: at most `perEntry` alerts an entry, `perPage` alerts a page (one less beside the count). */
function countingLayout(perEntry: number, perPage: number): PageLayout & { asked: number } {
  const alertsOn = (page: readonly { alerts: Alert[] }[]) => page.reduce((n, e) => n + e.alerts.length, 0);
  const layout = {
    asked: 0,
    entry: (run: readonly Alert[]) => Math.min(run.length, perEntry),
    fits: (page: readonly { alerts: Alert[] }[], entry: { alerts: Alert[] }, slot: { summary: boolean }) => {
      layout.asked++;
      return alertsOn(page) + entry.alerts.length <= perPage - (slot.summary ? 1 : 0);
    },
    maxEntries: () => perPage,
    render: (page: AlertPage) => ({
      text: `page ${page.index}/${page.count}: ${page.alerts.map((a) => a.id).join(" ")}`,
      blocks: [],
      unfurl_links: false as const,
      unfurl_media: false as const,
    }),
  };
  return layout;
}

const alerts = sortByRisk([
  alert(1, "low-pkg", "low"),
  alert(2, "big", "high"),
  alert(3, "big", "medium"),
  alert(4, "crit", "critical"),
  alert(5, "big", "low"),
  alert(6, "mid", "medium"),
  alert(7, "other", "low"),
]);

describe("planPages", () => {
  const scan = { repo: "acme/app" };

  it("pages in risk order with a package's alerts together; a package too big for an entry continues", () => {
    const planned = planPages(alerts, countingLayout(2, 3), 10, pageTotals(alerts), scan);
    expect(planned.pages.map((p) => p.alerts.map((a) => a.id))).toEqual([
      ["a4", "a2", "a3"],
      ["a5", "a6", "a1"],
      ["a7"],
    ]);
    expect(planned.pages[0]!.entries.map((e) => [e.alerts.length, e.continued])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(planned.pages[1]!.entries[0]).toMatchObject({ continued: true });
    expect(planned.pages.map((p) => [p.index, p.count])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(planned.pages[0]!.totals).toEqual({
      all: 7,
      block: 1,
      bySeverity: { critical: 1, high: 1, medium: 2, low: 3 },
    });
    expect(planned.pages[0]!.scan).toBe(scan);
    expect(planned).toMatchObject({ shown: 7, omitted: 0 });
    expect(planned.pages.some((p) => p.omitted)).toBe(false);
  });

  it("max_messages caps the pages; the last is filled again beside the count of what fit in none", () => {
    const planned = planPages(alerts, countingLayout(2, 3), 2, pageTotals(alerts), scan);
    expect(planned.pages.map((p) => p.alerts.map((a) => a.id))).toEqual([
      ["a4", "a2", "a3"],
      ["a5", "a6"],
    ]);
    expect(planned).toMatchObject({
      shown: 5,
      omitted: 2,
      omittedBySeverity: { critical: 0, high: 0, medium: 0, low: 2 },
    });
    expect(planned.pages[1]!.omitted).toEqual({ count: 2, bySeverity: planned.omittedBySeverity });
    expect(planned.pages[0]!.omitted).toBeUndefined();
  });

  it("a page's first entry always goes on it, so an entry bigger than any page is still shown", () => {
    const layout = countingLayout(3, 1);
    const planned = planPages(alerts, layout, 10, pageTotals(alerts), scan);
    expect(planned.shown).toBe(7);
    expect(planned.pages[1]!.alerts.map((a) => a.id)).toEqual(["a2", "a3", "a5"]);
    expect(planPages([], layout, 5, pageTotals([]), scan)).toMatchObject({ pages: [], shown: 0, omitted: 0 });
    expect(() => planPages(alerts, { ...layout, maxEntries: () => 0 }, 5, pageTotals(alerts), scan)).toThrow(
      /no room for alerts/,
    );
  });

  it("the Block Kit builder is core's planner with its layout: build and planPages + render agree", () => {
    const totals = pageTotals(alerts);
    const builder = new BlockBuilder();
    const layout = builder.layout({ scan, totals, limits: { maxBlocks: 6 } });
    const planned = planPages(alerts, layout, 2, totals, scan);
    const built = builder.build(alerts, scan, { limits: { maxBlocks: 6 }, maxMessages: 2, sorted: true });
    expect(built.messages.map((m) => m.payload)).toEqual(planned.pages.map((p) => layout.render(p)));
    expect(built.omitted).toBe(planned.omitted);
  });
});

describe("a plugin's layout", () => {
  it("is what a run pages and renders with; each message carries its neutral page", async () => {
    const layout = countingLayout(1, 2);
    const plugin: NotifierPlugin = {
      mode: "counting",
      destinations: () => [{ route: "r", target: "t", key: "k", filter: {}, address: {}, configPath: "$.x" }],
      layout: () => layout,
      createNotifier: () => ({ send: async () => ({ ok: true }) }),
    };
    const engine = await createEngine({ config: { mode: "counting", max_messages: 3 }, env: {}, plugins: [plugin] });
    const scan: ScanInput = {
      format: "enable-json-report",
      alerts: [...alerts],
      context: { repo: "acme/app" },
      duplicatesMerged: 0,
      unchangedIgnored: 0,
    };
    const plan = engine.plan(scan);
    const messages = plannedMessages(plan);
    expect(messages.map((m) => m.payload.text)).toEqual(["page 1/3: a4 a2", "page 2/3: a3 a5", "page 3/3: a6"]);
    expect(messages.map((m) => m.page?.alerts.length)).toEqual([2, 2, 1]);
    expect(messages[2]!.page?.omitted).toEqual({ count: 2, bySeverity: { critical: 0, high: 0, medium: 0, low: 2 } });
    expect(plan.destinations[0]!.build).toMatchObject({ shown: 5, omitted: 2 });
    expect(layout.asked).toBeGreaterThan(0);
  });
});
