import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { BlockBuilder, type BuildResult, DEFAULT_MAX_MESSAGES } from "./blocks/BlockBuilder.js";
import { sortByRisk } from "./blocks/risk.js";
import { SLACK_LIMITS } from "./blocks/types.js";
import { type Clock, systemClock } from "./clock.js";
import { type ConfigSource, findConfig, noConfigError, type RawConfig } from "./config/load.js";
import { resolveConfig } from "./config/resolve.js";
import { type Level, LEVELS, type NotifyConfig } from "./config/schema.js";
import { proxyFetch } from "./delivery/proxy.js";
import {
  DEFAULT_BUDGET_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DeliveryEngine,
  type DeliveryOptions,
  type MessageOutcome,
  timeoutFailure,
} from "./delivery/DeliveryEngine.js";
import { AlertFilter, type Exclusions } from "./filter/AlertFilter.js";
import { createHost, type HostOptions, type PluginHost } from "./host.js";
import { isSocketNotifyError, UserError } from "./errors.js";
import { type Logger, silentLogger } from "./logger.js";
import { type Alert, type ScanContext, type ScanInput } from "./model.js";
import { parseSeverity } from "./severity.js";
import {
  type DeliveryFailure,
  type Destination,
  type DestinationList,
  type Notifier,
  type NotifierCapabilities,
  type NotifierPlugin,
  type OutboundMessage,
} from "./notifier.js";
import { applyFacts } from "./reachability/apply.js";
import { type Facts } from "./reachability/facts.js";
import { type ReachabilitySummary, reachabilitySummary } from "./reachability/summary.js";
import { type DeliveryReport, type DestinationReport, type MessageReport } from "./report.js";
import { type FetchFunction, TOKENS } from "./tokens.js";

export interface EngineOptions {
  /** A config object, as parsed from JSON. When absent: `configPath`, then SOCKET_SLACK_CONFIG_JSON, then a search from `cwd`. */
  config?: unknown;
  configPath?: string;
  /**
   * `warn`: an unset `{"env": …}` secret is a warning instead of an error, for runs that send
   * nothing (dry run, validate). Sending to such a destination then fails. Default `error`.
   */
  missingSecrets?: "error" | "warn";
  /** Allow config files and plugins that run code (.js/.mjs/.ts configs; `plugins` outside --config). */
  allowCodeConfig?: boolean;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Notifiers offered besides the config's `plugins` (the CLI offers webhook and bot). */
  plugins?: NotifierPlugin[];
  logger?: Logger;
  clock?: Clock;
  fetch?: FetchFunction;
  /** Parent container; every run gets a fresh child. Default: a child of tsyringe's root, never the root itself. */
  container?: DependencyContainer;
}

export interface NotifyOptions extends DeliveryOptions {
  /** Plan and report, send nothing. */
  dryRun?: boolean;
  /** Overrides for what the input says (CLI --repo, --branch, --pr, --sha). */
  context?: ScanContext;
  /** Reachability facts were applied to the alerts (see `applyFacts`). Implied by `facts`. */
  factsLoaded?: boolean;
  /** Reachability facts (`readFactsFile`): annotate the alerts, and send `always_send_reachability` summaries. */
  facts?: Facts;
  /** Excluded alerts kept per destination with their reason (the rest are counted by reason). Default 20. */
  excludedSample?: number;
  /** At most this many of the kept excluded alerts per filter rule (a few examples of each reason). */
  excludedPerRule?: number;
}

export interface PlannedDestination {
  destination: Destination;
  matched: Alert[];
  /** Alerts this destination's filters left out: counts by reason and the first few (not one entry per alert). */
  excluded: Exclusions;
  build: BuildResult;
  messages: OutboundMessage[];
  /** The whole-repository reachability summary, for destinations with `always_send_reachability` and facts. */
  reachability?: ReachabilitySummary;
}

export interface Plan {
  mode: string;
  source: ConfigSource;
  enabled: boolean;
  capabilities: NotifierCapabilities;
  destinations: PlannedDestination[];
  alerts: { total: number; matched: number; duplicatesMerged: number };
  warnings: string[];
  context: ScanContext;
}

export interface RunResult {
  plan: Plan;
  /** One per planned message, in plan order; empty for a dry run. */
  outcomes: MessageOutcome[];
  report: DeliveryReport;
}

const DEFAULT_CAPABILITIES: NotifierCapabilities = {
  ...SLACK_LIMITS,
  ratePerSecond: 1,
  burst: 1,
  threads: false,
  update: false,
};

/**
 * The embeddable core: config → destinations → filter → messages → delivery → report.
 * No console output and no process.exit: progress goes to the injected logger, the outcome is
 * the returned report, bad input is a thrown `UserError`.
 */
export class SocketNotifyEngine {
  private constructor(
    readonly config: NotifyConfig,
    readonly source: ConfigSource,
    readonly mode: string,
    readonly plugin: NotifierPlugin,
    readonly plugins: NotifierPlugin[],
    readonly configWarnings: string[],
    readonly host: PluginHost,
    private readonly options: EngineOptions,
    private readonly destinationList: DestinationList,
  ) {}

  static async create(options: EngineOptions = {}): Promise<SocketNotifyEngine> {
    const env = options.env ?? process.env;
    const cwd = options.cwd ?? process.cwd();
    const logger = options.logger ?? silentLogger;
    let raw: RawConfig | undefined;
    if (options.config !== undefined)
      raw = {
        raw: options.config,
        source: { kind: "inline", label: "config", baseDir: cwd, code: false, trusted: true },
      };
    else {
      const find: Parameters<typeof findConfig>[0] = { env, cwd };
      if (options.configPath !== undefined) find.configPath = options.configPath;
      if (options.allowCodeConfig !== undefined) find.allowCodeConfig = options.allowCodeConfig;
      raw = await findConfig(find);
    }
    if (!raw) throw noConfigError();
    const hostOptions: HostOptions = {
      env,
      configSource: raw.source.label,
      configTrusted: raw.source.trusted === true,
      logger,
      missingSecrets: options.missingSecrets ?? "error",
    };
    const host = createHost(hostOptions);
    const resolved = await resolveConfig(raw, {
      builtins: options.plugins ?? [],
      allowCodeConfig: options.allowCodeConfig ?? false,
      host,
    });
    applyEnvSwitches(resolved.config, env);
    // A disabled config sends nothing, so it needs no secrets (CI may not provide them then).
    if (resolved.config.enabled === false) hostOptions.missingSecrets = "warn";
    const list = resolved.plugin.destinations(resolved.config, host);
    const destinationList = Array.isArray(list) ? { destinations: list } : list;
    const warnings = [...resolved.warnings, ...(destinationList.warnings ?? []), ...host.warnings];
    return new SocketNotifyEngine(
      resolved.config,
      raw.source,
      resolved.mode,
      resolved.plugin,
      resolved.plugins,
      warnings,
      host,
      options,
      destinationList,
    );
  }

  get capabilities(): NotifierCapabilities {
    return { ...DEFAULT_CAPABILITIES, ...this.plugin.capabilities };
  }

  get destinations(): Destination[] {
    return this.destinationList.destinations;
  }

  /** Config warnings that do not depend on the input: for `validate`. */
  validationWarnings(factsLoaded = false): string[] {
    const w = [...this.configWarnings];
    for (const d of this.destinations) {
      const f = d.filter;
      if (f.alert_types?.length && f.severities?.length) {
        w.push(
          `${d.configPath}: alert_types and severities now both apply (AND); the Socket CLI ignored severities when alert_types was set`,
        );
      }
      if (!factsLoaded && (f.reachability_alerts_only || f.always_send_reachability)) {
        if (f.reachability_alerts_only)
          w.push(`${d.configPath}: reachability_alerts_only has no effect without --facts; all alerts pass`);
        if (f.always_send_reachability)
          w.push(
            `${d.configPath}: always_send_reachability has no effect without --facts; no reachability summary is sent`,
          );
      }
    }
    return [...new Set(w)];
  }

  /** Which alerts go where, as which messages. No network. */
  plan(input: ScanInput, options: NotifyOptions = {}): Plan {
    const context: ScanContext = { ...input.context, ...definedOnly(options.context ?? {}) };
    const caps = this.capabilities;
    const enabled = this.config.enabled !== false;
    const filter = new AlertFilter();
    const builder = new BlockBuilder();
    const applied = options.facts ? applyFacts(input.alerts, options.facts) : undefined;
    const factsLoaded = applied !== undefined || (options.factsLoaded ?? false);
    const sorted = sortByRisk(applied ? applied.alerts : input.alerts);
    const matchedAnywhere = new Uint8Array(sorted.length);
    const planned: PlannedDestination[] = [];
    const warnings = this.validationWarnings(factsLoaded);
    if (applied) warnings.push(...applied.warnings);
    if (input.duplicatesMerged > 0)
      warnings.push(
        `input: ${input.duplicatesMerged} duplicate alerts merged (the Socket CLI lists some alerts twice)`,
      );
    if (!enabled) warnings.push(`${this.source.label}: enabled is false: nothing is sent`);
    const limits = {
      maxBlocks: caps.maxBlocks,
      maxSectionChars: caps.maxSectionChars,
      maxMessageChars: caps.maxMessageChars,
      maxFallbackChars: caps.maxFallbackChars,
      maxHeaderChars: caps.maxHeaderChars,
    };
    for (const destination of this.destinations) {
      const filterContext = { scan: context, factsLoaded, globalLevels: this.config.levels };
      const { matched, excluded } = filter.partition(
        sorted,
        destination.filter,
        filterContext,
        options.excludedSample,
        matchedAnywhere,
        options.excludedPerRule,
      );
      const summary =
        applied && destination.filter.always_send_reachability
          ? reachabilitySummary(applied, destination.filter, filterContext, { limits })
          : undefined;
      // The reachability summary is one of the destination's max_messages (alerts keep at least one).
      const maxMessages = Math.max(
        1,
        (destination.filter.max_messages ?? this.config.max_messages ?? DEFAULT_MAX_MESSAGES) - (summary ? 1 : 0),
      );
      const f = destination.filter;
      const mention = f.mention?.length
        ? { tokens: f.mention, minSeverity: parseSeverity(f.mention_min_severity ?? "critical") ?? "critical" }
        : undefined;
      const build = builder.build(matched, context, {
        limits,
        maxMessages,
        sorted: true,
        ...(mention ? { mention } : {}),
      });
      const messages: OutboundMessage[] = build.messages.map((m) => ({ ...m, destination, kind: "alerts" }));
      if (summary) messages.push({ ...summary.message, destination, kind: "reachability" });
      planned.push({ destination, matched, excluded, build, messages, ...(summary ? { reachability: summary } : {}) });
    }
    return {
      mode: this.mode,
      source: this.source,
      enabled,
      capabilities: caps,
      destinations: planned,
      alerts: {
        total: input.alerts.length,
        matched: matchedAnywhere.reduce((n, m) => n + m, 0),
        duplicatesMerged: input.duplicatesMerged,
      },
      warnings,
      context,
    };
  }

  /** Plan, then deliver (unless dry run), and report what happened to every destination. */
  async notify(input: ScanInput, options: NotifyOptions = {}): Promise<DeliveryReport> {
    return (await this.run(input, options)).report;
  }

  /** `notify`, also returning the plan and each message's outcome (for an outbox, or custom reporting). */
  async run(input: ScanInput, options: NotifyOptions = {}): Promise<RunResult> {
    const plan = this.plan(input, options);
    if (options.dryRun || !plan.enabled)
      return { plan, outcomes: [], report: this.report(plan, undefined, !plan.enabled ? "skipped" : "dry-run") };
    const messages = plan.destinations.flatMap((d) => d.messages);
    const outcomes = messages.length ? await this.deliver(messages, options) : [];
    return { plan, outcomes, report: this.report(plan, outcomes, "sent") };
  }

  /** Deliver given messages (also used by `retry` for an outbox). */
  async deliver(messages: OutboundMessage[], given: DeliveryOptions = {}): Promise<MessageOutcome[]> {
    // The config's `timeout`/`request_timeout` (seconds) are defaults; the caller (CLI flags) wins.
    const options: DeliveryOptions = { ...given };
    if (options.budgetMs === undefined && this.config.timeout !== undefined)
      options.budgetMs = this.config.timeout * 1000;
    if (options.requestTimeoutMs === undefined && this.config.request_timeout !== undefined)
      options.requestTimeoutMs = this.config.request_timeout * 1000;
    const unset = this.host.secrets.find((x) => x.missing);
    if (unset) {
      throw new UserError("config_invalid", `${this.source.label}: cannot send: ${unset.redacted}`, {
        file: this.source.label,
        hint: "set the environment variable (as a CI secret); unset secrets are only allowed for --dry-run and validate",
      });
    }
    const run = (this.options.container ?? rootContainer).createChildContainer();
    try {
      run.register(TOKENS.Logger, { useValue: this.options.logger ?? silentLogger });
      run.register(TOKENS.Clock, { useValue: this.options.clock ?? systemClock });
      run.register(TOKENS.Config, { useValue: this.config });
      run.register(TOKENS.Host, { useValue: this.host });
      run.register(TOKENS.Env, { useValue: this.host.env });
      // HTTPS_PROXY/HTTP_PROXY/NO_PROXY of the run's environment (never the config: see proxy.ts).
      run.register(TOKENS.Fetch, {
        useValue: this.options.fetch ?? (await proxyFetch(this.host.env, this.host.secrets)) ?? globalThis.fetch,
      });
      await this.plugin.register(run, this.host);
      if (!run.isRegistered(TOKENS.Notifier)) {
        throw new Error(`plugin "${this.plugin.mode}" did not register a notifier under host.tokens.Notifier`);
      }
      const notifier = run.resolve<Notifier>(TOKENS.Notifier);
      let targets = messages;
      // A message of a destination that `prepare` showed to be the same place as an earlier one
      // of the same route (a channel given by name and by ID) is sent once: it maps to its twin.
      const twinOf = new Map<number, number>();
      const clock = run.resolve<Clock>(TOKENS.Clock);
      // Setup (prepare) spends the run's budget too: a Slack that does not answer auth.test must
      // not make the run outlast --timeout.
      options.budgetStartedAt ??= clock.now();
      if (notifier.prepare) {
        const unique = [...new Set(messages.map((m) => m.destination))];
        let prepared: Destination[];
        try {
          prepared = await prepareWithinBudget(notifier, unique, clock, options);
        } catch (e) {
          if (isSocketNotifyError(e)) throw e; // the notifier says every send is pointless (dead token): exit 2
          if (options.signal?.aborted) {
            // Cancelled during setup: nothing was sent; the delivery below reports every message as cancelled.
            prepared = unique;
          } else {
            // Setup got no answer or failed: every message fails like any delivery failure (report, outbox, exit 1).
            const failure = setupFailure(
              e,
              options.budgetMs ?? DEFAULT_BUDGET_MS,
              options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
              this.host,
            );
            return messages.map((message) => ({ message, ok: false, attempts: 0, failure }));
          }
        }
        const byOld = new Map(unique.map((d, i) => [d, prepared[i] ?? d]));
        targets = messages.map((m) => ({ ...m, destination: byOld.get(m.destination) ?? m.destination }));
        const first = new Map<string, number>();
        for (const [i, m] of messages.entries()) {
          const k = `${m.destination.route}\u0000${targets[i]!.destination.key}\u0000${m.kind}\u0000${m.index}`;
          const twin = first.get(k);
          if (twin === undefined) first.set(k, i);
          else if (messages[twin]!.destination !== m.destination) twinOf.set(i, twin);
        }
      }
      const send = messages.flatMap((_, i) => (twinOf.has(i) ? [] : [i]));
      const engine = new DeliveryEngine(run.resolve(TOKENS.Clock), run.resolve(TOKENS.Logger));
      const sent = await engine.deliver(
        notifier,
        this.capabilities,
        send.map((i) => targets[i]!),
        options,
      );
      // Outcomes refer to the prepared destinations; map back so callers can match their plan.
      const outcomes: MessageOutcome[] = new Array(messages.length);
      send.forEach((i, j) => (outcomes[i] = { ...sent[j]!, message: messages[i]! }));
      for (const [i, t] of twinOf) {
        const twin = outcomes[t]!;
        const d: MessageOutcome = {
          message: messages[i]!,
          ok: twin.ok,
          attempts: 0,
          duplicateOf: twin.message.destination,
        };
        if (twin.failure) d.failure = twin.failure;
        outcomes[i] = d;
      }
      return outcomes;
    } finally {
      run.clearInstances();
    }
  }

  private report(
    plan: Plan,
    outcomes: MessageOutcome[] | undefined,
    mode: "sent" | "dry-run" | "skipped",
  ): DeliveryReport {
    const byMessage = new Map(outcomes?.map((o) => [o.message, o]));
    const scrub = (t: string) => this.host.scrub(t);
    const destinations: DestinationReport[] = plan.destinations.map((p) => {
      const results: MessageReport[] = p.messages.map((m) => {
        const o = byMessage.get(m);
        const r: MessageReport = {
          index: m.index,
          count: m.count,
          kind: m.kind,
          alerts: m.alerts.length,
          blocks: m.payload.blocks.length,
          status: o === undefined ? "dry-run" : o.ok ? "sent" : "failed",
        };
        if (o) {
          r.attempts = o.attempts;
          if (o.channel) r.channel = o.channel;
          if (o.ts) r.ts = o.ts;
          if (o.threadTs) r.thread_ts = o.threadTs;
          if (o.possibleDuplicate) r.possible_duplicate = true;
          if (o.duplicateOf) {
            // Sent once, to the destination it duplicates: not a failure, not a second message.
            r.status = "skipped";
            r.error = {
              code: "duplicate_destination",
              message: scrub(
                `same channel as ${o.duplicateOf.target} in ${o.duplicateOf.route}: sent once, reported there`,
              ),
            };
          } else if (o.failure) {
            r.error = { code: o.failure.code, message: scrub(o.failure.message) };
            if (o.failure.hint) r.error.hint = scrub(o.failure.hint);
          }
        }
        return r;
      });
      const failed = results.find((r) => r.status === "failed");
      const skipped = results.length > 0 && results.every((r) => r.status === "skipped") ? results[0] : undefined;
      const status: DestinationReport["status"] =
        mode === "skipped" || p.messages.length === 0 || skipped
          ? "skipped"
          : mode === "dry-run"
            ? "dry-run"
            : failed
              ? "failed"
              : "sent";
      const d: DestinationReport = {
        route: p.destination.route,
        target: p.destination.target,
        alerts: p.matched.length,
        messages: p.messages.length,
        status,
        delivered: results.filter((r) => r.status === "sent").length,
        omitted: p.build.omitted,
        excluded: p.excluded.count,
        message_results: results,
      };
      if (p.build.omitted) d.omitted_by_severity = p.build.omittedBySeverity;
      if (failed?.error) d.error = failed.error;
      else if (skipped?.error) d.error = skipped.error;
      return d;
    });
    return {
      mode: plan.mode,
      dry_run: mode !== "sent",
      destinations,
      alerts: {
        total: plan.alerts.total,
        matched: plan.alerts.matched,
        duplicates_merged: plan.alerts.duplicatesMerged,
      },
      warnings: plan.warnings.map((w) => this.host.scrub(w)),
    };
  }
}

class SetupBudgetExceeded extends Error {
  override name = "BudgetExceeded";
}

/** `notifier.prepare` with a signal that fires when the run's budget (started at `budgetStartedAt`) runs out. */
async function prepareWithinBudget(
  notifier: Notifier,
  destinations: Destination[],
  clock: Clock,
  options: DeliveryOptions,
): Promise<Destination[]> {
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const left = Math.max(0, budgetMs - (clock.now() - (options.budgetStartedAt ?? clock.now())));
  const budget = new AbortController();
  const stop = new AbortController();
  const timer = clock.sleep(left, stop.signal).then(
    () => budget.abort(new SetupBudgetExceeded(`time budget of ${Math.round(budgetMs / 1000)} s ran out during setup`)),
    () => undefined,
  );
  // Cancellation (options.signal) ends setup like the budget does.
  const onCancel = () => budget.abort(options.signal!.reason);
  if (options.signal?.aborted) onCancel();
  else options.signal?.addEventListener("abort", onCancel, { once: true });
  try {
    // Also stop waiting here if the notifier ignores the signal: the budget bounds the run, whatever a plugin does.
    return await new Promise<Destination[]>((resolve, reject) => {
      budget.signal.addEventListener("abort", () => reject(budget.signal.reason), { once: true });
      notifier.prepare!(destinations, budget.signal, {
        timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      }).then(resolve, reject);
    });
  } finally {
    options.signal?.removeEventListener("abort", onCancel);
    stop.abort();
    await timer;
  }
}

/** Why nothing could be sent when setup failed: the budget ran out during it, or its error, classified. */
function setupFailure(e: unknown, budgetMs: number, requestTimeoutMs: number, host: PluginHost): DeliveryFailure {
  if ((e as Error)?.name === "BudgetExceeded") {
    return timeoutFailure(budgetMs, {
      code: "setup",
      message: "the notifier's setup (e.g. the bot's auth.test and channel lookup) did not finish",
      retry: "never",
    });
  }
  const network = host.classifyNetworkError(e, requestTimeoutMs);
  // Not a recognised network error: the error's own (scrubbed) words say more than "fetch failed".
  const unknown = network.code === "network" && network.message.endsWith("fetch failed");
  const detail = unknown ? host.scrub((e as Error)?.message ?? e) : network.message;
  return {
    code: unknown ? "setup_failed" : network.code,
    message: `setup failed, nothing was sent: ${detail}`,
    hint: "keep the messages with --outbox FILE and re-send them with socket-notify retry FILE when Slack answers again",
    retry: "never",
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/** Build the embeddable engine: loads and validates the config, picks the notifier by `mode`. */
export function createEngine(options: EngineOptions = {}): Promise<SocketNotifyEngine> {
  return SocketNotifyEngine.create(options);
}

/**
 * The Socket CLI's environment switches, which it read but never applied (B2, B3):
 * `SOCKET_SLACK_ENABLED=false` turns sending off and `SOCKET_SLACK_LEVELS=block,warn` sets
 * `levels`. The config file's own `enabled`/`levels` win.
 */
function applyEnvSwitches(config: NotifyConfig, env: Record<string, string | undefined>): void {
  const enabled = env.SOCKET_SLACK_ENABLED?.trim().toLowerCase();
  if (config.enabled === undefined && enabled) {
    if (["false", "0", "no", "off"].includes(enabled)) config.enabled = false;
    else if (!["true", "1", "yes", "on"].includes(enabled)) {
      throw new UserError(
        "config_invalid",
        `SOCKET_SLACK_ENABLED: expected true or false, got "${env.SOCKET_SLACK_ENABLED}"`,
        { hint: "set it to true or false, or unset it" },
      );
    }
  }
  const levels = env.SOCKET_SLACK_LEVELS?.trim();
  if (config.levels === undefined && levels) {
    const list = levels
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const bad = list.find((l) => !(LEVELS as readonly string[]).includes(l));
    if (bad !== undefined) {
      throw new UserError("config_invalid", `SOCKET_SLACK_LEVELS: unknown level "${bad}"`, {
        hint: `use a comma-separated list of ${LEVELS.join(", ")}`,
      });
    }
    config.levels = list as Level[];
  }
}
