import { type z } from "zod";
import { type ClassicZod, classicZod } from "./classic-zod.js";
import { FILTER_KEYS, type FilterOptions, type SecretRef } from "./config/schema.js";
import { classifyHttpStatus, classifyNetworkError, parseRetryAfter } from "./delivery/classify.js";
import { UserError } from "./errors.js";
import { type Logger } from "./logger.js";
import { redactWebhookUrl, scrubSecrets, Secret } from "./secret.js";
import { TOKENS } from "./tokens.js";

export const VERSION = "0.1.0";

/**
 * Everything a notifier plugin gets from the running socket-notify, so a plugin needs no copy
 * of core, zod or tsyringe of its own (a plugin folder can be copied anywhere and named by path).
 */
export interface PluginHost {
  readonly version: string;
  /** socket-notify's zod (classic), loaded before a plugin gets the host (see classic-zod.ts). */
  readonly z: typeof z;
  readonly tokens: typeof TOKENS;
  /** The usual per-destination filters, to spread into a plugin's own destination schema. */
  readonly filterShape: ClassicZod["filterShape"];
  /** A secret: a literal string or `{ "env": "VAR" }`. */
  readonly secretValue: ClassicZod["secretValue"];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Path of the config file, or the env var name, the config came from. */
  readonly configSource: string;
  readonly logger: Logger;
  /** Secrets resolved so far in this run; core scrubs them from every message it outputs. */
  readonly secrets: Secret[];
  /** Warnings about the config found while building destinations (e.g. an unset secret in a dry run). */
  readonly warnings: string[];
  /** A literal or `{env}` reference → a Secret shown as `redacted`. */
  secret(value: string | SecretRef, where: { path: string; redact?: (raw: string) => string }): Secret;
  configError(path: string, message: string, hint: string): UserError;
  /** Keep only the filter keys of a destination entry. */
  pickFilter(entry: Record<string, unknown>): FilterOptions;
  /**
   * Check an endpoint URL: https, or http only on loopback (the emulator, tests).
   * `hosts` restricts the host name (e.g. hooks.slack.com).
   */
  checkUrl(raw: string, where: { path: string; hosts?: string[]; pathPrefix?: string; what: string }): URL;
  classifyHttpStatus: typeof classifyHttpStatus;
  classifyNetworkError: typeof classifyNetworkError;
  parseRetryAfter: typeof parseRetryAfter;
  redactWebhookUrl: typeof redactWebhookUrl;
  scrub(text: string): string;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

export interface HostOptions {
  env: Record<string, string | undefined>;
  configSource: string;
  logger: Logger;
  /**
   * `warn`: a secret whose environment variable is unset becomes an empty `Secret` with
   * `missing: true` and a warning (for dry runs and validate, which send nothing). Default `error`.
   */
  missingSecrets?: "error" | "warn";
}

export function createHost(options: HostOptions): PluginHost {
  const secrets: Secret[] = [];
  const warnings: string[] = [];
  const configError = (path: string, message: string, hint: string) =>
    new UserError("config_invalid", `${options.configSource}: ${path}: ${message}`, { file: options.configSource, path, hint });
  const host: PluginHost = {
    version: VERSION,
    get z() {
      return classicZod("z").z;
    },
    tokens: TOKENS,
    get filterShape() {
      return classicZod("filterShape").filterShape;
    },
    get secretValue() {
      return classicZod("secretValue").secretValue;
    },
    env: options.env,
    configSource: options.configSource,
    logger: options.logger,
    secrets,
    warnings,
    secret(value, where) {
      let raw: string;
      if (typeof value === "string") raw = value;
      else {
        const v = options.env[value.env];
        if ((v === undefined || v === "") && options.missingSecrets === "warn") {
          warnings.push(`${options.configSource}: ${where.path}: environment variable ${value.env} is not set (needed to send)`);
          return new Secret("", `$${value.env} (unset)`, true);
        }
        if (v === undefined || v === "") {
          throw configError(where.path, `environment variable ${value.env} is not set`, `set ${value.env} in the job's environment (as a CI secret)`);
        }
        raw = v.trim();
      }
      const s = new Secret(raw, where.redact ? where.redact(raw) : "****");
      secrets.push(s);
      return s;
    },
    configError,
    pickFilter(entry) {
      const f: Record<string, unknown> = {};
      for (const k of FILTER_KEYS) if (entry[k] !== undefined) f[k] = entry[k];
      return f as FilterOptions;
    },
    checkUrl(raw, where) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw configError(where.path, `${where.what} is not a valid URL`, "give the full https:// URL");
      }
      if (u.protocol === "http:" && isLoopbackHost(u.hostname)) return u; // emulator, tests
      if (u.protocol !== "https:") {
        throw configError(where.path, `${where.what} must use https (got ${u.protocol.replace(":", "")})`, "plain http is only accepted for 127.0.0.1/localhost (the emulator)");
      }
      if (where.hosts && !where.hosts.includes(u.hostname.toLowerCase())) {
        throw configError(where.path, `${where.what} host ${u.hostname} is not ${where.hosts.join(" or ")}`, `use the URL Slack gave you (https://${where.hosts[0]}${where.pathPrefix ?? "/"}…)`);
      }
      if (where.pathPrefix && !u.pathname.startsWith(where.pathPrefix)) {
        throw configError(where.path, `${where.what} path must start with ${where.pathPrefix}`, `incoming webhook URLs look like https://${where.hosts?.[0] ?? "host"}${where.pathPrefix}T…/B…/…`);
      }
      return u;
    },
    classifyHttpStatus,
    classifyNetworkError,
    parseRetryAfter,
    redactWebhookUrl,
    scrub: (text) => scrubSecrets(text, secrets),
  };
  return host;
}
