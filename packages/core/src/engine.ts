import { type DependencyContainer, container as rootContainer } from "tsyringe";
import { SLACK_LIMITS } from "./blocks/types.js";
import { type Clock, systemClock } from "./clock.js";
import { type ConfigSource, findConfig, noConfigError, type RawConfig } from "./config/load.js";
import { resolveConfig } from "./config/resolve.js";
import { type Level, LEVELS, type NotifyConfig } from "./config/schema.js";
import { type DeliveryOptions, type MessageOutcome } from "./delivery/DeliveryEngine.js";
import { UserError } from "./errors.js";
import { type PluginHost } from "./contract/context.js";
import { createHost, type HostOptions, hostFetch } from "./host.js";
import { type Logger, silentLogger } from "./logger.js";
import { type ScanInput } from "./model.js";
import { type NotifierCapabilities } from "./contract/capabilities.js";
import { type Destination, type DestinationList, type OutboundMessage } from "./contract/destination.js";
import { type NotifierPlugin } from "./contract/plugin.js";
import { pluginFile, pluginName } from "./plugins.js";
import { type DeliveryReport } from "./report.js";
import { deliverMessages, type PreparedNotifier, prepareDestinations } from "./run/deliver.js";
import { type Plan, type PlanOptions, plannedMessages, planRun, planWarnings } from "./run/plan.js";
import { reportRun, type RunMode } from "./run/report.js";
import { type FetchFunction, TOKENS } from "./contract/context.js";

/** What `createEngine` builds an engine from: the config (or where to find it), the notifiers on offer, and the run's environment, logger, clock and fetch. */
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
  /** The clock of every wait (pacing, Retry-After, backoff) and of `host.clock`. Default: the system's. */
  clock?: Clock;
  /** What notifiers send with (`host.fetch`). Default: the proxy of `env` (HTTPS_PROXY…), else the global fetch. */
  fetch?: FetchFunction;
  /** Parent container; every run gets a fresh child of it. Default: a child of tsyringe's root, never the root itself. */
  container?: DependencyContainer;
}

/** Options of one run (`engine.run`/`notify`): planning (context overrides, facts), delivery (budget, timeouts, concurrency, retry, progress), dry run and the plan → deliver `select` seam. */
export interface NotifyOptions extends DeliveryOptions, PlanOptions {
  /** Plan and report, send nothing. */
  dryRun?: boolean;
  /**
   * The seam between plan and deliver: given the plan (made for the prepared destinations),
   * which of its messages to deliver, in order. Default: every planned message
   * (`plannedMessages(plan)`). A planned message left out is reported `skipped`.
   */
  select?: (plan: Plan) => OutboundMessage[] | Promise<OutboundMessage[]>;
}

/** What `engine.run` returns: the plan, each delivered message's outcome and the report. */
export interface RunResult {
  plan: Plan;
  /** One per delivered message, in plan order; empty for a dry run. */
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
 * The embeddable core. A run is three stages with plain data between them:
 * `plan` (pure: scan + config → destinations → pages; what `--dry-run` shows),
 * `deliver` (pacing, retries, budget; after `prepare`), `report`. `run` chains them.
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
    private readonly destinationList: DestinationList,
    private readonly parentContainer?: DependencyContainer,
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
      clock: options.clock ?? systemClock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
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
      destinationList,
      options.container,
    );
  }

  get capabilities(): NotifierCapabilities {
    return { ...DEFAULT_CAPABILITIES, ...this.plugin.capabilities };
  }

  /** The config's destinations, as configured (before the notifier's `prepare`). */
  get destinations(): Destination[] {
    return this.destinationList.destinations;
  }

  /** Config warnings that do not depend on the input: for `validate`. */
  validationWarnings(factsLoaded = false): string[] {
    return planWarnings(this.configWarnings, this.destinations, factsLoaded);
  }

  /**
   * Stage 1: which alerts go where, as which messages. Pure: no network. `destinations`
   * defaults to the configured ones; a real run passes `prepare()`'s.
   */
  plan(input: ScanInput, options: PlanOptions = {}, destinations: Destination[] = this.destinations): Plan {
    return planRun({
      scan: input,
      config: this.config,
      mode: this.mode,
      source: this.source,
      destinations,
      capabilities: this.capabilities,
      ...(this.plugin.layout ? { layout: this.plugin.layout } : {}),
      configWarnings: this.configWarnings,
      options,
    });
  }

  /**
   * Before stage 2: the notifier of this run, made by the plugin's `createNotifier` and
   * prepared (`Notifier.prepare`: token check, channel names → IDs) within the run's budget.
   * Throws a `UserError` for an unset secret or a notifier that says nothing can be sent.
   * `only`: prepare just these of the configured destinations (a run prepares those its plan
   * has messages for); the others come back as configured. Call `close()` on the result when
   * its deliveries are done.
   */
  async prepare(options: DeliveryOptions = {}, only?: readonly Destination[]): Promise<PreparedNotifier> {
    const unset = this.host.secrets.find((x) => x.missing);
    if (unset) {
      throw new UserError("config_invalid", `${this.source.label}: cannot send: ${unset.redacted}`, {
        file: this.source.label,
        hint: "set the environment variable (as a CI secret); unset secrets are only allowed for --dry-run and validate",
      });
    }
    // HTTPS_PROXY/HTTP_PROXY/NO_PROXY of the run's environment (never the config: see proxy.ts):
    // made now, so a bad proxy variable stops the run before its first request.
    await hostFetch(this.host);
    // A fresh child container per run: what a notifier resolves there lives for this run only,
    // and nothing is ever registered in the global container.
    const run = (this.parentContainer ?? rootContainer).createChildContainer();
    run.register(TOKENS.Host, { useValue: this.host });
    run.register(TOKENS.Config, { useValue: this.config });
    run.register(TOKENS.Logger, { useValue: this.host.logger });
    run.register(TOKENS.Clock, { useValue: this.host.clock });
    try {
      const notifier = await this.plugin.createNotifier(this.config, this.host, run);
      if (typeof notifier?.send !== "function") {
        const file = pluginFile(this.plugin);
        throw new UserError("plugin_invalid", `${pluginName(this.plugin)}: createNotifier did not return a notifier`, {
          ...(file ? { file } : {}),
          hint: "return an object with send(message, ctx) (see the README: Write a notifier plugin)",
        });
      }
      const clock = this.host.clock;
      // Setup (prepare) spends the run's budget too: a Slack that does not answer auth.test must
      // not make the run outlast --timeout.
      const budgetStartedAt = options.budgetStartedAt ?? clock.now();
      const wanted = only ? this.destinations.filter((d) => only.includes(d)) : this.destinations;
      const prepared = await prepareDestinations(
        notifier,
        wanted,
        clock,
        { ...this.deliveryOptions(options), budgetStartedAt },
        this.host,
      );
      const byConfigured = new Map(wanted.map((d, i) => [d, prepared.destinations[i] ?? d]));
      return {
        notifier,
        destinations: this.destinations.map((d) => byConfigured.get(d) ?? d),
        ...(prepared.setupFailure ? { setupFailure: prepared.setupFailure } : {}),
        budgetStartedAt,
        close: () => run.clearInstances(),
      };
    } catch (e) {
      // The run never starts: nothing it made may outlive it.
      run.clearInstances();
      throw e;
    }
  }

  /**
   * Stage 2: deliver messages of `prepared.destinations` (a plan's, or an outbox's for
   * `retry`) and answer one outcome per message, in order.
   */
  async deliver(
    prepared: PreparedNotifier,
    messages: OutboundMessage[],
    options: DeliveryOptions = {},
  ): Promise<MessageOutcome[]> {
    return deliverMessages(
      prepared,
      messages,
      this.capabilities,
      this.deliveryOptions(options),
      this.host.clock,
      this.host.logger,
    );
  }

  /** Stage 3: what happened to every destination of the plan (`outcomes` undefined: nothing was sent). */
  report(plan: Plan, outcomes: readonly MessageOutcome[] | undefined, mode: RunMode): DeliveryReport {
    return reportRun(plan, outcomes, mode, (t) => this.host.scrub(t));
  }

  /** Plan, then deliver (unless dry run), and report what happened to every destination. */
  async notify(input: ScanInput, options: NotifyOptions = {}): Promise<DeliveryReport> {
    return (await this.run(input, options)).report;
  }

  /**
   * The three stages in a row: `prepare` → `plan` → `options.select` → `deliver` → `report`.
   * Returns the plan and each delivered message's outcome too (for an outbox, or custom reporting).
   */
  async run(input: ScanInput, options: NotifyOptions = {}): Promise<RunResult> {
    const configured = this.plan(input, options);
    if (options.dryRun || !configured.enabled)
      return {
        plan: configured,
        outcomes: [],
        report: this.report(configured, undefined, !configured.enabled ? "skipped" : "dry-run"),
      };
    // Nothing to send: no setup either (no auth.test for a scan without matching alerts).
    if (!plannedMessages(configured).length && !options.select)
      return { plan: configured, outcomes: [], report: this.report(configured, [], "sent") };
    const prepared = await this.prepare(
      options,
      configured.destinations.filter((p) => p.messages.length).map((p) => p.destination),
    );
    try {
      // Planned again only if preparation changed a destination (a bot's channel names → IDs).
      const plan = prepared.destinations.every((d, i) => d === this.destinations[i])
        ? configured
        : this.plan(input, options, prepared.destinations);
      const messages = options.select ? await options.select(plan) : plannedMessages(plan);
      const outcomes = messages.length ? await this.deliver(prepared, messages, options) : [];
      return { plan, outcomes, report: this.report(plan, outcomes, "sent") };
    } finally {
      prepared.close();
    }
  }

  /** The config's `timeout`/`request_timeout` (seconds) are defaults; the caller (CLI flags) wins. */
  private deliveryOptions(given: DeliveryOptions): DeliveryOptions {
    const options: DeliveryOptions = { ...given };
    if (options.budgetMs === undefined && this.config.timeout !== undefined)
      options.budgetMs = this.config.timeout * 1000;
    if (options.requestTimeoutMs === undefined && this.config.request_timeout !== undefined)
      options.requestTimeoutMs = this.config.request_timeout * 1000;
    return options;
  }
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
