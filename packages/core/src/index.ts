/**
 * @socket-notify/core's public API: what the README's "Embed the core" and "Write a notifier
 * plugin" sections describe, and nothing else. It follows semver. The first-party packages of
 * this repository also import `@socket-notify/core/internal`, which does not (see internal.ts).
 */
import "reflect-metadata";

/* Embedding: the engine and its three stages (plan, deliver, report) */
export { createEngine, type EngineOptions, type NotifyOptions, type RunResult, SocketNotifyEngine } from "./engine.js";
export { type Plan, type PlannedDestination, plannedMessages } from "./run/plan.js";
export { type PreparedNotifier } from "./run/deliver.js";
export { type DeliveryOptions, type DeliveryProgress, type MessageOutcome } from "./delivery/DeliveryEngine.js";
export { type DeliveryReport, type DestinationReport, reportExitCode } from "./report.js";
export { VERSION } from "./host.js";

/* Input: a Socket scan and reachability facts */
export { parseScan, readScanFile } from "./input/parse.js";
export { readFactsFile } from "./reachability/facts.js";
export { enrichScan } from "./reachability/apply.js";
export { withFields } from "./input/alert.js";
export { type Alert, type ScanContext, type ScanInput } from "./model.js";
export { type Severity } from "./severity.js";

/* The pieces on their own: filtering and Block Kit messages */
export { AlertFilter } from "./filter/AlertFilter.js";
export { BlockBuilder } from "./blocks/BlockBuilder.js";
export { type Block, SLACK_LIMITS, type SlackMessage } from "./blocks/types.js";

/* Errors, logging, time */
export { type ErrorCode, isSocketNotifyError, SocketNotifyError, UserError } from "./errors.js";
export { type Logger, MemoryLogger, silentLogger } from "./logger.js";
export { type Clock } from "./clock.js";

/* Config */
export { described, type FilterOptions, filterShape, type NotifyConfig, secretValue } from "./config/schema.js";
export { Secret } from "./secret.js";

/* The notifier plugin contract (contract/) */
export { type NotifierCapabilities } from "./contract/capabilities.js";
export { type PluginHost, TOKENS } from "./contract/context.js";
export { type Destination, type OutboundMessage } from "./contract/destination.js";
export { type AlertPage, type LayoutContext, type PageEntry, type PageLayout } from "./contract/layout.js";
export { type DeliveryFailure, type FailureScope } from "./contract/failure.js";
export { type Notifier, type SendContext, type SendResult } from "./contract/notifier.js";
export { type NotifierPlugin } from "./contract/plugin.js";
export { readBoundedBody } from "./delivery/http-body.js";
