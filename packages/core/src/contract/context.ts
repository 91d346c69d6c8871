/**
 * The one context a plugin gets (`PluginHost`: every hook of the descriptor receives it, and it
 * is all a notifier needs at run time: fetch, logger, clock, secrets, errors, zod), and the DI
 * tokens core's own classes inject (a plugin needs none).
 */
import { type DependencyContainer } from "tsyringe";
import { type z } from "zod/mini";
import { type Clock } from "../clock.js";
import { type NamedEntriesSpec, type NamedEntry } from "../config/entries.js";
import {
  type FilterOptions,
  type filterShape,
  type NotifyConfig,
  type SecretRef,
  type secretValue,
} from "../config/schema.js";
import { type classifyHttpStatus, type classifyNetworkError, type parseRetryAfter } from "../delivery/classify.js";
import { type readBoundedBody } from "../delivery/http-body.js";
import { type UserError } from "../errors.js";
import { type Logger } from "../logger.js";
import { type redactWebhookUrl, type Secret } from "../secret.js";

/**
 * Everything a notifier plugin gets from the running socket-notify, and its only channel to it
 * (a notifier class resolved from the run's container injects this same object as `TOKENS.Host`). A plugin needs no copy of core, zod or tsyringe of its own (a
 * plugin folder can be copied anywhere and named by path). The same object goes to
 * `optionsSchema`, `destinations` and `createNotifier`; what is per request (the abort signal,
 * the attempt, the timeout) comes with each `send` as its `SendContext`.
 */
export interface PluginHost {
  readonly version: string;
  /** socket-notify's zod, the one its own schemas are built with. */
  readonly z: typeof z;
  /** The usual per-destination filters, to spread into a plugin's own destination schema. */
  readonly filterShape: typeof filterShape;
  /** A secret: a literal string or `{ "env": "VAR" }`. */
  readonly secretValue: typeof secretValue;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Path of the config file, or the env var name, the config came from. */
  readonly configSource: string;
  /**
   * The config came from where a pull request cannot write: SOCKET_SLACK_CONFIG_JSON, an
   * embedding tool, or a --config file outside the checkout. Not a file the search found.
   */
  readonly configTrusted: boolean;
  /** Where progress and warnings go (the CLI's stderr, an embedder's logger); never the console directly. */
  readonly logger: Logger;
  /** The run's clock: `now()` and an abortable `sleep()` (virtual in tests with `FakeClock`). */
  readonly clock: Clock;
  /**
   * The `fetch` for every request a notifier makes: through the proxy of the run's environment
   * (`HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, never the config), or the embedder's `fetch`. For
   * sending only: `destinations` is pure.
   */
  readonly fetch: FetchFunction;
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
   * A list of named destination entries (`discord_webhooks`, declared with the render kit's
   * `destinationListSchema`), checked: at least one (else a config error with `spec.example`
   * as the hint), names unique; each with its name, JSON path and filters (`pickFilter`).
   */
  namedEntries<E extends { name?: string | undefined }>(
    list: readonly E[] | undefined,
    spec: NamedEntriesSpec,
  ): NamedEntry<E>[];
  /**
   * Check an endpoint URL: https, or http only on loopback (the emulator, tests). The host is
   * checked in its canonical form (WHATWG URL: lower case, `2130706433` and `0x7f.1` are
   * 127.0.0.1). `hosts` restricts the host name (e.g. hooks.slack.com), case-insensitively.
   * `loopback: false` refuses loopback hosts (for an API URL a credential is sent to, given by
   * a config a pull request may control: see `configTrusted`).
   */
  checkUrl(
    raw: string,
    where: {
      path: string;
      hosts?: string[];
      pathPrefix?: string;
      what: string;
      loopback?: boolean;
      loopbackHint?: string;
    },
  ): URL;
  classifyHttpStatus: typeof classifyHttpStatus;
  classifyNetworkError: typeof classifyNetworkError;
  parseRetryAfter: typeof parseRetryAfter;
  redactWebhookUrl: typeof redactWebhookUrl;
  /**
   * Read at most `maxBytes` of an answer's body (then cancel it) and stop when `signal` fires:
   * what the built-in notifiers read answers with, so an endless or dripping body costs neither
   * memory nor more than the request's time.
   */
  readBoundedBody: typeof readBoundedBody;
  /** Any value as text with every secret of the run, every credential-looking environment value and every credential-shaped string redacted. */
  scrub(text: unknown): string;
}

/** A typed DI token: a Symbol that remembers what it resolves to. */
export type Token<T> = symbol & { readonly __type?: T };

export function token<T>(description: string): Token<T> {
  return Symbol.for(`socket-notify:${description}`) as Token<T>;
}

export function resolve<T>(container: DependencyContainer, t: Token<T>): T {
  return container.resolve<T>(t);
}

/** `fetch`, injectable so embedding tools can route through a proxy or a test double. */
export type FetchFunction = typeof globalThis.fetch;

/**
 * The tokens registered in each run's fresh child container (see `NotifierPlugin.createNotifier`):
 * what core's injectable classes (`DeliveryEngine`) and an injectable notifier class take. `Host`
 * is the same one context object every hook gets; `Config` is the validated config.
 */
export const TOKENS = {
  Logger: token<Logger>("Logger"),
  Clock: token<Clock>("Clock"),
  Host: token<PluginHost>("Host"),
  Config: token<NotifyConfig>("Config"),
} as const;
