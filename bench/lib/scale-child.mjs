// Figure 6, one measurement in a fresh process (so peak RSS is this input's alone):
// read and parse a report as `send` does, then filter + build for 20 destinations. Prints one JSON line.
// Usage: node bench/lib/scale-child.mjs REPORT.json
import { stat } from "node:fs/promises";
import { createEngine, readScanFile } from "@socket-notify/core";
import { webhookPlugin } from "@socket-notify/slack-webhook";

const file = process.argv[2];
const FILTERS = [
  {},
  { severities: ["critical", "high"] },
  { alert_types: ["malware", "didYouMean", "installScripts", "networkAccess"] },
  { severities: ["medium", "low"], repos: ["acme/webapp"] },
];
const url = Array.from({ length: 20 }, (_, i) => ({
  name: `d${i}`,
  url: `http://127.0.0.1:9/services/T0001/B${String(i).padStart(4, "0")}/benchsecret${i}`,
}));
const url_configs = Object.fromEntries(url.map((u, i) => [u.name, FILTERS[i % FILTERS.length]]));

const rss = () => process.memoryUsage.rss();
/** Live heap in MB (after a full GC when run with --expose-gc), to show where memory goes. */
const heap = () => {
  globalThis.gc?.();
  return Math.round(process.memoryUsage().heapUsed / 1e6);
};
const bytes = (await stat(file)).size;
const mem = { start: heap() };
const t1 = performance.now();
// As `send` does: the text is dropped once parsed.
const input = await readScanFile(file);
const t2 = performance.now();
mem.afterParse = heap();
const engine = await createEngine({ config: { mode: "webhook", url, url_configs }, plugins: [webhookPlugin], env: {} });
const peakBeforePlan = process.resourceUsage().maxRSS * 1024;
const t3 = performance.now();
const c3 = process.cpuUsage();
const plan = engine.plan(input);
const c4 = process.cpuUsage(c3);
const t4 = performance.now();
mem.afterPlan = heap();
const messages = plan.destinations.reduce((n, d) => n + d.messages.length, 0);
const matched = plan.destinations.reduce((n, d) => n + d.matched.length, 0);
process.stdout.write(
  JSON.stringify({
    bytes,
    alerts: input.alerts.length,
    destinations: plan.destinations.length,
    matched,
    messages,
    parseMs: t2 - t1,
    planMs: t4 - t3,
    /** CPU time of the process (all threads, GC included) during filter + build. */
    planCpuMs: (c4.user + c4.system) / 1000,
    peakRss: process.resourceUsage().maxRSS * 1024,
    peakBeforePlan,
    rssEnd: rss(),
    heapMb: mem,
  }) + "\n",
);
