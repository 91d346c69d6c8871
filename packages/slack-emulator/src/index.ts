/**
 * @socket-notify/slack-emulator: a loopback fake of Slack's Web API and incoming webhooks
 * for tests, demos and plugin authors.
 */

/* server.ts */
export {
  type EmulatorAppInfo,
  type EmulatorLimits,
  type EmulatorOptions,
  type MessageFilter,
  type ReceiveOptions,
  type SlackEmulator,
  startEmulator,
} from "./server.js";

/* describe.ts */
export { describeEmulator } from "./describe.js";

/* workspace.ts */
export {
  type ChannelSpec,
  defaultWorkspace,
  type HookSpec,
  loadWorkspaceFile,
  type ResolvedChannel,
  type ResolvedHook,
  type ResolvedToken,
  type AppSpec,
  type ResolvedApp,
  type ResolvedUser,
  type ResolvedUsergroup,
  type ResolvedWorkspace,
  type UserSpec,
  type UsergroupSpec,
  resolveWorkspace,
  type TeamSpec,
  type TokenSpec,
  WorkspaceError,
  type WorkspaceSpec,
} from "./workspace.js";

/* validate.ts */
export {
  MAX_BLOCKS,
  MAX_TEXT_CHARS,
  MAX_TOTAL_BLOCK_TEXT,
  type MessageErrorCode,
  type MessageValidationResult,
  validateMessage,
} from "./validate.js";

/* records.ts */
export { type EmulatorRecord } from "./records.js";

/* faults.ts */
export { FAULT_KINDS, type FaultKind, type FaultSpec, type FaultTarget, parseFaultSpec } from "./faults.js";

/* rate-limit.ts */
export {
  DEFAULT_RATE_LIMIT,
  DEFAULT_WORKSPACE_RATE_LIMIT,
  type RateLimitOptions,
  STRICT_RATE_LIMIT,
  type WorkspaceRateLimitOptions,
} from "./rate-limit.js";

/* strict-workload.ts */
export { type StrictWorkload, type StrictWorkloadOptions, strictAlert, strictWorkload } from "./strict-workload.js";

/* webhook-errors.ts */
export { HOOK_ERROR_CODES, type HookErrorCode, WEBHOOK_ERROR_STATUS } from "./webhook-errors.js";

/* socket-mode.ts */
export {
  type AckRecord,
  DISCONNECT_REASONS,
  type DisconnectReason,
  type EnvelopeRecord,
  type EnvelopeType,
  type SocketConnectionInfo,
  type SocketFault,
  SOCKET_FAULT_KINDS,
  type SocketFaultKind,
  type SocketState,
  type SocketTarget,
} from "./socket-mode.js";

/* http-delivery.ts */
export { type HttpDelivery, type HttpDeliveryRecord, slackSignature, type Tamper, TAMPERS } from "./http-delivery.js";

/* simulate.ts */
export { type CommandInput, type EventInput, type InteractInput, type SimulationResult, type Via } from "./simulate.js";

/* web-api.ts */
export { API_METHODS } from "./web-api.js";

/* discord.ts: a separate fake of Discord's webhook endpoint */
export {
  DISCORD_LIMITS,
  type DiscordEmbed,
  type DiscordEmbedField,
  type DiscordFake,
  type DiscordFakeOptions,
  type DiscordFakeResponse,
  type DiscordMessageRecord,
  type DiscordRateLimit,
  type DiscordRequestRecord,
  type DiscordWebhookBody,
  embedChars,
  startDiscordFake,
  validateDiscordMessage,
} from "./discord.js";
