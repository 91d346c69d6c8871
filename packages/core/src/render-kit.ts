/**
 * `@socket-notify/core/render`: what a notifier plugin's renderer, page layout and option
 * declaration use besides the contract in the main index — text safety, severities and their
 * counts, the package label, a list of destination entries' schema, and
 * core's Block Kit layout (to keep as the record a non-Slack notifier's messages are shown and
 * kept as). Public and covered by semver, like the main index; each name is documented where it
 * is declared. The Discord plugin (packages/discord) is built on these two entry points only.
 */
export { formatSeverityCounts } from "./blocks/BlockBuilder.js";
export { isSafeUrl, stripControl, truncate } from "./blocks/mrkdwn.js";
export { destinationListSchema } from "./config/entries.js";
export { type LayoutFactory, type NativeMessage, type ReachabilitySummaryPage } from "./contract/layout.js";
export { isLoopbackHost } from "./host.js";
export { packageLabel } from "./model.js";
export { blockKitLayout } from "./run/plan.js";
export { countBySeverity, SEVERITIES, SEVERITY_EMOJI, type SeverityCounts } from "./severity.js";
