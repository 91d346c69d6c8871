/**
 * The conformance suite a notifier plugin author runs in their own vitest file:
 *
 * ```ts
 * import { runConformance } from "@socket-notify/testing";
 * import plugin from "./index.js";
 * runConformance({ plugin, configFor: (url) => ({ endpoints: [{ name: "siem", url }] }) });
 * ```
 *
 * It drives the plugin through the real engine (`createEngine`), against a loopback HTTP sink
 * the kit starts: `configFor(url)` returns a config that points the plugin at that URL. The
 * URL's last path segment is a random secret that must never show up in what a user sees.
 */
import { createServer } from "node:net";
import {
  createEngine,
  type DeliveryProgress,
  type DeliveryReport,
  isSocketNotifyError,
  MemoryLogger,
  type NotifierCapabilities,
  type NotifierPlugin,
  type NotifyOptions,
  type Plan,
  reportExitCode,
  type ScanInput,
  SLACK_LIMITS,
  type SocketNotifyEngine,
} from "@socket-notify/core";
import { coreShape, createHost, messageText, optionsShape } from "@socket-notify/core/internal";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectNoSecrets, FakeClock } from "@socket-notify/core/testing";
import { syntheticScan } from "./scan.js";
import { type HttpSink, type SinkRequest, startSink } from "./sink.js";

/** What a plugin's request says about itself, when the author can read it back. */
export interface RequestSummary {
  /** Alerts carried by this request. */
  alerts?: number;
  /** Blocks (or items) in it, checked against `maxBlocks`. */
  blocks?: number;
  /** Characters of text in it, checked against `maxMessageChars`. */
  textChars?: number;
}

export type ConformanceCheck =
  | "descriptor"
  | "options"
  | "destinations"
  | "capabilities"
  | "retry-5xx"
  | "no-retry-4xx"
  | "retry-after"
  | "network"
  | "timeout"
  | "secrets"
  | "host-fetch"
  | "native";

export interface ConformanceOptions {
  plugin: NotifierPlugin;
  /**
   * A valid config that sends every alert to `url` (an http://127.0.0.1 URL of the kit's sink),
   * e.g. `(url) => ({ endpoints: [{ name: "siem", url }] })`. `mode` is added when missing.
   */
  configFor(url: string): Record<string, unknown>;
  /** Environment for `{"env": "VAR"}` references in that config. @default {} */
  env?: Record<string, string | undefined>;
  /** Other secrets `configFor` puts in the config (API keys, tokens); the URL's secret is always checked. */
  secrets?: string[];
  /** Read one request back (for the checks on what actually went over the wire). */
  readRequest?(request: SinkRequest): RequestSummary | undefined;
  /** Title of the `describe` block. @default `notifier plugin "<mode>" conformance` */
  name?: string;
  /** Checks that do not apply to this plugin, each with the reason. */
  skip?: Partial<Record<ConformanceCheck, string>>;
}

/** Values of every JSON type; at least one of them must be wrong for any option. */
const JUNK: unknown[] = [12345, "junk", true, { junk: 1 }, [12345], null];
/** Sleeps up to this long are taken at once in virtual time (pacing, backoff, Retry-After); the run budget is not. */
const AUTO_ADVANCE_MS = 60_000;
/** Real-time guard for a send that ignores its abort signal; not a speed assertion. */
const HANG_GUARD_MS = 15_000;

const CAPABILITY_KEYS: Record<keyof NotifierCapabilities, "number" | "boolean"> = {
  maxBlocks: "number",
  maxSectionChars: "number",
  maxMessageChars: "number",
  maxFallbackChars: "number",
  maxHeaderChars: "number",
  ratePerSecond: "number",
  burst: "number",
  threads: "boolean",
  update: "boolean",
};

interface Harness {
  engine: SocketNotifyEngine;
  clock: FakeClock;
  logger: MemoryLogger;
  /** Requests the plugin made through `host.fetch` (the engine's `fetch`). */
  fetched: string[];
}

interface Observed {
  plan: Plan;
  report: DeliveryReport;
  progress: DeliveryProgress[];
}

/** Register the conformance tests for one plugin (call at the top level of a vitest file). */
export function runConformance(options: ConformanceOptions): void {
  const { plugin } = options;
  const mode = typeof plugin?.mode === "string" ? plugin.mode : "(no mode)";
  const skip = options.skip ?? {};
  const check = (name: ConformanceCheck, title: string, fn: () => Promise<void> | void) => {
    const reason = skip[name];
    if (reason) it.skip(`${title} (skipped: ${reason})`, fn);
    else it(title, fn);
  };

  describe(options.name ?? `notifier plugin "${mode}" conformance`, () => {
    let sink: HttpSink;
    /** Everything a user could have seen in this test; each test ends by checking it for secrets. */
    let seen: unknown[] = [];
    const secrets = () => [sink.secret, sink.url, ...(options.secrets ?? [])];

    beforeAll(async () => {
      sink = await startSink();
    });
    afterAll(async () => {
      await sink?.close();
    });
    beforeEach(() => {
      sink.reset();
      seen = [];
    });

    const configFor = (url: string): Record<string, unknown> => {
      const c = options.configFor(url);
      if (!c || typeof c !== "object" || Array.isArray(c))
        throw new Error(`configFor(url) must return a config object, got ${Array.isArray(c) ? "a list" : typeof c}`);
      return c.mode === undefined ? { mode, ...c } : c;
    };

    const harness = async (config: Record<string, unknown>): Promise<Harness> => {
      const clock = new FakeClock({ autoAdvance: AUTO_ADVANCE_MS });
      sink.now = () => clock.now();
      const logger = new MemoryLogger();
      // host.fetch is this: it carries the run's proxy, so a plugin must send with it.
      const fetched: string[] = [];
      const fetch: typeof globalThis.fetch = (input, init) => {
        fetched.push(input instanceof Request ? input.url : String(input));
        return globalThis.fetch(input, init);
      };
      try {
        const engine = await createEngine({
          config,
          plugins: [plugin],
          logger,
          clock,
          fetch,
          env: options.env ?? {},
        });
        seen.push({
          destinations: engine.destinations.map(({ address: _address, ...d }) => d),
          warnings: engine.configWarnings,
        });
        return { engine, clock, logger, fetched };
      } catch (e) {
        seen.push(e, logger.lines);
        throw e;
      }
    };

    const run = async (h: Harness, scan: ScanInput, extra: NotifyOptions = {}): Promise<Observed> => {
      const progress: DeliveryProgress[] = [];
      let guard: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => {
        guard = setTimeout(
          () =>
            reject(
              new Error(
                `the run did not finish within ${HANG_GUARD_MS / 1000} s of real time: does send() honour ctx.signal (pass it to fetch)?`,
              ),
            ),
          HANG_GUARD_MS,
        );
      });
      try {
        // plan() is pure and deterministic: the same plan notify() delivers.
        const plan = h.engine.plan(scan, extra);
        const report = await Promise.race([
          h.engine.notify(scan, { ...extra, onProgress: (p) => progress.push(p) }),
          hang,
        ]);
        seen.push(report, h.logger.lines, progress);
        return { plan, report, progress };
      } finally {
        clearTimeout(guard);
      }
    };

    /** Report, logs, progress events, errors and destinations seen so far in this test. */
    const assertNoSecrets = (extra: string[] = []) => expectNoSecrets(seen, [...secrets(), ...extra]);

    const destinationsOf = (plan: Plan) => {
      expect(plan.destinations.length, "configFor(url) should give at least one destination").toBeGreaterThan(0);
      return plan.destinations;
    };

    /* ---------------------------------------------------------------- descriptor */

    check("descriptor", "exports a valid plugin descriptor", () => {
      expect(plugin, "the plugin descriptor").toBeTypeOf("object");
      expect(plugin.mode, "mode").toBeTypeOf("string");
      expect(plugin.mode, "mode: lower-case letters, digits and dashes (it is typed in configs)").toMatch(
        /^[a-z][a-z0-9-]*$/,
      );
      expect(["webhook", "bot"], "mode must not take a built-in notifier's name").not.toContain(plugin.mode);
      expect(plugin.destinations, "destinations(config, host)").toBeTypeOf("function");
      expect(plugin.createNotifier, "createNotifier(config, host)").toBeTypeOf("function");
      if (plugin.description !== undefined) expect(plugin.description, "description").toBeTypeOf("string");

      const host = createHost({ env: {}, configSource: "conformance", logger: new MemoryLogger() });
      const schema = typeof plugin.optionsSchema === "function" ? plugin.optionsSchema(host) : plugin.optionsSchema;
      if (schema !== undefined) {
        expect(
          typeof (schema as { safeParse?: unknown }).safeParse,
          "optionsSchema must be a zod object (build it with host.z.object)",
        ).toBe("function");
        const keys = Object.keys(optionsShape(plugin, host));
        const clash = keys.filter((k) => k in coreShape);
        expect(clash, "options must not redefine core config keys").toEqual([]);
      }
      const caps = plugin.capabilities ?? {};
      for (const [k, v] of Object.entries(caps)) {
        const type = CAPABILITY_KEYS[k as keyof NotifierCapabilities];
        expect(
          type,
          `capabilities.${k} is not a known capability (${Object.keys(CAPABILITY_KEYS).join(", ")})`,
        ).toBeDefined();
        expect(typeof v, `capabilities.${k}`).toBe(type);
        if (type === "number") {
          expect(Number.isFinite(v) && (v as number) > 0, `capabilities.${k} must be a positive number`).toBe(true);
        }
      }
      const merged = { ...SLACK_LIMITS, ...caps };
      // Header, context, divider and the "N more" summary must leave room for at least one alert.
      expect(
        merged.maxBlocks,
        "capabilities.maxBlocks must leave room for header, context, divider, summary and one alert",
      ).toBeGreaterThanOrEqual(5);
      expect(merged.maxMessageChars, "capabilities.maxMessageChars").toBeGreaterThanOrEqual(1000);
    });

    /* ---------------------------------------------------------------- options */

    check("options", "accepts the config from configFor(url)", async () => {
      const h = await harness(configFor(sink.url));
      expect(h.engine.mode).toBe(plugin.mode);
      expect(h.engine.destinations.length, "configFor(url) should give at least one destination").toBeGreaterThan(0);
      for (const d of h.engine.destinations) {
        expect(d.target, "destination.target (shown to users)").toBeTypeOf("string");
        expect(d.key, "destination.key (pacing key)").toBeTypeOf("string");
        expect(d.configPath, "destination.configPath").toBeTypeOf("string");
      }
      assertNoSecrets();
    });

    check("options", "rejects junk options with a one-line error that names the plugin", async () => {
      const base = configFor(sink.url);
      const host = createHost({ env: options.env ?? {}, configSource: "conformance", logger: new MemoryLogger() });
      const keys = Object.keys(optionsShape(plugin, host));
      const problems: string[] = [];
      for (const key of keys) {
        const variants: unknown[] = [...JUNK];
        // A typo'd key inside a list entry or an object must not pass silently.
        const current = base[key];
        if (Array.isArray(current) && current[0] && typeof current[0] === "object") {
          variants.push([{ ...(current[0] as object), junk_kex: 1 }, ...current.slice(1)]);
        } else if (current && typeof current === "object" && !Array.isArray(current)) {
          variants.push({ ...(current as object), junk_kex: 1 });
        }
        let rejected = 0;
        for (const junk of variants) {
          const shown = JSON.stringify(junk).slice(0, 60);
          let error: unknown;
          try {
            await createEngine({
              config: { ...base, [key]: junk },
              plugins: [plugin],
              logger: new MemoryLogger(),
              env: options.env ?? {},
            });
          } catch (e) {
            error = e;
          }
          if (error === undefined) {
            if (variants.indexOf(junk) >= JUNK.length)
              problems.push(`${key}: an unknown key inside (${shown}) was accepted; use host.z.strictObject`);
            continue;
          }
          rejected++;
          seen.push(error);
          if (!isSocketNotifyError(error)) {
            problems.push(
              `${key} = ${shown}: crashed with ${(error as Error)?.name}: ${(error as Error)?.message} (expected a UserError: validate in optionsSchema, or throw host.configError)`,
            );
            continue;
          }
          if (error.message.includes("\n")) problems.push(`${key} = ${shown}: the error spans several lines`);
          if (!error.message.includes(plugin.mode))
            problems.push(`${key} = ${shown}: the error does not name the plugin "${plugin.mode}": ${error.message}`);
        }
        if (rejected === 0)
          problems.push(`${key}: accepted every junk value (${JUNK.map((j) => JSON.stringify(j)).join(", ")})`);
      }
      expect(problems, "option validation").toEqual([]);
      assertNoSecrets();
    });

    /* ---------------------------------------------------------------- destinations */

    check("destinations", "destinations() is pure: same result twice, config untouched, no network", async () => {
      const h = await harness(configFor(sink.url));
      const config = deepFreeze(structuredClone(h.engine.config));
      const before = JSON.stringify(config);
      const list = () => {
        const r = plugin.destinations(config, h.engine.host);
        const ds = Array.isArray(r) ? r : r.destinations;
        return JSON.stringify(ds.map((d) => ({ ...d, address: d.address })));
      };
      const first = list();
      expect(list(), "destinations() gave a different result the second time").toBe(first);
      expect(JSON.stringify(config), "destinations() changed the config").toBe(before);
      h.engine.plan(syntheticScan(3));
      await h.engine.notify(syntheticScan(3), { dryRun: true });
      expect(sink.requests.length, "planning and dry runs must not touch the network").toBe(0);
      assertNoSecrets();
    });

    /* ---------------------------------------------------------------- capabilities */

    for (const count of [0, 1, 500]) {
      check(
        "capabilities",
        `${count} alert${count === 1 ? "" : "s"}: messages respect the declared capabilities, each delivered once`,
        async () => {
          const h = await harness(configFor(sink.url));
          const scan = syntheticScan(count);
          const { report, plan } = await run(h, scan);
          const caps = h.engine.capabilities;
          const planned = destinationsOf(plan).flatMap((d) => d.messages);
          if (count === 0) {
            expect(planned.length).toBe(0);
            expect(sink.requests.length, "no alerts: nothing is sent").toBe(0);
            for (const d of report.destinations) expect(d.status).toBe("skipped");
          } else {
            expect(plan.alerts.matched, "configFor(url) should route every alert").toBe(count);
            for (const m of planned) {
              const where = `${m.destination.target} page ${m.index}/${m.count}`;
              expect(m.payload.blocks.length, `${where}: blocks`).toBeLessThanOrEqual(caps.maxBlocks);
              expect(messageText(m.payload.blocks), `${where}: text`).toBeLessThanOrEqual(caps.maxMessageChars);
              expect(m.payload.text.length, `${where}: fallback text`).toBeLessThanOrEqual(caps.maxFallbackChars);
              for (const b of m.payload.blocks) {
                if (b.type === "header")
                  expect(b.text.text.length, `${where}: header`).toBeLessThanOrEqual(caps.maxHeaderChars);
                if (b.type === "section")
                  expect(b.text.text.length, `${where}: section`).toBeLessThanOrEqual(caps.maxSectionChars);
              }
            }
            expect(sink.requests.length, "one request per planned message").toBe(planned.length);
            expect(reportExitCode(report)).toBe(0);
            for (const d of report.destinations) {
              expect(d.status, `${d.target}`).toBe("sent");
              expect(d.delivered).toBe(d.messages);
              expect(d.alerts, `${d.target}: every alert shown or counted as omitted`).toBe(
                d.message_results.reduce((n, r) => n + r.alerts, 0) + d.omitted,
              );
              for (const r of d.message_results) expect(r.attempts, `${d.target} page ${r.index}: attempts`).toBe(1);
            }
            if (options.readRequest) {
              let alerts: number | undefined;
              for (const req of sink.requests) {
                const s = options.readRequest(req);
                if (s?.alerts !== undefined) alerts = (alerts ?? 0) + s.alerts;
                if (s?.blocks !== undefined)
                  expect(s.blocks, `request ${req.seq}: blocks`).toBeLessThanOrEqual(caps.maxBlocks);
                if (s?.textChars !== undefined)
                  expect(s.textChars, `request ${req.seq}: text`).toBeLessThanOrEqual(caps.maxMessageChars);
              }
              const shown = planned.reduce((n, m) => n + m.alerts.length, 0);
              if (alerts !== undefined)
                expect(alerts, "alerts in the requests (readRequest) = alerts planned").toBe(shown);
            }
            // Pacing at the declared rate: in any stretch, at most burst + rate × time requests per key.
            if (new Set(planned.map((m) => m.destination.key)).size === 1) {
              const at = sink.requests.map((r) => r.at);
              for (let i = 0; i < at.length; i++) {
                for (let j = 0; j < i; j++) {
                  const allowed = Math.max(1, caps.burst) + (caps.ratePerSecond * (at[i]! - at[j]!)) / 1000;
                  expect(
                    i - j + 1,
                    `requests ${j + 1}..${i + 1} exceed ratePerSecond ${caps.ratePerSecond} / burst ${caps.burst}`,
                  ).toBeLessThanOrEqual(allowed + 1e-6);
                }
              }
            }
          }
          assertNoSecrets();
        },
      );
    }

    check("host-fetch", "every request goes through host.fetch (which carries the run's proxy)", async () => {
      const h = await harness(configFor(sink.url));
      const { plan } = await run(h, syntheticScan(3));
      const planned = destinationsOf(plan).flatMap((d) => d.messages);
      expect(sink.requests.length, "one request per planned message").toBe(planned.length);
      expect(
        h.fetched.length,
        "requests made through host.fetch (a plugin that calls the global fetch ignores HTTPS_PROXY)",
      ).toBe(sink.requests.length);
      assertNoSecrets();
    });

    check(
      "native",
      "a layout's own format (native) is what is sent: each request's body is its planned message's",
      async () => {
        const h = await harness(configFor(sink.url));
        const { plan } = await run(h, syntheticScan(40));
        const planned = destinationsOf(plan).flatMap((d) => d.messages);
        // A Block Kit notifier has no native bodies: nothing to compare (its payload checks are above).
        if (!planned.some((m) => m.native)) return;
        for (const m of planned) {
          const where = `${m.destination.target} page ${m.index}/${m.count}`;
          expect(m.native, `${where}: every message has native when one has`).toBeDefined();
          expect(typeof m.native!.format, `${where}: native.format`).toBe("string");
          // Plain JSON data: --out writes it and the outbox keeps it as JSON.
          expect(JSON.parse(JSON.stringify(m.native!.body)), `${where}: native.body is JSON data`).toEqual(
            m.native!.body,
          );
        }
        expect(sink.requests.length, "one request per planned message").toBe(planned.length);
        // Same order when there is one destination key (the engine sends a key's pages in order).
        if (new Set(planned.map((m) => m.destination.key)).size === 1)
          for (const [i, req] of sink.requests.entries())
            expect(req.json, `request ${req.seq}: the body --dry-run showed (native)`).toEqual(
              planned[i]!.native!.body,
            );
        assertNoSecrets();
      },
    );

    /* ---------------------------------------------------------------- failures */

    check("retry-5xx", "an endpoint answering 500 is retried", async () => {
      const h = await harness(configFor(sink.url));
      sink.respond({ status: 500, body: "internal_error" });
      const { report } = await run(h, syntheticScan(1));
      const [d] = report.destinations;
      expect(sink.requests.length, "the 500 and one retry").toBe(2);
      expect(sink.requests[1]!.body, "the retry sends the same message").toBe(sink.requests[0]!.body);
      expect(d!.status).toBe("sent");
      expect(d!.message_results[0]!.attempts).toBe(2);
      assertNoSecrets();
    });

    check("no-retry-4xx", "an endpoint answering 400 is not retried, and the report says why", async () => {
      const h = await harness(configFor(sink.url));
      sink.fallback = { status: 400, body: "invalid_payload" };
      const { report } = await run(h, syntheticScan(1));
      const [d] = report.destinations;
      expect(sink.requests.length, "a 400 is permanent: one request").toBe(1);
      expect(d!.status).toBe("failed");
      expect(d!.error?.code, "the report gives an error code").toBeTruthy();
      expect(d!.error?.message, "the report gives an error message").toBeTruthy();
      expect(reportExitCode(report)).toBe(1);
      assertNoSecrets();
    });

    check("retry-after", "an endpoint answering 429 with Retry-After is retried after that long", async () => {
      const h = await harness(configFor(sink.url));
      sink.respond({ status: 429, body: "rate_limited", headers: { "retry-after": "7" } });
      const { report } = await run(h, syntheticScan(1));
      expect(sink.requests.length, "the 429 and one retry").toBe(2);
      expect(sink.requests[1]!.at - sink.requests[0]!.at, "virtual ms waited before the retry").toBeGreaterThanOrEqual(
        7000,
      );
      expect(report.destinations[0]!.status).toBe("sent");
      assertNoSecrets();
    });

    check("network", "a refused connection is retried, then reported", async () => {
      const port = await closedPort();
      const { url, secret } = sink.newUrl();
      const refused = url.replace(sink.origin, `http://127.0.0.1:${port}`);
      const h = await harness(configFor(refused));
      const { report } = await run(h, syntheticScan(1));
      const [d] = report.destinations;
      expect(d!.status).toBe("failed");
      expect(d!.message_results[0]!.attempts, "network errors are transient: retried").toBeGreaterThan(1);
      assertNoSecrets([secret, refused]);
    });

    check("timeout", "a request that hangs is aborted at the request timeout and retried", async () => {
      const h = await harness(configFor(sink.url));
      sink.respond({ hang: true });
      const { report } = await run(h, syntheticScan(1), { requestTimeoutMs: 300 });
      expect(sink.requests.length, "the hung request and one retry").toBe(2);
      expect(report.destinations[0]!.status).toBe("sent");
      expect(
        report.destinations[0]!.message_results[0]!.possible_duplicate,
        "a timeout after sending may have been delivered",
      ).toBe(true);
      assertNoSecrets();
    });

    /* ---------------------------------------------------------------- secrets */

    check(
      "secrets",
      "secrets in the config never appear in the report, logs, progress or errors, even when the endpoint echoes them",
      async () => {
        const echo = `no such hook: ${sink.url} (${sink.secret})`;
        // Transient failure echoing the URL, then a permanent one echoing it.
        sink.respond({ status: 503, body: echo }, { status: 429, body: echo, headers: { "retry-after": "1" } });
        sink.fallback = { status: 403, body: echo };
        const h = await harness(configFor(sink.url));
        const { report } = await run(h, syntheticScan(3));
        expect(report.destinations[0]!.status).toBe("failed");
        // A config error near the secret.
        const base = configFor(sink.url);
        try {
          await createEngine({
            config: { ...base, junk_key_near_secret: sink.url },
            plugins: [plugin],
            env: options.env ?? {},
          });
        } catch (e) {
          seen.push(e);
        }
        assertNoSecrets();
      },
    );
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
