/**
 * A small good plugin and broken variants of it, each run through the conformance kit.
 * ../src/conformance.test.ts runs this file in a child vitest and checks which tests fail.
 */
import {
  type DeliveryFailure,
  type Destination,
  type NotifierPlugin,
  type OutboundMessage,
  type PluginHost,
  type Secret,
  type SendContext,
} from "@socket-notify/core";
import { runConformance } from "../src/index.js";

type Classify = (status: number, body: string, retryAfter: string | null, host: PluginHost) => DeliveryFailure;

interface Variant {
  strict?: boolean;
  classify?: Classify;
  /** How network errors are retried, when not the host's classification. */
  networkRetry?: DeliveryFailure["retry"];
  target?: (name: string, url: string) => string;
  destinations?: (config: Record<string, unknown>) => void;
  validate?: boolean;
  /** Send with the global fetch instead of the host's (so the run's proxy is bypassed). */
  ownFetch?: boolean;
}

function makePlugin(mode: string, v: Variant = {}): NotifierPlugin {
  return {
    mode,
    optionsSchema: (host) => {
      const { z } = host;
      const entry =
        (v.strict ?? true)
          ? z.strictObject({ name: z.string(), url: z.string(), ...host.filterShape })
          : z.object({ name: z.string(), url: z.string() });
      return z.object({ targets: (v.validate ?? true) ? z.optional(z.array(entry)) : z.any() });
    },
    capabilities: { maxBlocks: 50, ratePerSecond: 2, burst: 2 },
    destinations(config, host): Destination[] {
      v.destinations?.(config);
      const list = config.targets as { name: string; url: string }[];
      return list.map((t, i) => {
        const url = host.secret(t.url, { path: `targets[${i}].url`, redact: host.redactWebhookUrl });
        host.checkUrl(url.reveal(), { path: `targets[${i}].url`, what: `${mode} URL` });
        return {
          route: t.name,
          target: v.target ? v.target(t.name, t.url) : t.name,
          key: `${mode}:${t.name}`,
          filter: host.pickFilter(t),
          address: url,
          configPath: `targets[${i}]`,
        };
      });
    },
    createNotifier(_config, host) {
      const send = v.ownFetch ? globalThis.fetch : host.fetch;
      return {
        async send(message: OutboundMessage, ctx: SendContext) {
          let res: Response;
          try {
            res = await send((message.destination.address as Secret).reveal(), {
              method: "POST",
              body: JSON.stringify({ n: message.alerts.length }),
              signal: ctx.signal,
            });
          } catch (e) {
            const reason = ctx.signal.reason as Error | undefined;
            const failure = host.classifyNetworkError(reason?.name === "TimeoutError" ? reason : e, ctx.timeoutMs);
            return { ok: false, failure: v.networkRetry ? { ...failure, retry: v.networkRetry } : failure };
          }
          const body = await res.text();
          if (res.ok) return { ok: true };
          const failure = (v.classify ?? ((s, b, r, h) => h.classifyHttpStatus(s, b, r)))(
            res.status,
            body,
            res.headers.get("retry-after"),
            host,
          );
          return { ok: false, failure: { ...failure, message: `${failure.message}: ${host.scrub(body)}` } };
        },
      };
    },
  };
}

const configFor = (url: string) => ({ targets: [{ name: "t", url }] });
const run = (mode: string, v?: Variant) =>
  runConformance({
    plugin: makePlugin(mode, v),
    configFor,
    name: mode,
    skip: { timeout: "covered by the good plugin; keeps this run short" },
  });

run("good");
run("leaks-url-in-target", { target: (_name, url) => url });
run("never-retries", {
  classify: (s, b, r, h) => ({ ...h.classifyHttpStatus(s, b, r), retry: "never" }),
  networkRetry: "never",
});
run("retries-4xx", { classify: (s, b, r, h) => ({ ...h.classifyHttpStatus(s, b, r), retry: "backoff" }) });
run("ignores-retry-after", {
  classify: (s, b, _r, h) => ({ ...h.classifyHttpStatus(s, b, null), ...(s === 429 ? { retryAfterMs: 1000 } : {}) }),
});
run("loose-schema", { strict: false });
run("no-validation", { validate: false });
run("mutates-config", { destinations: (c) => void (c.touched = true) });
run("own-fetch", { ownFetch: true });
