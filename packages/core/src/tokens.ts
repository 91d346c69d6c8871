import { type DependencyContainer } from "tsyringe";

/** A typed DI token: a Symbol that remembers what it resolves to. */
export type Token<T> = symbol & { readonly __type?: T };

export function token<T>(description: string): Token<T> {
  return Symbol.for(`socket-notify:${description}`) as Token<T>;
}

export function resolve<T>(container: DependencyContainer, t: Token<T>): T {
  return container.resolve<T>(t);
}

import { type Clock } from "./clock.js";
import { type NotifyConfig } from "./config/schema.js";
import { type PluginHost } from "./host.js";
import { type Logger } from "./logger.js";
import { type Notifier } from "./notifier.js";

/** `fetch`, injectable so embedding tools can route through a proxy or a test double. */
export type FetchFunction = typeof globalThis.fetch;

/** The tokens core resolves; plugins register `Notifier` and may inject the rest. */
export const TOKENS = {
  Logger: token<Logger>("Logger"),
  Clock: token<Clock>("Clock"),
  Config: token<NotifyConfig>("Config"),
  Host: token<PluginHost>("Host"),
  Fetch: token<FetchFunction>("Fetch"),
  Env: token<Record<string, string | undefined>>("Env"),
  Notifier: token<Notifier>("Notifier"),
} as const;
