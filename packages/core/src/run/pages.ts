/**
 * Core's pagination, the same for every notifier: alerts in risk order, a package's alerts
 * together, at most `max_messages` pages, and whatever fits in none counted by severity on the
 * last page. How big an entry is and how a page looks are the notifier's (`PageLayout`).
 */
import { countBySeverity, type SeverityCounts } from "../severity.js";
import { type AlertPage, type PageEntry, type PageLayout, type PageSlot, type PageTotals } from "../contract/layout.js";
import { type Alert, type ScanContext } from "../model.js";

/** One destination's pages, and what fit in none of them. */
export interface PagePlan {
  pages: AlertPage[];
  /** Alerts on the pages. */
  shown: number;
  /** Alerts that fit in no page (`max_messages`); counted on the last page. */
  omitted: number;
  omittedBySeverity: SeverityCounts;
}

/** Counts of all `alerts` for a heading: how many, how many block, by severity. */
export function pageTotals(alerts: readonly Alert[]): PageTotals {
  let block = 0;
  for (const a of alerts) if (a.action === "block") block++;
  return { all: alerts.length, block, bySeverity: countBySeverity(alerts) };
}

/**
 * Cuts `alerts` (already in risk order) into at most `maxMessages` pages with `layout`'s
 * measure. Each package's alerts stay together, packages in the order of their riskiest
 * alert; a package too big for one entry continues in the next. Pages are filled without
 * room for the "N more not shown" count; only when alerts are left over is the last page
 * filled again with that room (reserving it on every page cost a message).
 */
export function planPages(
  alerts: readonly Alert[],
  layout: PageLayout,
  maxMessages: number,
  totals: PageTotals,
  scan: ScanContext,
): PagePlan {
  if (alerts.length === 0) return { pages: [], shown: 0, omitted: 0, omittedBySeverity: countBySeverity([]) };
  const most = Math.max(1, Math.floor(maxMessages));
  const maxEntries = (slot: PageSlot) => Math.floor(layout.maxEntries(slot));
  if (maxEntries({ first: true, summary: true }) < 1)
    throw new RangeError("the notifier's page layout leaves no room for alerts");

  // Only the first packages can be shown at all; the others keep risk order, to be counted.
  const grouped = groupByPackage(alerts, most * Math.max(1, maxEntries({ first: false, summary: false })));
  const entries: PageEntry[] = [];
  let built = 0; // alerts of `grouped` already in `entries`
  const entryAt = (k: number): PageEntry | undefined => {
    while (entries.length <= k && built < grouped.length) {
      const key = packageKey(grouped[built]!);
      let end = built + 1;
      while (end < grouped.length && packageKey(grouped[end]!) === key) end++;
      const continued = built > 0 && packageKey(grouped[built - 1]!) === key;
      const run = grouped.slice(built, end);
      const n = Math.min(run.length, Math.max(1, Math.floor(layout.entry(run, continued))));
      entries.push({ alerts: n === run.length ? run : run.slice(0, n), continued });
      built += n;
    }
    return entries[k];
  };

  const fill = (start: number, slot: PageSlot) => {
    const max = Math.max(1, maxEntries(slot));
    const page: PageEntry[] = [];
    let k = start;
    for (let e = entryAt(k); e && page.length < max; e = entryAt(++k)) {
      if (page.length > 0 && !layout.fits(page, e, slot)) break;
      page.push(e);
    }
    return { page, next: k };
  };
  const pages: PageEntry[][] = [];
  let k = 0;
  let lastStart = 0;
  while (entryAt(k) && pages.length < most) {
    lastStart = k;
    const { page, next } = fill(k, { first: pages.length === 0, summary: false });
    pages.push(page);
    k = next;
  }
  if (entryAt(k) && pages.length > 0) {
    const { page, next } = fill(lastStart, { first: pages.length === 1, summary: true });
    pages[pages.length - 1] = page;
    k = next;
  }
  let shown = 0;
  for (const p of pages) for (const e of p) shown += e.alerts.length;
  const omitted = grouped.length - shown;
  const omittedBySeverity = countBySeverity([]);
  for (let i = shown; i < grouped.length; i++) omittedBySeverity[grouped[i]!.severity]++;
  return {
    pages: pages.map((entries, p) => ({
      index: p + 1,
      count: pages.length,
      entries,
      alerts: entries.flatMap((e) => e.alerts),
      totals,
      ...(p === pages.length - 1 && omitted > 0 ? { omitted: { count: omitted, bySeverity: omittedBySeverity } } : {}),
      scan,
    })),
    shown,
    omitted,
    omittedBySeverity,
  };
}

/** Same ecosystem, namespace, name and version: one package. */
function packageKey(a: Alert): string {
  return `${a.ecosystem}\u0000${a.namespace ?? ""}\u0000${a.name}\u0000${a.version}`;
}

/**
 * The alerts with each package's alerts together, packages in the order of their riskiest alert
 * and alerts in risk order within a package. Only the first `maxPackages` packages can be shown,
 * so only they are gathered; the alerts of later packages follow in risk order (they are counted).
 */
function groupByPackage(alerts: readonly Alert[], maxPackages: number): readonly Alert[] {
  const groups = new Map<string, Alert[]>();
  // One byte per alert for "in a gathered package", and an exact-size result: with 100,000
  // alerts and 20 destinations, arrays grown by `push` left megabytes of outgrown copies (bench
  // figure 6, peak memory).
  const gathered = new Uint8Array(alerts.length);
  let many = false;
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts[i]!;
    const key = packageKey(a);
    const g = groups.get(key);
    if (g) {
      g.push(a);
      gathered[i] = 1;
      many = true;
    } else if (groups.size < maxPackages) {
      groups.set(key, [a]);
      gathered[i] = 1;
    }
  }
  if (!many) return alerts;
  const out = new Array<Alert>(alerts.length);
  let k = 0;
  for (const g of groups.values()) for (const a of g) out[k++] = a;
  for (let i = 0; i < alerts.length; i++) if (gathered[i] === 0) out[k++] = alerts[i]!;
  return out;
}
