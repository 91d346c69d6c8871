import { type DependencyContainer } from "tsyringe";
import { type $ZodObject } from "zod/v4/core";
import { type NotifyConfig } from "../config/schema.js";
import { type NotifierCapabilities } from "./capabilities.js";
import { type PluginHost } from "./context.js";
import { type Destination, type DestinationList } from "./destination.js";
import { type LayoutFactory } from "./layout.js";
import { type Notifier } from "./notifier.js";

/**
 * A notifier plugin: the same contract for built-in notifiers and user plugins.
 * A plugin module's default export (or its `plugin` export) is one of these, or a list.
 * Every hook gets the same context object, `host` (a `PluginHost`).
 */
export interface NotifierPlugin {
  /** The config `mode` that selects this notifier. */
  mode: string;
  description?: string;
  /**
   * Top-level config keys this notifier adds, as a zod object. A function receives the host,
   * so a plugin without its own zod can build it from `host.z`.
   */
  optionsSchema?: $ZodObject | ((host: PluginHost) => $ZodObject);
  /** Its limits and pacing; merged over Slack's defaults. */
  capabilities?: Partial<NotifierCapabilities>;
  /**
   * How big an entry of alerts is for this notifier and how a page looks (`PageLayout`), made
   * per destination and run; core cuts the pages with it. Default: core's Block Kit layout
   * (`blockKitLayout`, the `BlockBuilder`) within `capabilities`, which the Slack notifiers use.
   */
  layout?: LayoutFactory;
  /** Destinations from the validated config. Pure: no network. Throw `host.configError(...)` for bad values. */
  destinations(config: NotifyConfig, host: PluginHost): DestinationList | Destination[];
  /**
   * The notifier for one run, made from the validated config and the host (its `fetch`,
   * `logger`, `clock`, `scrub`…): called once per run that sends, not for a dry run. It may
   * import its sending code here, so a run that never sends does not load it.
   * `container` is the run's fresh tsyringe child container (never the global one), with
   * `TOKENS.Host`, `TOKENS.Config`, `TOKENS.Logger` and `TOKENS.Clock` registered; cleared when
   * the run ends. The Slack notifiers are `@injectable()` classes resolved from it. A plugin with
   * its own copy of tsyringe cannot use its decorators here (they fill that copy's registry):
   * it ignores `container`, or registers a `useFactory`.
   */
  createNotifier(config: NotifyConfig, host: PluginHost, container: DependencyContainer): Notifier | Promise<Notifier>;
}
