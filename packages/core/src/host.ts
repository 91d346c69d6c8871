import * as z from "zod/mini";
import { type Clock, systemClock } from "./clock.js";
import { type FetchFunction, type PluginHost } from "./contract/context.js";
import { namedEntries } from "./config/entries.js";
import { FILTER_KEYS, type FilterOptions, filterShape, secretValue } from "./config/schema.js";
import { classifyHttpStatus, classifyNetworkError, parseRetryAfter } from "./delivery/classify.js";
import { readBoundedBody } from "./delivery/http-body.js";
import { proxyFetch } from "./delivery/proxy.js";
import { UserError } from "./errors.js";
import { type Logger } from "./logger.js";
import { environmentSecrets, redactCredentials, redactWebhookUrl, scrubSecrets, Secret } from "./secret.js";

/** socket-notify's version, as `socket-notify --version` prints it. */
export const VERSION = "0.1.0";

/**
 * Whether a host name is this machine: localhost (and `*.localhost`, RFC 6761), 127.0.0.0/8,
 * ::1, 0.0.0.0 and :: (Linux connects those to loopback) and IPv4-mapped loopback
 * (::ffff:127.0.0.1). Give it a canonical host (URL#hostname): `new URL` has already turned
 * `2130706433`, `0x7f.1`, `127.1` and `LOCALHOST` into the forms checked here.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "::" || h === "0.0.0.0") return true;
  if (/^127(\.\d{1,3}){3}$/.test(h)) return true;
  // IPv4-mapped: URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1; 0:0:0:0:0:ffff:… is the same.
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(h);
  return mapped !== null && parseInt(mapped[1]!, 16) >> 8 === 127;
}

export interface HostOptions {
  env: Record<string, string | undefined>;
  configSource: string;
  /** See PluginHost.configTrusted; default false. */
  configTrusted?: boolean;
  logger: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** What `host.fetch` sends with. Default: the proxy of `env` (HTTPS_PROXY…), else the global fetch. */
  fetch?: FetchFunction;
  /**
   * `warn`: a secret whose environment variable is unset becomes an empty `Secret` with
   * `missing: true` and a warning (for dry runs and validate, which send nothing). Default `error`.
   */
  missingSecrets?: "error" | "warn";
}

/** The fetch behind each host's `host.fetch`, made on first need (see `hostFetch`). */
const fetchOf = new WeakMap<PluginHost, () => Promise<FetchFunction>>();

/**
 * The fetch `host.fetch` sends with, made now: the engine awaits it before a run sends, so a bad
 * proxy variable is a config error (exit 2) before any request, not a failure of each one.
 */
export function hostFetch(host: PluginHost): Promise<FetchFunction> {
  return fetchOf.get(host)?.() ?? Promise.resolve(host.fetch);
}

export function createHost(options: HostOptions): PluginHost {
  const secrets: Secret[] = [];
  // Made on first need: proxyFetch loads undici only when a proxy variable is set, and it
  // adds the proxy's credentials to the secrets the host scrubs.
  let fetching: Promise<FetchFunction> | undefined;
  const resolveFetch = () =>
    (fetching ??= options.fetch
      ? Promise.resolve(options.fetch)
      : proxyFetch(options.env, secrets).then((f) => f ?? globalThis.fetch));
  let envSecrets: Secret[] | undefined;
  const warnings: string[] = [];
  // Config paths whose value came from an environment variable (`{"env": "HOOK"}`): a bad value
  // there is the variable's fault, so the error names it, not only the file that refers to it.
  const fromEnv = new Map<string, string>();
  const pickFilter = (entry: Record<string, unknown>): FilterOptions => {
    const f: Record<string, unknown> = {};
    for (const k of FILTER_KEYS) if (entry[k] !== undefined) f[k] = entry[k];
    return f as FilterOptions;
  };
  const configError = (path: string, message: string, hint: string) => {
    // A path that is an environment variable's name (SOCKET_SLACK_BOT_TOKEN, SOCKET_SLACK_API_URL):
    // the value came from the job's environment, not from the config file.
    if (/^[A-Z][A-Z0-9_]*$/.test(path) && options.env[path] !== undefined)
      return new UserError("config_invalid", `${path}: ${message}`, { file: path, hint });
    const variable = fromEnv.get(path);
    if (variable !== undefined) {
      return new UserError(
        "config_invalid",
        `environment variable ${variable} (${options.configSource}: ${path} refers to it): ${message}`,
        { file: variable, path, hint },
      );
    }
    return new UserError("config_invalid", `${options.configSource}: ${path}: ${message}`, {
      file: options.configSource,
      path,
      hint,
    });
  };
  const host: PluginHost = {
    version: VERSION,
    z,
    filterShape,
    secretValue,
    env: options.env,
    configSource: options.configSource,
    configTrusted: options.configTrusted === true,
    logger: options.logger,
    clock: options.clock ?? systemClock,
    fetch: (input, init) => resolveFetch().then((f) => f(input, init)),
    secrets,
    warnings,
    secret(value, where) {
      let raw: string;
      if (typeof value === "string") raw = value;
      else {
        const v = options.env[value.env];
        if ((v === undefined || v === "") && options.missingSecrets === "warn") {
          warnings.push(
            `${options.configSource}: ${where.path}: environment variable ${value.env} is not set (needed to send)`,
          );
          return new Secret("", `$${value.env} (unset)`, true);
        }
        if (v === undefined || v === "") {
          throw configError(
            where.path,
            `environment variable ${value.env} is not set`,
            `set ${value.env} in the job's environment (as a CI secret)`,
          );
        }
        raw = v.trim();
        fromEnv.set(where.path, value.env);
      }
      const s = new Secret(raw, where.redact ? where.redact(raw) : "****");
      secrets.push(s);
      return s;
    },
    configError,
    pickFilter,
    namedEntries: (list, spec) => namedEntries(list, spec, configError, pickFilter),
    checkUrl(raw, where) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw configError(where.path, `${where.what} is not a valid URL`, "give the full https:// URL");
      }
      if (where.loopback === false && isLoopbackHost(u.hostname)) {
        throw configError(
          where.path,
          `${where.what} points at this machine (${u.hostname}), which is accepted only from a trusted config`,
          where.loopbackHint ??
            "a file in the checkout is under a pull request's control; give a loopback URL (the emulator) in the environment, SOCKET_SLACK_CONFIG_JSON or a --config file outside the checkout",
        );
      }
      if (u.protocol === "http:" && isLoopbackHost(u.hostname)) return u; // emulator, tests
      if (u.protocol !== "https:") {
        throw configError(
          where.path,
          `${where.what} must use https (got ${u.protocol.replace(":", "")})`,
          "plain http is only accepted for 127.0.0.1/localhost (the emulator)",
        );
      }
      if (where.hosts && !where.hosts.some((h) => h.toLowerCase() === u.hostname.toLowerCase())) {
        throw configError(
          where.path,
          `${where.what} host ${u.hostname} is not ${where.hosts.join(" or ")}`,
          `use the URL Slack gave you (https://${where.hosts[0]}${where.pathPrefix ?? "/"}…)`,
        );
      }
      if (where.pathPrefix && !u.pathname.startsWith(where.pathPrefix)) {
        throw configError(
          where.path,
          `${where.what} path must start with ${where.pathPrefix}`,
          `incoming webhook URLs look like https://${where.hosts?.[0] ?? "host"}${where.pathPrefix}T…/B…/…`,
        );
      }
      return u;
    },
    classifyHttpStatus,
    classifyNetworkError,
    parseRetryAfter,
    redactWebhookUrl,
    readBoundedBody,
    // The run's secrets first (their display form names them), then every credential-looking
    // value of the environment, then credentials recognised by shape.
    scrub: (text) =>
      redactCredentials(scrubSecrets(scrubSecrets(text, secrets), (envSecrets ??= environmentSecrets(options.env)))),
  };
  fetchOf.set(host, resolveFetch);
  return host;
}
