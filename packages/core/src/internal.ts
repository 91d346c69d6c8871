/**
 * `@socket-notify/core/internal`: everything core has, for this repository's own packages (the
 * notifiers, the CLI, state, serve, preview, testing). NOT covered by semver: any of it may
 * change or go in any release. Code outside this repository imports `@socket-notify/core`
 * (index.ts), whose names the README describes.
 */
import "reflect-metadata";

/* Blocks */
export {
  ALERT_TITLE_MAX_CHARS,
  BlockBuilder,
  type BlockKitLayoutOptions,
  type BuildOptions,
  type BuildResult,
  type BuiltMessage,
  countBySeverity,
  DEFAULT_MAX_MESSAGES,
  formatSeverityCounts,
  type SeverityCounts,
} from "./blocks/BlockBuilder.js";
export { forgeAt, forgeFromRepoUrl, type ForgeLinks, forgeLinks, type RepoUrl } from "./blocks/forge.js";
export { codeBlock, escapeMrkdwn, inline, isSafeUrl, link, stripControl, truncate } from "./blocks/mrkdwn.js";
export { compareRisk, isMalwareOrTyposquat, sortByRisk } from "./blocks/risk.js";
export {
  type Block,
  blockText,
  type MessageLimits,
  messageText,
  SLACK_LIMITS,
  type SlackMessage,
  type TextObject,
} from "./blocks/types.js";
/* Clock */
export { type Clock, systemClock } from "./clock.js";
/* Config */
export {
  CODE_CONFIG_FILES,
  CONFIG_ENV,
  type ConfigSource,
  DATA_CONFIG_FILES,
  findConfig,
  type FindConfigOptions,
  isCodeConfig,
  type RawConfig,
} from "./config/load.js";
export {
  destinationListSchema,
  type NamedEntriesSpec,
  type NamedEntry,
  namedEntries,
} from "./config/entries.js";
export { resolveConfig, type ResolvedConfig, type ResolveOptions } from "./config/resolve.js";
export {
  buildConfigSchema,
  type CoreConfig,
  coreShape,
  described,
  FILTER_KEYS,
  type FilterOptions,
  FilterSchema,
  filterShape,
  type Level,
  LEVELS,
  type NotifyConfig,
  type SecretRef,
  SecretRefSchema,
  secretValue,
} from "./config/schema.js";
/* Delivery */
export { classifyHttpStatus, classifyNetworkError, parseRetryAfter } from "./delivery/classify.js";
export {
  DEFAULT_BUDGET_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_GRACE_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DeliveryEngine,
  type DeliveryOptions,
  type DeliveryProgress,
  type MessageOutcome,
} from "./delivery/DeliveryEngine.js";
export {
  bypassesProxy,
  ProxyError,
  proxyFetch,
  proxyFor,
  type ProxyRoute,
  type ProxySettings,
  proxySettings,
} from "./delivery/proxy.js";
export { type BoundedBody, readBoundedBody, requestSignal, ResponseTooLargeError } from "./delivery/http-body.js";
export { DEFAULT_RETRY_POLICY, decideRetry, type RetryDecision, type RetryPolicy } from "./delivery/retry.js";
export { Semaphore, TokenBucket } from "./delivery/token-bucket.js";
export { type SharedPace, sharedPaceKey } from "./delivery/shared-pace.js";
/** First-party: the state store's lock files share the outbox's (pid liveness, removal on exit). */
export { lockFiles } from "./delivery/lock-files.js";
/* Engine */
export { createEngine, type EngineOptions, type NotifyOptions, type RunResult, SocketNotifyEngine } from "./engine.js";
export { deliverMessages, type PreparedNotifier } from "./run/deliver.js";
export { type PagePlan, pageTotals, planPages } from "./run/pages.js";
export {
  blockKitLayout,
  messageKey,
  type Plan,
  type PlanInput,
  type PlannedDestination,
  plannedMessages,
  type PlanOptions,
  planRun,
  scanSubject,
} from "./run/plan.js";
export { nativeSize, reportRun, type RunMode } from "./run/report.js";
export {
  messagesFromOutbox,
  type OutboxEntry,
  outboxEntries,
  outboxEntryOf,
  OutboxSigner,
  parseOutbox,
  parseOutboxLines,
  type ParsedOutbox,
  payloadShapeError,
  retryLeftovers,
  sanitizePayload,
  type SanitizeOptions,
  serializeOutbox,
} from "./delivery/outbox.js";
export {
  appendOutboxLines,
  claimOutboxForRetry,
  readOutboxFile,
  rewriteOutbox,
  withOutboxLock,
} from "./delivery/outbox-file.js";
/* Errors */
export {
  type ErrorCode,
  type ErrorDetails,
  formatLocation,
  isSocketNotifyError,
  SocketNotifyError,
  UserError,
} from "./errors.js";
/* Filter */
export {
  AlertFilter,
  describeAlert,
  EXCLUDED_SAMPLE,
  type ExcludedAlert,
  type ExclusionReason,
  type Exclusions,
  type FilterContext,
  type FilterResult,
  type FilterSummary,
  isVulnerability,
  repoMatches,
} from "./filter/AlertFilter.js";
/* Host */
export { createHost, type HostOptions, isLoopbackHost, VERSION } from "./host.js";
/* Input */
export { ParsedAlert, withFields } from "./input/alert.js";
export {
  parseScan,
  type ParseOptions,
  type ReadScanOptions,
  readScanFile,
  SharedAlertValues,
  toAlert,
} from "./input/parse.js";
export { type Issue, IssueSchema, type ScanJson, ScanSchema } from "./input/schema.js";
/* Logger */
export { type Logger, MemoryLogger, silentLogger } from "./logger.js";
/* Model */
export {
  type Alert,
  type AlertAction,
  alertFingerprint,
  type Forge,
  type IntroducedBy,
  packageLabel,
  type Reachability,
  type ReachabilityState,
  type ScanContext,
  type ScanInput,
} from "./model.js";
/* Notifier contract */
export { type NotifierCapabilities } from "./contract/capabilities.js";
export {
  type FetchFunction,
  type PluginHost,
  resolve,
  type Token,
  token,
  TOKENS,
} from "./contract/context.js";
export { type Destination, type DestinationList, type OutboundMessage } from "./contract/destination.js";
export { type DeliveryFailure, type FailureScope, failureScope } from "./contract/failure.js";
export {
  type AlertPage,
  type LayoutContext,
  type LayoutFactory,
  type NativeMessage,
  type PageEntry,
  type PageLayout,
  type PageSlot,
  type PageTotals,
  type ReachabilitySummaryPage,
} from "./contract/layout.js";
export { type Notifier, type SendContext, type SendResult } from "./contract/notifier.js";
export { type NotifierPlugin } from "./contract/plugin.js";
export { loadPluginModules, optionsShape, pluginsOf } from "./plugins.js";
/* Reachability */
export { type AppliedFacts, applyFacts, enrichScan } from "./reachability/apply.js";
export {
  type Facts,
  factsSchema,
  findingKey,
  packageKey,
  parseFacts,
  type ParseFactsOptions,
  type ReachabilityFinding,
  readFactsFile,
} from "./reachability/facts.js";
export {
  blockKitReachabilitySummary,
  type ExcludedFinding,
  findingAlert,
  findingFilter,
  reachabilitySummary,
  type ReachabilitySummary,
  reachabilitySummaryPage,
  renderFinding,
  type SummaryOptions,
} from "./reachability/summary.js";
/* Report */
export {
  type DeliveryReport,
  type DestinationReport,
  type MessageReport,
  type ReportError,
  reportExitCode,
} from "./report.js";
/* Secrets */
export {
  environmentSecrets,
  looksLikeCredential,
  looksLikeSlackCredential,
  redactCredentials,
  redactSlackCredentials,
  redactWebhookUrl,
  scrubSecrets,
  Secret,
} from "./secret.js";
/* Severity */
export { parseSeverity, SEVERITIES, SEVERITY_EMOJI, SEVERITY_NAMES, type Severity, severityRank } from "./severity.js";
/* Errors from zod, for plugins that validate their own input */
export { describeIssues, isShowableKey, jsonPath, parseOrThrow, suggest } from "./zod-issues.js";
