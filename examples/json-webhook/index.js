// @ts-check
/**
 * json-webhook: a socket-notify notifier plugin that POSTs each endpoint's routed alerts as
 * JSON (for a SIEM, a ticketing system, a serverless function, anything with an HTTP endpoint).
 *
 * It imports no package: zod, fetch (with the run's proxy) and the helpers (secrets, URL
 * checks, error classification, scrubbing) come from the `host` socket-notify passes to every
 * hook. So this folder works copied anywhere, with no node_modules, named by path in a
 * config's `plugins`.
 *
 * The types below are for editors only (erased at run time).
 * @typedef {import("@socket-notify/core").NotifierPlugin} NotifierPlugin
 * @typedef {import("@socket-notify/core").PluginHost} PluginHost
 * @typedef {import("@socket-notify/core").Notifier} Notifier
 * @typedef {import("@socket-notify/core").Destination} Destination
 * @typedef {import("@socket-notify/core").OutboundMessage} OutboundMessage
 * @typedef {import("@socket-notify/core").SendContext} SendContext
 * @typedef {import("@socket-notify/core").SendResult} SendResult
 * @typedef {import("@socket-notify/core").Alert} Alert
 * @typedef {import("@socket-notify/core").Secret} Secret
 * @typedef {import("@socket-notify/core").NotifyConfig} NotifyConfig
 * @typedef {{ url: Secret, headers: [string, Secret][] }} EndpointAddress
 * @typedef {{ name: string, url: string | { env: string }, headers?: Record<string, string | { env: string }> } & Record<string, unknown>} EndpointEntry
 */
import { createHash } from "node:crypto";

export const MODE = "json-webhook";
/** Version of the JSON body; bumped only for changes a receiver must know about. */
export const PAYLOAD_SCHEMA = "socket-notify.json-webhook/v1";
/** What we read of an endpoint's answer: enough for an error message. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The config keys this notifier adds: `endpoints`, each with a name, a URL, optional headers
 * and the usual per-destination filters. Built with the host's zod, so it merges into the
 * config schema (unknown keys are errors, with "did you mean").
 * @param {PluginHost} host
 */
export function optionsSchema(host) {
  const { z } = host;
  const endpoint = z.strictObject({
    name: z.string().check(z.minLength(1), z.describe("Name of the endpoint, shown in reports (never the URL).")),
    url: host.secretValue.check(
      z.describe('Where to POST: https://…, or {"env": "VAR"}. Plain http only for 127.0.0.1/localhost.'),
    ),
    headers: z.optional(
      z
        .record(
          z.string().check(
            z.regex(/^[A-Za-z0-9-]+$/, {
              error: "header names are letters, digits and dashes | hint: e.g. Authorization, X-Api-Key",
            }),
          ),
          host.secretValue,
        )
        .check(
          z.describe('Extra request headers (e.g. Authorization). Values are secrets: a string or {"env": "VAR"}.'),
        ),
    ),
    ...host.filterShape,
  });
  return z.object({
    endpoints: z.optional(
      z
        .array(endpoint)
        .check(z.minLength(1), z.describe("json-webhook mode: the endpoints that receive alerts as JSON.")),
    ),
  });
}

/**
 * One destination per endpoint. Pure: reads the validated config, checks URLs, touches no network.
 * @param {NotifyConfig} config
 * @param {PluginHost} host
 * @returns {Destination[]}
 */
export function destinations(config, host) {
  const entries = /** @type {EndpointEntry[] | undefined} */ (config.endpoints);
  if (!entries || entries.length === 0) {
    throw host.configError(
      "endpoints",
      `${MODE} mode needs at least one endpoint`,
      'add "endpoints": [{"name": "siem", "url": "https://…"}]',
    );
  }
  /** @type {Set<string>} */
  const names = new Set();
  return entries.map((entry, i) => {
    const path = `endpoints[${i}]`;
    if (names.has(entry.name)) {
      throw host.configError(
        `${path}.name`,
        `${MODE}: two endpoints are named "${entry.name}"`,
        "give each endpoint its own name",
      );
    }
    names.add(entry.name);
    const url = host.secret(entry.url, { path: `${path}.url`, redact: host.redactWebhookUrl });
    // An unset {"env": …} in a dry run or validate is a warning, not a bad URL.
    if (!url.missing)
      host.checkUrl(url.reveal(), { path: `${path}.url`, what: `${MODE} endpoint "${entry.name}" URL` });
    /** @type {[string, Secret][]} */
    const headers = Object.entries(entry.headers ?? {}).map(([k, v]) => [
      k,
      host.secret(v, { path: `${path}.headers.${k}` }),
    ]);
    /** @type {EndpointAddress} */
    const address = { url, headers };
    return {
      route: entry.name,
      target: entry.name,
      // One rate limit per URL, whatever the names; the key is printed, so it is a hash.
      key: `${MODE}:${sha256(url.reveal()).slice(0, 16)}`,
      filter: host.pickFilter(entry),
      address,
      configPath: path,
    };
  });
}

/**
 * The JSON body for one page of alerts.
 * @param {OutboundMessage} message
 * @param {string} version
 */
export function toPayload(message, version) {
  return {
    schema: PAYLOAD_SCHEMA,
    source: "socket-notify",
    version,
    endpoint: message.destination.target,
    kind: message.kind,
    page: { index: message.index, count: message.count },
    /** The one-line summary a chat notifier would show. */
    summary: message.payload.text,
    /** The same for every retry of this page: receivers can drop duplicates with it. */
    idempotency_key: idempotencyKey(message),
    alerts: message.alerts.map(toJsonAlert),
  };
}

/** @param {Alert} a */
function toJsonAlert(a) {
  return {
    id: a.id,
    type: a.type,
    severity: a.severity,
    action: a.action,
    title: a.title,
    description: a.description,
    package: {
      ecosystem: a.ecosystem,
      namespace: a.namespace ?? null,
      name: a.name,
      version: a.version,
      purl: a.purl,
      url: a.url ?? null,
    },
    introduced_by: a.introducedBy.map((s) => ({ source: s.source, manifest: s.manifest })),
    manifests: a.manifests,
    cve: a.cveId ?? null,
    ghsa: a.ghsaId ?? null,
    origin: a.origin,
    reachability: a.reachability
      ? {
          state: a.reachability.state,
          raw_state: a.reachability.rawState,
          trace: a.reachability.trace ?? null,
          vulnerability_id: a.reachability.vulnerabilityId ?? null,
        }
      : null,
  };
}

/** @param {OutboundMessage} m */
function idempotencyKey(m) {
  return sha256([m.destination.route, m.kind, m.index, m.count, ...m.alerts.map((a) => a.id)].join("\n")).slice(0, 32);
}

/** @param {string} s */
function sha256(s) {
  return createHash("sha256").update(s).digest("hex");
}

/**
 * Sends one page to one endpoint. It only renders and classifies: pacing, retries (by the
 * classification), time budget and reporting are socket-notify's.
 * @implements {Notifier}
 */
export class JsonWebhookNotifier {
  /** @param {PluginHost} host what it sends with (`host.fetch`) and classifies with */
  constructor(host) {
    this.host = host;
  }

  /**
   * @param {OutboundMessage} message
   * @param {SendContext} ctx
   * @returns {Promise<SendResult>}
   */
  async send(message, ctx) {
    const { url, headers } = /** @type {EndpointAddress} */ (message.destination.address);
    const payload = toPayload(message, this.host.version);
    /** @type {Response} */
    let res;
    try {
      res = await this.host.fetch(url.reveal(), {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": `socket-notify/${this.host.version} (${MODE})`,
          "idempotency-key": payload.idempotency_key,
          ...Object.fromEntries(headers.map(([k, v]) => [k, v.reveal()])),
        },
        body: JSON.stringify(payload),
        signal: ctx.signal,
        // A redirect would send the alerts somewhere the config did not name.
        redirect: "error",
      });
    } catch (e) {
      const reason = /** @type {Error | undefined} */ (ctx.signal.reason);
      return {
        ok: false,
        failure: this.host.classifyNetworkError(reason?.name === "TimeoutError" ? reason : e, ctx.timeoutMs),
      };
    }
    let text = "";
    try {
      // Bounded: an endpoint answering with an endless body costs 64 KiB, not the run's memory.
      const { bytes } = await this.host.readBoundedBody(res, ctx.signal, MAX_ANSWER_BYTES);
      text = new TextDecoder().decode(bytes).trim();
    } catch {
      /* the body was lost after the status: the status decides */
    }
    if (res.ok) return { ok: true };
    const failure = this.host.classifyHttpStatus(res.status, text, res.headers.get("retry-after"));
    // Show what the endpoint said (one line, short), minus any secret it echoed.
    const said = this.host.scrub(text.replace(/\s+/g, " ").slice(0, 200));
    if (said && failure.code !== said) failure.message += `: ${said}`;
    if (failure.retry === "never" && res.status < 500) {
      failure.hint =
        res.status === 401 || res.status === 403
          ? `the endpoint refused our credentials: check the headers of endpoint "${message.destination.target}"`
          : `the endpoint refused the request: check its URL and what it accepts`;
    }
    return { ok: false, failure };
  }
}

/** @type {NotifierPlugin} */
const plugin = {
  mode: MODE,
  description: "POST each endpoint's routed alerts as JSON (endpoints)",
  optionsSchema,
  capabilities: {
    // Pages are JSON, not Slack messages: far more alerts fit in one request. With the
    // default max_messages (5) that is up to ~2,480 alerts per endpoint per run.
    maxBlocks: 500,
    maxSectionChars: 3000,
    maxMessageChars: 1_000_000,
    maxFallbackChars: 3000,
    maxHeaderChars: 150,
    ratePerSecond: 5,
    burst: 5,
    threads: false,
    update: false,
  },
  destinations,
  createNotifier(_config, host) {
    return new JsonWebhookNotifier(host);
  },
};

export default plugin;
